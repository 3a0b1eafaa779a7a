"""The `logging` block's arguments, apart from the logger itself.

`validate` decodes a `logging` block but never logs: keeping the schema here means it does
not import Python's `logging` machinery (alloylite.runtime.logging re-exports the class).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alloylite.runtime.schema import attr

LEVEL_NAMES = ("debug", "info", "warn", "error")
FORMATS = ("logfmt", "json")


@dataclass
class LoggingArguments:
    """The `logging` block (write_to is accepted for compatibility and ignored)."""

    level: str = attr(default="info")
    format: str = attr(default="logfmt")
    write_to: list[Any] = attr(default_factory=list)

    def validate(self) -> None:
        if self.level not in LEVEL_NAMES:
            raise ValueError(f'unrecognized log level "{self.level}"')
        if self.format not in FORMATS:
            raise ValueError(f'unrecognized log format "{self.format}"')
