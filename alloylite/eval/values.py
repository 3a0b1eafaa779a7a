"""Alloy values as Python objects.

Alloy's types map onto plain Python values, so the evaluator and the
component decoders stay cheap:

    null     -> None
    bool     -> bool
    number   -> int (int64 kind), UInt (uint64 kind), float (float64 kind)
    string   -> str (bytes that are not UTF-8 are kept with "surrogateescape")
    array    -> list
    object   -> dict[str, Value] (printed with keys sorted bytewise)
    function -> Function
    capsule  -> Capsule (Secret is a capsule that never prints its content)

Numbers keep a hidden kind because Alloy's arithmetic is Go's: `5 / 2 == 2`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class UInt(int):
    """An Alloy number of the uint64 kind (a literal above int64's range)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Function:
    """A callable value: a stdlib builtin or a component export.

    `call` takes already evaluated Alloy values and returns one, raising
    `alloylite.eval.errors.EvalError`-style errors for bad arguments.
    """

    name: str
    call: Callable[..., Any]
    min_args: int = 0
    max_args: int | None = None  # None means variadic


class Capsule:
    """An opaque value that Alloy code can pass around but not inspect."""

    __slots__ = ("go_type", "payload")

    def __init__(self, payload: object, go_type: str) -> None:
        self.payload = payload
        self.go_type = go_type

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Capsule) and other.payload == self.payload

    def __hash__(self) -> int:
        return hash(self.go_type)


class Secret(Capsule):
    """A sensitive string. Never appears in logs, errors, metrics, the API or the UI."""

    __slots__ = ()

    def __init__(self, text: str) -> None:
        super().__init__(text, "alloytypes.Secret")

    def reveal(self) -> str:
        """The secret text, for the one place that must send it (an HTTP header)."""
        return self.payload  # type: ignore[return-value]

    def __repr__(self) -> str:
        return "(secret)"

    __str__ = __repr__


Value = None | bool | int | float | str | list[Any] | dict[str, Any] | Function | Capsule


class Bytes(list):  # type: ignore[type-arg]
    """A Go byte slice (`encoding.from_base64`): an array of uint numbers in expressions,
    which turns back into a string when it is decoded into a string argument."""

    __slots__ = ()

    def to_text(self) -> str:
        return bytes(self).decode("utf-8", "surrogateescape")


def type_name(value: object) -> str:
    """Alloy's name for the type of a value, as printed in error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, Function):
        return "function"
    return "capsule"


def capsule_type(value: object) -> str:
    """The Go type name shown for a capsule (`capsule("<type>")`)."""
    if isinstance(value, Capsule):
        return value.go_type
    return type(value).__name__
