"""Values Alloy decodes through a Go type's own conversion (`UnmarshalText`, `ConvertFrom`).

Such a type reports a bad value in its own words (`unknown action random`,
`target::ConvertFrom: conversion from 'int64' is not supported`), and Alloy prints that
message alone, at the literal it came from: the element of an array literal when the
failure is inside one. A field annotated with a `TextValue` subclass (or
`Annotated[str, Subclass]`, for a field its class reads as text) is converted by the
subclass's `from_alloy`; a failure raises `TextError`, which the decoder places with
`value_span`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from alloylite.syntax import ast


class TextError(Exception):
    """A value a Go type refused; `path` (`[i]`, `.key`) addresses the part that failed."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


class TextValue:
    """Base of field types that convert values themselves, as Go's custom decoders do."""

    alloy_name: ClassVar[str] = "string"  # how the docs name the type
    # What `null` assigns: Go's zero value of the type (see `zero_value`).
    zero: ClassVar[Any] = None

    @classmethod
    def zero_value(cls) -> Any:
        """What `null` assigns; a type whose zero is mutable makes a new one each time."""
        return cls.zero

    @classmethod
    def from_alloy(cls, value: Any, path: str) -> Any:
        """The decoded value, or raise `TextError` (or the schema's `ConvertError`)."""
        raise NotImplementedError


def go_type_name(value: Any) -> str | None:
    """Go's `%T` of a literal's decoded value, for the kinds whose spelling is certain."""
    return _GO_NAMES.get(type(value))


_GO_NAMES: dict[type, str] = {bool: "bool", int: "int64", float: "float64", str: "string"}


def value_span(expr: ast.Expr, path: str) -> tuple[ast.Pos, ast.Pos]:
    """The span of the part of a literal `path` addresses (the whole value when the
    path leads out of literal arrays and objects)."""
    node = expr
    for step in _steps(path):
        if isinstance(step, int) and isinstance(node, ast.ArrayExpr):
            if step >= len(node.elements):
                break
            node = node.elements[step]
        elif isinstance(step, str) and isinstance(node, ast.ObjectExpr):
            found = [f.value for f in node.fields if f.name.name == step]
            if not found:
                break
            node = found[-1]
        else:
            break
    return ast.start_pos(node), ast.end_pos(node)


def _steps(path: str) -> list[int | str]:
    steps: list[int | str] = []
    rest = path
    while rest:
        if rest.startswith("["):
            end = rest.find("]")
            if end < 0 or not rest[1:end].isdigit():
                break
            steps.append(int(rest[1:end]))
            rest = rest[end + 1 :]
        elif rest.startswith("."):
            cut = min((i for i in (rest.find(".", 1), rest.find("[")) if i > 0), default=len(rest))
            steps.append(rest[1:cut])
            rest = rest[cut:]
        else:
            break
    return steps
