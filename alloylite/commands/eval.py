"""`alloylite eval EXPR`: evaluate one expression and print its value in Alloy syntax.

Exit 0 with the value on stdout; exit 1 with Alloy-style diagnostics on
stderr for a parse or evaluation error (never a traceback). The stdlib is
in scope; `sys.env` reads this process's environment.
"""

from __future__ import annotations

import argparse
import sys

from alloylite.eval.errors import EvalError
from alloylite.eval.evaluator import evaluate
from alloylite.eval.render import render_value
from alloylite.syntax.diag import render_pretty, use_color
from alloylite.syntax.parser import parse_expression


def eval_command(args: argparse.Namespace) -> int:
    source = str(args.expression).encode("utf-8", "surrogateescape")
    parsed = parse_expression(source)
    if parsed.diagnostics or parsed.expr is None:
        print(
            render_pretty(parsed.diagnostics, {"": source}, color=use_color(sys.stderr)),
            file=sys.stderr,
        )
        return 1
    try:
        value = evaluate(parsed.expr)
    except EvalError as err:
        if err.positioned:
            print(
                render_pretty([err.diagnostic], {"": source}, color=use_color(sys.stderr)),
                file=sys.stderr,
            )
        else:
            print(f"Error: {err.text}", file=sys.stderr)
        return 1
    except RecursionError:
        print("Error: expression is nested too deeply", file=sys.stderr)
        return 1
    sys.stdout.write(render_value(value) + "\n")
    return 0
