"""The catalogue's Go types that decode values themselves, with their words for bad ones.

The catalogue records a field's Go type name (`Action`, `discovery.Target`) but not
what the type's `UnmarshalText` / `ConvertFrom` accepts, and the same short name means
different types in different packages. So the allowed values live here, one entry per
Go type, and `USES` says which component fields have that type; `compile` writes the
entry's key into the compact schema as `text(<key>)`.
"""

from __future__ import annotations

from typing import Any

from alloylite.eval.values import type_name
from alloylite.relabel_actions import ACTIONS
from alloylite.runtime.schema import ConvertError
from alloylite.runtime.schema.text import TextError, TextValue, go_type_name


class Target(TextValue):
    """`discovery.Target`: an object of labels; anything else is refused by `ConvertFrom`."""

    alloy_name = "map(any)"

    @classmethod
    def from_alloy(cls, value: Any, path: str) -> Any:
        if isinstance(value, dict):
            return value
        go = go_type_name(value)
        if go is None:
            raise ConvertError(path, f"should be object, got {type_name(value)}")
        raise TextError(path, f"target::ConvertFrom: conversion from '{go}' is not supported")


class _Enum(TextValue):
    """A Go string type whose `UnmarshalText` accepts a fixed set of values."""

    values: frozenset[str] = frozenset()
    fold_case = False
    message = ""  # formatted with the (folded) text as {text}

    @classmethod
    def from_alloy(cls, value: Any, path: str) -> Any:
        if type(value) is not str:
            raise ConvertError(path, f"should be string, got {type_name(value)}")
        text = value.lower() if cls.fold_case else value
        if text not in cls.values:
            raise TextError(path, cls.message.format(text=text))
        return text


class HeadersAction(_Enum):
    """`otelcol.auth.headers`' `Action` (headers.go `UnmarshalText`)."""

    values = frozenset({"insert", "update", "upsert", "delete"})
    fold_case = True
    message = "unknown action {text}"


class RelabelAction(_Enum):
    """The relabel rule's `Action` (Alloy's copy of Prometheus' relabel config)."""

    values = ACTIONS
    message = 'unrecognized action type "{text}"'


TYPES: dict[str, type[TextValue]] = {
    "discovery.Target": Target,
    "headers.Action": HeadersAction,
    "relabel.Action": RelabelAction,
}
# (component, block path, field) -> key of TYPES, for Go type names that are ambiguous
# (`Action` is also the relabel rule's type); unambiguous ones are mapped in `types`.
USES: dict[tuple[str, str, str], str] = {
    ("otelcol.auth.headers", "header", "action"): "headers.Action",
    **{
        (component, path, "action"): "relabel.Action"
        for component, path in (
            ("discovery.relabel", "rule"),
            ("loki.relabel", "rule"),
            ("prometheus.operator.podmonitors", "rule"),
            ("prometheus.operator.probes", "rule"),
            ("prometheus.operator.scrapeconfigs", "rule"),
            ("prometheus.operator.servicemonitors", "rule"),
            ("prometheus.relabel", "rule"),
            ("prometheus.remote_write", "endpoint > write_relabel_config"),
            ("pyroscope.relabel", "rule"),
        )
    },
}


def text_type(key: str) -> type[TextValue]:
    """The class of `text(<key>)` in a compact schema."""
    return TYPES[key]
