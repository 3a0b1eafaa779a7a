"""Arguments and exports as plain JSON-able data, for the API and the UI.

Secrets never leak: a `Secret` is shown as `(secret)` and a URL's password as Go's
`URL.Redacted` shows it.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from alloylite.eval.values import Function, Secret
from alloylite.runtime.schema.durations import format_duration
from alloylite.runtime.schema.fields import fields_of
from alloylite.runtime.url_password import redact_url_passwords


def encode(value: Any) -> Any:
    """Arguments/exports as plain JSON-able data for the API; secrets never leak."""
    if isinstance(value, Secret):
        return "(secret)"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        specs = fields_of(type(value))
        return {spec.alloy_name: encode(getattr(value, spec.py_name)) for spec in specs.values()}
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, str):
        # A URL argument (an endpoint `url`) is a plain string: its password is hidden.
        return redact_url_passwords(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Function):
        return f"function {value.name}"
    return "(capsule)"
