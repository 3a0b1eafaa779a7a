"""The argument schema of `pyroscope.enrich`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alloylite.runtime.schema import attr


@dataclass
class Arguments:
    targets: list[dict[str, str]] = attr(required=True)
    target_match_label: str = attr(required=True)
    # Empty means "use target_match_label" (Alloy resolves it at match time, as here).
    profiles_match_label: str = attr(default="")
    # Empty means "copy every label of the matched target".
    labels_to_copy: list[str] = attr(default_factory=list)
    forward_to: list[Any] = attr(required=True)
