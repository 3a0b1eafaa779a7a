"""Alloy's stability levels: the one place their names and order are written.

The `--stability.level` flag, its shell completion, the Python API and every
registration all speak of these levels; they read them from here, so a level added
or renamed changes everywhere at once. A base module: it imports nothing from
alloylite, so the CLI can use it without loading any layer.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["DEFAULT_LEVEL", "FLAG_VALUES", "Stability"]


class Stability(IntEnum):
    """Alloy's stability levels, lowest first: a level permits itself and all above it."""

    EXPERIMENTAL = 0
    PUBLIC_PREVIEW = 1
    GENERALLY_AVAILABLE = 2

    @property
    def flag_value(self) -> str:
        """The level as `--stability.level` spells it (`public-preview`)."""
        return self.name.lower().replace("_", "-")

    @classmethod
    def parse(cls, text: str) -> Stability:
        """The level a flag value names; KeyError for an unknown one."""
        return cls[text.upper().replace("-", "_")]


# Every flag value, lowest level first: what the flag accepts and completes to.
FLAG_VALUES: tuple[str, ...] = tuple(level.flag_value for level in Stability)
# The flag's default, as Alloy's: only generally-available features.
DEFAULT_LEVEL: str = Stability.GENERALLY_AVAILABLE.flag_value
