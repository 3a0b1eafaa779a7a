"""The `alloylite` command line: run | validate | fmt | eval.

Each subcommand imports only what it needs: `validate`, `fmt` and `eval`
must start fast in CI, so nothing here imports starlette, uvicorn or httpx.
Exit codes: 0 success, 1 failure (invalid config, failed run), 2 usage error.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from alloylite.commands.parser import build_parser
from alloylite.stability import FLAG_VALUES

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    if getattr(args, "stability_level", None) not in (None, *FLAG_VALUES):
        level = args.stability_level
        print(
            f'Error: invalid argument "{level}" for "--stability.level" flag: '
            f'invalid stability level "{level}"',
            file=sys.stderr,
        )
        return 2
    try:
        if args.command in ("fmt", "format"):
            from alloylite.commands.fmt import fmt_command

            return fmt_command(args)
        if args.command == "eval":
            from alloylite.commands.eval import eval_command

            return eval_command(args)
        if args.command == "completion":
            from alloylite.commands.completion import completion_command

            return completion_command(args)
        if args.command == "validate":
            from alloylite.commands.validate import validate_command

            return validate_command(args)
        from alloylite.commands.run import run_command

        return run_command(args)
    except KeyboardInterrupt:
        return 130
