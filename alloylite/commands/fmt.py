"""`alloylite fmt [-w] [-t] [FILE|-]`: print, rewrite or check the formatting of a file.

Behaves as `alloy fmt` (spec: alloy-syntax.md §6.2): only parsing is
checked; parse diagnostics go to stderr in plain form, one per line.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys

from alloylite.syntax.printer import format_file

_STDIN_NAME = "<stdin>"


class _FmtError(Exception):
    """A failure reported to the user as `Error: <message>`."""


def fmt_command(args: argparse.Namespace) -> int:
    try:
        _run(args.path or "-", write=bool(args.write), test=bool(args.test))
    except _FmtError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `alloylite fmt big.alloy | head`: the reader left; not an error to report.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


def _run(path: str, *, write: bool, test: bool) -> None:
    if write and test:
        raise _FmtError("cannot use -w/--write and -t/--test at the same time")
    if path == "-":
        if write:
            raise _FmtError("cannot use -w with standard input")
        _format(_STDIN_NAME, sys.stdin.buffer.read(), write=False, test=test)
        return
    try:
        is_dir = stat.S_ISDIR(os.stat(path).st_mode)
    except OSError as err:
        raise _FmtError(f"stat {path}: {_reason(err)}") from None
    if is_dir:
        raise _FmtError("cannot format a directory")
    try:
        with open(path, "rb") as source:
            data = source.read()
    except OSError as err:
        raise _FmtError(f"open {path}: {_reason(err)}") from None
    _format(path, data, write=write, test=test)


def _format(filename: str, data: bytes, *, write: bool, test: bool) -> None:
    from alloylite.syntax.parser import parse_file

    result = parse_file(data, filename)
    if result.diagnostics:
        for diagnostic in result.diagnostics:
            print(str(diagnostic), file=sys.stderr)
        raise _FmtError("encountered errors during formatting")
    assert result.file is not None  # no diagnostics means a tree
    formatted = (format_file(result.file) + "\n").encode("utf-8", "surrogateescape")
    if test:
        if formatted != data:
            raise _FmtError(f"file {filename} is not formatted correctly")
        return
    if not write:
        sys.stdout.flush()
        sys.stdout.buffer.write(formatted)
        sys.stdout.buffer.flush()
        return
    if formatted != data:
        try:
            with open(filename, "wb") as target:
                target.write(formatted)
        except OSError as err:
            raise _FmtError(f"open {filename}: {_reason(err)}") from None


def _reason(err: OSError) -> str:
    """Go's wording of an OS error (`no such file or directory`)."""
    return err.strerror.lower() if err.strerror else str(err)
