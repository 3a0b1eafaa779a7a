"""Alloy's names for the types of fields: `list(string)`, `duration`, `ProfilesReceiver`.

Capsules (values Alloy code passes around but cannot look into, such as a receiver) are
named by their Python class: a class declares its Alloy name with `@capsule_type(...)`,
so the docs, the decoder's messages and (later) reference checks all read the same name.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from alloylite.eval.values import Capsule, Secret
from alloylite.runtime.schema.fields import is_union, union_members
from alloylite.runtime.schema.text import TextValue

_T = TypeVar("_T", bound=type)

# Kept outside the classes: an attribute set on a runtime-checkable Protocol would become
# one of its members, which every implementation would then need to have.
_CAPSULE_NAMES: dict[type, str] = {}

_SIMPLE = {
    str: "string",
    int: "number",
    float: "number",
    bool: "bool",
    timedelta: "duration",
    Secret: "secret",
}


def capsule_type(name: str) -> Callable[[_T], _T]:
    """Class decorator: values of the class travel in Alloy as capsules called `name`."""

    def register(cls: _T) -> _T:
        _CAPSULE_NAMES[cls] = name
        return cls

    return register


def capsule_name(cls: type) -> str:
    """The Alloy name of capsules holding instances of `cls` (its class name by default)."""
    return _CAPSULE_NAMES.get(cls, cls.__name__)


def capsule_name_of(value: object) -> str:
    """The Alloy name of the capsule type of a value, as `capsule("<name>")` shows it."""
    if isinstance(value, Capsule):
        return value.go_type
    return capsule_name(type(value))


def alloy_type(tp: Any) -> str:
    """The Alloy docs' name of a field's type."""
    origin = typing.get_origin(tp)
    if is_union(tp):
        inner = union_members(tp)
        return alloy_type(inner[0]) if len(inner) == 1 else "any"
    if origin is list:
        (elem,) = typing.get_args(tp) or (Any,)
        return f"list({alloy_type(elem)})"
    if origin is dict:
        _, elem = typing.get_args(tp) or (str, Any)
        return f"map({alloy_type(elem)})"
    if tp in _SIMPLE:
        return _SIMPLE[tp]
    if isinstance(tp, type) and issubclass(tp, TextValue):
        return tp.alloy_name
    if isinstance(tp, type) and tp is not object:
        return capsule_name(tp)
    return "any"
