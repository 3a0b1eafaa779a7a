"""`coalesce`, `convert.nonsensitive` and `json_path`."""

from __future__ import annotations

import math
from typing import Any

from alloylite.eval import numbers as num
from alloylite.eval.decode import arg, to_string
from alloylite.eval.errors import CallError, TypeFault
from alloylite.eval.stdlib.builtin import builtin
from alloylite.eval.values import Function, Secret


def _is_empty(value: Any) -> bool:
    """Go's zero values and empty collections, which coalesce skips."""
    if value is None or value is False or value == "":
        return True
    if isinstance(value, float):
        return value == 0 and math.copysign(1.0, value) > 0  # Go's IsZero: -0.0 is not zero
    if num.is_number(value):
        return bool(value == 0)
    if isinstance(value, list | tuple | dict):
        return len(value) == 0
    return False


def coalesce(*args: Any) -> Any:
    for value in args:
        if not _is_empty(value):
            return value
    return args[-1] if args else None


def _to_secret_text(value: Any) -> str:
    if isinstance(value, Secret):
        return value.reveal()
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    raise TypeFault(value, "capsule")


def nonsensitive(*args: Any) -> str:
    return arg(args, 0, _to_secret_text)


def json_path(*args: Any) -> list[Any]:
    # Imported here: the JSONPath engine and its regexes are only needed by configs using it.
    from alloylite.eval.stdlib.jsonpath import PathError, compile_path, run_path
    from alloylite.eval.stdlib.ojson import OJError, oj_parse

    text, path = arg(args, 0, to_string), arg(args, 1, to_string)
    try:
        steps = compile_path(path)  # Alloy parses the path before the document
    except PathError as err:
        raise CallError(str(err)) from None
    try:
        document = oj_parse(text)
    except OJError as err:
        raise CallError(str(err)) from None
    return run_path(steps, document)


COALESCE = builtin("coalesce", coalesce)
JSON_PATH = builtin("json_path", json_path, 2)
CONVERT: dict[str, Function] = {"nonsensitive": builtin("convert.nonsensitive", nonsensitive, 1)}
