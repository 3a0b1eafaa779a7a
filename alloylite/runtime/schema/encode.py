"""Arguments and exports as plain JSON-able data, for the API and the UI.

Secrets never leak: a `Secret` is shown as `(secret)` and a URL's password as Go's
`URL.Redacted` shows it.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from typing import Any

from alloylite.eval.values import Function, Secret
from alloylite.runtime.schema.durations import format_duration
from alloylite.runtime.schema.fields import fields_of

# The password of a URL's user info (`scheme://user:password@host`): shown as Go's
# URL.Redacted shows it, since a URL argument (an endpoint `url`) is a plain string.
_URL_PASSWORD = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^/?#\s:@]*:)[^/?#\s]*@")


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
        return _URL_PASSWORD.sub(r"\g<head>xxxxx@", value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Function):
        return f"function {value.name}"
    return "(capsule)"
