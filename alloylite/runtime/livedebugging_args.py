"""The `livedebugging` block's arguments (Alloy's service schema: `enabled`, default false).

Kept apart like logging_args.py, so `validate` decodes the block without importing the
live-debugging machinery.
"""

from __future__ import annotations

from dataclasses import dataclass

from alloylite.runtime.schema import attr


@dataclass
class LiveDebuggingArguments:
    """The `livedebugging` block."""

    enabled: bool = attr(
        default=False,
        doc="Keep and stream what each component sees (UI and `/api/v0/web/debug/<id>`).",
    )
