"""The Python API behind `alloylite.parse`, `validate`, `evaluate` and `format`.

Each function runs the same code as the matching CLI command, so a program gets
exactly the diagnostics and output a user of `alloylite validate/eval/fmt` sees.
Problems with the input are data: `validate` returns them, the others raise
`DiagnosticError` carrying them. Heavy modules (Lark, the evaluator, the
component registry) are imported on first call, so `import alloylite` stays cheap.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from alloylite.stability import DEFAULT_LEVEL, FLAG_VALUES, Stability
from alloylite.syntax.diag import Diagnostic, DiagnosticError, Severity

if TYPE_CHECKING:
    from alloylite.syntax import ast


def parse(text: str | bytes, filename: str = "main.alloy") -> ast.File:
    """Parse the text of a config file into its syntax tree (`alloylite.syntax.ast.File`).

    Raises `DiagnosticError` with every syntax error Alloy's parser would report; each
    diagnostic carries `filename`. Only syntax is checked: unknown components and bad
    arguments are `validate`'s business.

    >>> import alloylite
    >>> tree = alloylite.parse('logging {\\n  level = "debug"\\n}\\n')
    >>> tree.body[0].full_name
    'logging'
    >>> try:
    ...     alloylite.parse("a = ", filename="bad.alloy")
    ... except alloylite.DiagnosticError as err:
    ...     print(err.diagnostics[0])
    bad.alloy:1:5: expected expression, got EOF
    """
    from alloylite.syntax.parser import parse_file

    result = parse_file(text, filename)
    if result.diagnostics or result.file is None:
        raise DiagnosticError(list(result.diagnostics))
    return result.file


def validate(
    source: str | bytes | os.PathLike[str],
    *,
    filename: str = "main.alloy",
    stability_level: str = DEFAULT_LEVEL,
    community_components: bool = False,
) -> list[Diagnostic]:
    """Every problem `alloylite validate` would report, as a list (empty means valid).

    `source` is a path or the text of a config:
      * a `pathlib.Path` (any `os.PathLike`) is always a path: a file, or a directory
        whose `*.alloy` files form one config;
      * `bytes` are always config text;
      * a `str` is a path when it is one line that names an existing file or
        directory or ends in `.alloy`; otherwise it is config text.
    Text is checked as if it were the file `filename`, which diagnostics then name.
    The list holds errors and warnings (see `Diagnostic.severity`), in file order.
    `stability_level` is the `--stability.level` flag: the least stable features allowed;
    `community_components` is `--feature.community-components.enabled`.

    >>> import alloylite
    >>> alloylite.validate('logging {\\n  level = "debug"\\n}\\n')
    []
    >>> [str(d) for d in alloylite.validate('logging {\\n  colour = "red"\\n}\\n')]
    ['main.alloy:2:3: unrecognized attribute name "colour"']
    """
    from alloylite.runtime.validate import check, check_text

    if stability_level not in FLAG_VALUES:
        raise ValueError(
            f"invalid stability level {stability_level!r}: expected one of {', '.join(FLAG_VALUES)}"
        )
    minimum = Stability.parse(stability_level)
    path = _as_path(source)
    if path is not None:
        return list(check(path, minimum, community=community_components).diagnostics)
    text = source if isinstance(source, bytes) else str(source).encode("utf-8", "surrogateescape")
    return list(check_text(text, filename, minimum, community=community_components).diagnostics)


def _as_path(source: str | bytes | os.PathLike[str]) -> str | None:
    if isinstance(source, bytes):
        return None
    if isinstance(source, os.PathLike):
        return os.fspath(source)
    if "\n" in source or not source:
        return None
    if source.endswith(".alloy") or os.path.exists(source):
        return source
    return None


def evaluate(expression: str) -> Any:
    """The value of one Alloy expression, as `alloylite eval` computes it.

    Values map onto plain Python (see `alloylite.eval.values`): null is None, numbers
    are int or float, arrays lists, objects dicts; secrets are `Secret` objects that
    never print their content. The standard library is in scope (`sys.env` reads this
    process's environment). Raises `DiagnosticError` for a syntax or evaluation error;
    positions are `line:col` within the expression.

    >>> import alloylite
    >>> alloylite.evaluate('string.join(["a", "b"], "-")')
    'a-b'
    >>> alloylite.evaluate("5 / 2")
    2
    >>> try:
    ...     alloylite.evaluate('1 + "a"')
    ... except alloylite.DiagnosticError as err:
    ...     print(err.diagnostics[0])
    1:5: "a" should be number, got string
    """
    from alloylite.eval.errors import EvalError
    from alloylite.eval.evaluator import evaluate as evaluate_expr
    from alloylite.syntax.parser import parse_expression

    parsed = parse_expression(expression)
    if parsed.diagnostics or parsed.expr is None:
        raise DiagnosticError(list(parsed.diagnostics))
    try:
        return evaluate_expr(parsed.expr)
    except EvalError as err:
        raise DiagnosticError([err.diagnostic]) from None
    except RecursionError:
        raise DiagnosticError(
            [Diagnostic(Severity.ERROR, "expression is nested too deeply")]
        ) from None


def format(text: str | bytes, filename: str = "main.alloy") -> str:  # noqa: A001
    """The config text laid out the way `alloy fmt` (and `alloylite fmt`) lays it out.

    The result ends with a newline; formatting it again changes nothing. Comments are
    kept. Raises `DiagnosticError` if the text does not parse.

    >>> import alloylite
    >>> alloylite.format('logging {\\nlevel="debug"\\n  format = "json"\\n}')
    'logging {\\n\\tlevel  = "debug"\\n\\tformat = "json"\\n}\\n'
    """
    from alloylite.syntax.printer import format_file

    return format_file(parse(text, filename)) + "\n"
