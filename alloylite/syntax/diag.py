"""Diagnostics: errors and warnings with source positions, collected as data.

Parser, decoder and loader all collect `Diagnostic`s and the CLI renders them
once, the way Alloy's `syntax/diag` package does (see `render_pretty`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from alloylite.syntax.ast import Pos


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One message about a source range.

    `start` is None for a diagnostic with no position (printed as `-`); `end`
    is None when Alloy reports only a start (most scanner and parser errors).
    `filename` is None for expressions parsed without a file (printed `line:col`).
    """

    severity: Severity
    message: str
    start: Pos | None = None
    end: Pos | None = None
    filename: str | None = None
    value: str | None = None

    def position_text(self) -> str:
        if self.start is None:
            return "-"
        where = f"{self.start.line}:{self.start.col}"
        return f"{self.filename}:{where}" if self.filename else where

    def __str__(self) -> str:
        return f"{self.position_text()}: {self.message}"


class DiagnosticError(Exception):
    """Raised where collecting is impossible; carries the diagnostics to render."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        first = str(diagnostics[0]) if diagnostics else "unknown error"
        more = len(diagnostics) - 1
        super().__init__(first + (f" (and {more} more diagnostics)" if more else ""))


# --------------------------------------------------------------------------- rendering
# Alloy's pretty printer (syntax/diag/printer.go), reproduced from its observable output:
# a header, a blank line, the source lines around the range with a line-number gutter, and
# a focus line of carets (or a "_/|" frame for ranges over several lines).

_ESC_ERROR = "\x1b[31;1m"
_ESC_WARNING = "\x1b[33;1m"
_ESC_BOLD = "\x1b[1m"
_ESC_RESET = "\x1b[0m"
_WIDE = ("\t", "\v")  # each prints as four columns


class _Stream(Protocol):
    def isatty(self) -> bool: ...


def use_color(stream: _Stream) -> bool:
    """Whether diagnostics written to `stream` should be coloured.

    The order of Python's own rule (3.13): NO_COLOR (any non-empty value) wins, then
    FORCE_COLOR (any non-empty value) forces colour, then TERM=dumb disables it, and
    otherwise colour follows whether `stream` is a terminal. Alloy (fatih/color) asks
    the same questions but about stdout even when it writes to stderr, so
    `alloy validate cfg 2>log` fills the log with escape codes; alloylite asks about
    the stream it writes to.
    """
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # closed or not a real file
        return False


def render_plain(diag: Diagnostic) -> str:
    """`file:line:col: message` (Alloy's `Error()` of one diagnostic)."""
    return str(diag)


def render_pretty(
    diags: list[Diagnostic], sources: Mapping[str, bytes], color: bool = False
) -> str:
    """Every diagnostic with its source context, separated by one blank line.

    `sources` maps file names to file contents; a diagnostic without a file name looks up
    the key "" (expressions). Without a known source only the header is printed.
    `color` adds Alloy's terminal styling to each header: `Error:` bold red,
    `Warning:` bold yellow, the position and message bold (see `use_color`).
    """
    return "\n".join(_render_one(d, sources, color) for d in diags)


def _render_one(diag: Diagnostic, sources: Mapping[str, bytes], color: bool) -> str:
    label = "Error" if diag.severity is Severity.ERROR else "Warning"
    if color:
        # Byte for byte what fatih/color writes for Alloy's header: the space after the
        # label is inside the coloured run, and the bold run ends after the newline.
        esc = _ESC_ERROR if diag.severity is Severity.ERROR else _ESC_WARNING
        header = (
            f"{esc}{label}: {_ESC_RESET}{_ESC_BOLD}{diag.position_text()}: "
            f"{diag.message}\n{_ESC_RESET}"
        )
    else:
        header = f"{label}: {diag.position_text()}: {diag.message}\n"
    source = sources.get(diag.filename or "")
    if diag.start is None or source is None:
        return header
    return header + "\n" + _snippet(source, diag.start, diag.end or diag.start)


def _cells(line: bytes) -> list[tuple[int, str]]:
    """(1-based byte column, character) for each character of a line, Go-decoded."""
    out = []
    col = 1
    for ch in line.decode("utf-8", "surrogateescape"):
        out.append((col, ch))
        code = ord(ch)
        col += 1 if code < 0x80 or 0xDC80 <= code <= 0xDCFF else len(ch.encode("utf-8"))
    return out


def _display(line: bytes) -> str:
    text = line.decode("utf-8", "surrogateescape").replace("\r", "")
    text = text.replace("\t", "    ").replace("\v", "    ")
    return "".join("\ufffd" if 0xDC80 <= ord(ch) <= 0xDCFF else ch for ch in text)


def _snippet(source: bytes, start: Pos, end: Pos) -> str:
    lines = source.split(b"\n")
    first = max(start.line - 1, 1)
    last = min(max(end.line, start.line) + 1, len(lines))
    width = len(str(last))
    blank = " " * width + " | "
    multi = end.line > start.line
    out: list[str] = []
    for number in range(first, last + 1):
        line = lines[number - 1]
        margin = ""
        if multi:
            margin = "| " if start.line < number <= end.line else "  "
        out.append(f"{number:>{width}} | {margin}{_display(line)}")
        if not multi and number == start.line:
            out.append(blank + _single_focus(line, start.col, end.col))
        elif multi and number == start.line:
            out.append(blank + " _" + _start_focus(line, start.col))
        elif multi and number == end.line:
            out.append(blank + "|_" + _end_focus(line, end.col))
    return "\n".join(out) + "\n"


def _single_focus(line: bytes, start: int, end: int) -> str:
    parts = []
    for col, ch in _cells(line):
        if col > end:
            break
        if ch in _WIDE:
            parts.append("    ")
        else:
            parts.append(" " if col < start else "^")
    return "".join(parts)


def _start_focus(line: bytes, start: int) -> str:
    parts = []
    for col, ch in _cells(line):
        mark = "_" if col < start else "^"
        parts.append(mark * 4 if ch in _WIDE else mark)
    return "".join(parts)


def _end_focus(line: bytes, end: int) -> str:
    parts = []
    for col, ch in _cells(line):
        if col > end:
            break
        parts.append("____" if ch in _WIDE else "^")
    return "".join(parts)
