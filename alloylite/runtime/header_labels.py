"""The reserved labels that carry forwarded request headers (`__header_x_custom__`).

A forwarded header may be a credential a user chose to name (`Authorization`), so every
place that prints labels (push error texts, live debugging) shows these values hidden.
The naming lives here, below the components and the live-debugging channel that both
need it.
"""

from __future__ import annotations

PREFIX = "__header_"
SUFFIX = "__"
HIDDEN = "<hidden>"


def label_name(header: str) -> str:
    """The reserved label that carries `header` (`X-Custom` -> `__header_x_custom__`)."""
    return PREFIX + header.lower().replace("-", "_") + SUFFIX


def is_header_label(name: str) -> bool:
    return name.startswith(PREFIX) and name.endswith(SUFFIX)


def shown_value(name: str, value: str) -> str:
    """A label's value as logs, errors and the UI may show it."""
    return HIDDEN if is_header_label(name) else value
