"""The relabel rule's actions: one copy for the engine that runs them and the catalogue
that checks `action` in components alloylite only validates (spec §3.1)."""

from __future__ import annotations

ACTIONS = frozenset(
    {
        "replace",
        "keep",
        "drop",
        "hashmod",
        "labelmap",
        "labeldrop",
        "labelkeep",
        "lowercase",
        "uppercase",
        "keepequal",
        "dropequal",
    }
)
