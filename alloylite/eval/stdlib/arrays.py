"""`array.*`: raw builtins that check their own arguments, like Alloy's."""

from __future__ import annotations

from typing import Any

from alloylite.eval.errors import PlainFault, TypeFault, ValueFault
from alloylite.eval.operators import values_equal
from alloylite.eval.stdlib.builtin import builtin
from alloylite.eval.values import Function


def concat(*args: Any) -> list[Any]:
    out: list[Any] = []
    for value in args:
        if not isinstance(value, list | tuple):
            raise TypeFault(value, "array")
        out.extend(value)
    return out


def _objects(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list | tuple):
        raise TypeFault(value, "array")
    for item in value:
        if not isinstance(item, dict):
            raise TypeFault(item, "object")
    return list(value)


def combine_maps(*args: Any) -> list[dict[str, Any]]:
    """Merge every left/right pair of objects whose `keys` fields are equal (right wins)."""
    if len(args) not in (3, 4):
        raise PlainFault(f"combine_maps: expected 3 or 4 arguments, got {len(args)}")
    left, right = _objects(args[0]), _objects(args[1])
    keys = args[2]
    if not isinstance(keys, list | tuple):
        raise TypeFault(keys, "array")
    if not keys:
        raise ValueFault(keys, "combine_maps: merge conditions must not be empty")
    for key in keys:
        if not isinstance(key, str):
            raise TypeFault(key, "string")
    passthrough = False
    if len(args) == 4:
        if not isinstance(args[3], bool):
            raise TypeFault(args[3], "bool")
        passthrough = args[3]
    # Alloy decides pair by pair: with passthrough, a left object is repeated
    # once for every right object it does not match.
    out: list[dict[str, Any]] = []
    for lhs in left:
        for rhs in right:
            if all(k in lhs and k in rhs and values_equal(lhs[k], rhs[k]) for k in keys):
                out.append({**lhs, **rhs})
            elif passthrough:
                out.append(lhs)
    return out


def group_by(*args: Any) -> list[dict[str, Any]]:
    """Group objects by the string value of one key (missing -> "" unless dropped).

    Alloy's order is Go map order (random); alloylite keeps first-seen order.
    """
    if len(args) != 3:
        raise PlainFault(f"group_by: expected 3 arguments, got {len(args)}")
    items, key, drop_missing = args
    if not isinstance(items, list | tuple):
        raise TypeFault(items, "array")
    if not isinstance(key, str):
        raise TypeFault(key, "string")
    if not isinstance(drop_missing, bool):
        raise TypeFault(drop_missing, "bool")
    groups: dict[str, list[Any]] = {}
    for item in items:
        if not isinstance(item, dict):
            raise TypeFault(item, "object")
        if key in item:
            group = item[key]
            if not isinstance(group, str):
                raise TypeFault(group, "string")
        elif drop_missing:
            continue
        else:
            group = ""
        groups.setdefault(group, []).append(item)
    return [{key: group, "items": members} for group, members in groups.items()]


FUNCTIONS: dict[str, Function] = {
    "concat": builtin("array.concat", concat),
    "combine_maps": builtin("array.combine_maps", combine_maps),
    "group_by": builtin("array.group_by", group_by),
}
