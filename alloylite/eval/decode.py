"""Converting Alloy values to the types builtins expect (Alloy's `value.Decode`).

Alloy decodes function arguments like attribute values: a number is accepted
where a string is expected (`string.to_upper(1)` is "1"), `null` becomes the
zero value, and a byte slice turns back into a string. Failures are Faults so
the evaluator can point at the culprit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from alloylite.eval import numbers as num
from alloylite.eval.errors import ArgFault, ElementFault, Fault, FieldFault, TypeFault
from alloylite.eval.values import Bytes, Secret, UInt

T = TypeVar("T")

_DIGITS = re.compile(r"[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def to_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, Bytes):
        return value.to_text()
    if num.is_number(value):
        return num.format_number(value)
    raise TypeFault(value, "string")


def to_secret(value: Any) -> Secret:
    """A string or a secret where a secret is expected (never the reverse)."""
    if isinstance(value, Secret):
        return value
    return Secret(to_string(value))


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    raise TypeFault(value, "bool")


def to_array(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    if value is None:
        return []
    raise TypeFault(value, "array")


def to_object(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if value is None:
        return {}
    raise TypeFault(value, "object")


def to_number(value: Any) -> int | float:
    """A number, or a string that parses as one (Alloy's string -> number conversion)."""
    if num.is_number(value):
        return value  # type: ignore[no-any-return]
    if value is None:
        return 0
    if isinstance(value, str):
        # Alloy: a leading `-` parses as int64, `.`/`e`/`E` as float64, else uint64.
        if value.startswith("-") and _DIGITS.fullmatch(value[1:]):
            n = int(value)
            if n >= num.INT64_MIN:
                return n
        elif any(c in value for c in ".eE"):
            if _FLOAT.fullmatch(value):
                f = float(value)
                if f not in (float("inf"), float("-inf")):
                    return f
        elif _DIGITS.fullmatch(value) and int(value) <= num.UINT64_MAX:
            return UInt(int(value))
    raise TypeFault(value, "number")


def list_of(convert: Callable[[Any], T]) -> Callable[[Any], list[T]]:
    """An array whose elements each convert (errors name the element)."""

    def decode(value: Any) -> list[T]:
        items = to_array(value)
        out = []
        for i, item in enumerate(items):
            try:
                out.append(convert(item))
            except Fault as fault:
                raise ElementFault(value, i, fault) from None
        return out

    return decode


def map_of(convert: Callable[[Any], T]) -> Callable[[Any], dict[str, T]]:
    def decode(value: Any) -> dict[str, T]:
        obj = to_object(value)
        out = {}
        for key, item in obj.items():
            try:
                out[key] = convert(item)
            except Fault as fault:
                raise FieldFault(value, key, fault) from None
        return out

    return decode


def arg(args: Sequence[Any], index: int, convert: Callable[[Any], T]) -> T:
    """Decode argument `index`, blaming the argument when it does not fit."""
    try:
        return convert(args[index])
    except Fault as fault:
        raise ArgFault(args[index], index, fault) from None
