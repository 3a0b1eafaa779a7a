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
