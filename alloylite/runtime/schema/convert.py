"""Converting an Alloy value to the Python type of the field it is assigned to.

Alloy's conversion rules (alloy-syntax.md §3.6) differ by target type, so `convert` looks
the converter up in a table: first by the type itself (`str`, `int`, `timedelta`, ...),
then by its generic origin (`list[...]`, `dict[...]`, unions), and any other class (a
component's contract such as `Appendable`) takes capsules holding an instance of it.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from alloylite.eval.decode import to_string
from alloylite.eval.values import Bytes, Capsule, Secret, type_name
from alloylite.runtime.schema.durations import parse_duration
from alloylite.runtime.schema.fields import union_members
from alloylite.runtime.schema.naming import capsule_name, capsule_name_of
from alloylite.runtime.schema.text import TextValue

Converter = Callable[[Any, Any, str], Any]
"""(value, target type, path) -> the converted value, or raise `ConvertError`."""


class ConvertError(Exception):
    """A value does not fit its field; `path` is Alloy's `.key` / `[i]` suffix."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def convert(value: Any, tp: Any, path: str = "") -> Any:
    """Convert an Alloy value to the Python type `tp` (alloy-syntax.md §3.6)."""
    converter = converter_for(tp)
    if value is None and converter not in _NULL_AWARE:
        return zero_value(tp)
    return converter(value, tp, path)


def converter_for(tp: Any) -> Converter:
    """The converter for values assigned to a field annotated `tp`."""
    by_type = _BY_TYPE.get(tp)
    if by_type is not None:
        return by_type
    by_origin = _BY_ORIGIN.get(typing.get_origin(tp))
    if by_origin is not None:
        return by_origin
    if isinstance(tp, type) and issubclass(tp, TextValue):
        return _to_text
    if isinstance(tp, type):
        return _to_instance
    raise TypeError(f"no Alloy conversion for fields annotated {tp!r}")


def zero_value(tp: Any) -> Any:
    """Go's zero value for a field type: what `null` assigns."""
    origin = typing.get_origin(tp)
    if origin is list:
        return []
    if origin is dict:
        return {}
    if isinstance(tp, type) and issubclass(tp, TextValue):
        return tp.zero_value()
    return _ZEROS.get(tp)


def _mismatch(path: str, expected: str, value: Any) -> ConvertError:
    return ConvertError(path, f"should be {expected}, got {type_name(value)}")


def _as_is(value: Any, tp: Any, path: str) -> Any:
    return value


def _to_optional(value: Any, tp: Any, path: str) -> Any:
    if value is None:
        return None
    members = union_members(tp)
    if len(members) == 1:
        return convert(value, members[0], path)
    return value


def _to_list(value: Any, tp: Any, path: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise _mismatch(path, "array", value)
    (elem,) = typing.get_args(tp) or (Any,)
    return [convert(v, elem, f"{path}[{i}]") for i, v in enumerate(value)]


def _to_dict(value: Any, tp: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _mismatch(path, "object", value)
    _, elem = typing.get_args(tp) or (str, Any)
    return {k: convert(v, elem, f"{path}.{k}") for k, v in value.items()}


def _to_string(value: Any, tp: Any, path: str) -> str:
    if isinstance(value, str):
        return value
    # Numbers and byte slices (`encoding.from_base64`) become text exactly as the
    # evaluator converts them for a string argument: one helper for both.
    if isinstance(value, Bytes) or (isinstance(value, int | float) and not isinstance(value, bool)):
        return to_string(value)
    raise _mismatch(path, "string", value)


def _to_secret(value: Any, tp: Any, path: str) -> Secret:
    if isinstance(value, Secret):
        return value
    return Secret(_to_string(value, str, path))


def _to_bool(value: Any, tp: Any, path: str) -> bool:
    if isinstance(value, bool):
        return value
    raise _mismatch(path, "bool", value)


def _to_number(value: Any, tp: Any, path: str) -> int | float:
    if isinstance(value, str):
        value = _parse_number(value, path)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _mismatch(path, "number", value)
    number: int | float = tp(value)
    return number


def _parse_number(text: str, path: str) -> int | float:
    try:
        if any(c in text for c in ".eE"):
            return float(text)
        return int(text, 10)
    except ValueError:
        raise _mismatch(path, "number", text) from None


def _to_duration(value: Any, tp: Any, path: str) -> timedelta:
    if isinstance(value, timedelta):
        return value
    text = _to_string(value, str, path)
    try:
        return parse_duration(text)
    except ValueError as err:
        raise ConvertError(path, str(err)) from None


def _to_text(value: Any, tp: type[TextValue], path: str) -> Any:
    return tp.from_alloy(value, path)


def _to_instance(value: Any, tp: type, path: str) -> Any:
    """A field of a class (or runtime-checkable Protocol) takes a capsule holding an
    instance of it (the component gets the instance itself) or such an instance."""
    if isinstance(value, tp):
        return value
    if isinstance(value, Capsule) and isinstance(value.payload, tp):
        return value.payload
    if type_name(value) != "capsule":
        raise ConvertError(path, f"should be capsule, got {type_name(value)}")
    raise ConvertError(
        path, f'expected capsule("{capsule_name(tp)}"), got capsule("{capsule_name_of(value)}")'
    )


_BY_TYPE: dict[Any, Converter] = {
    Any: _as_is,
    object: _as_is,
    str: _to_string,
    Secret: _to_secret,
    bool: _to_bool,
    int: _to_number,
    float: _to_number,
    timedelta: _to_duration,
}
_BY_ORIGIN: dict[Any, Converter] = {
    list: _to_list,
    dict: _to_dict,
    typing.Union: _to_optional,
    types.UnionType: _to_optional,
}
# Converters that decide for themselves what `null` means; for the others it is Go's zero.
_NULL_AWARE = frozenset({_as_is, _to_optional, _to_instance})
_ZEROS: dict[Any, Any] = {str: "", int: 0, float: 0.0, bool: False, timedelta: timedelta(0)}
