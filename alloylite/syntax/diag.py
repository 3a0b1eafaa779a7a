"""Diagnostics: errors and warnings with source positions, collected as data.

Parser, decoder and loader all collect `Diagnostic`s and the CLI renders them
once, the way Alloy's `syntax/diag` package does (see `render_pretty`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

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
