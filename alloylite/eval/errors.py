"""Evaluation errors.

Two layers, as in Alloy's vm: builtins and operators raise `Fault`s that talk
about *values* (Go's `value.Error` family); the evaluator then finds the
expression each value came from and turns the chain into one positioned
`Diagnostic` (`EvalError`), printed `<expr><path> <message>`.
"""

from __future__ import annotations

from alloylite.eval.values import type_name
from alloylite.syntax.diag import Diagnostic, Severity


class EvalError(Exception):
    """An expression failed to evaluate; `.diagnostic` says where and why.

    `positioned` is False for the few errors Alloy returns as plain Go errors
    (an out-of-range float literal): their `text` has no `-: ` prefix.
    """

    def __init__(self, diagnostic: Diagnostic, positioned: bool = True) -> None:
        self.diagnostic = diagnostic
        self.positioned = positioned
        super().__init__(self.text)

    @property
    def text(self) -> str:
        """Alloy's error string: `line:col: msg`, `-: msg`, or the bare message."""
        if not self.positioned:
            return self.diagnostic.message
        return str(self.diagnostic)

    @property
    def message(self) -> str:
        return self.diagnostic.message


def plain_error(message: str) -> EvalError:
    """An error Alloy does not turn into a diagnostic (no position at all)."""
    return EvalError(Diagnostic(Severity.ERROR, message), positioned=False)


class Fault(Exception):
    """A problem with a value, not yet tied to the expression that produced it.

    `side` (0 = left, 1 = right) says which operand of a binary operator is
    meant; the evaluator records the operand's or argument's expression in
    `hint` for values that Python shares but Go does not (see evaluator).
    """

    value: object
    side: int | None = None
    hint: object = None

    def levels(self) -> list[Fault]:
        """This fault and the faults it wraps, outermost first."""
        out: list[Fault] = [self]
        inner = getattr(self, "inner", None)
        while isinstance(inner, Fault):
            out.append(inner)
            inner = getattr(inner, "inner", None)
        return out

    def leaf_message(self) -> str:
        return ""


class ValueFault(Fault):
    """`<value> <message>`: the value itself is the problem (Go `value.Error`)."""

    def __init__(self, value: object, message: str) -> None:
        super().__init__(message)
        self.value = value
        self.message = message

    def leaf_message(self) -> str:
        return self.message


class TypeFault(Fault):
    """`<value> should be <expected>, got <type>` (Go `value.TypeError`)."""

    def __init__(self, value: object, expected: str) -> None:
        self.value = value
        self.expected = expected
        super().__init__(self.leaf_message())

    def leaf_message(self) -> str:
        return f"should be {self.expected}, got {type_name(self.value)}"


class ElementFault(Fault):
    """A problem with element `index` of the array `value`."""

    def __init__(self, value: object, index: int, inner: Fault) -> None:
        super().__init__(str(inner))
        self.value = value
        self.index = index
        self.inner = inner


class FieldFault(Fault):
    """A problem with field `field` of the object `value`."""

    def __init__(self, value: object, field: str, inner: Fault) -> None:
        super().__init__(str(inner))
        self.value = value
        self.field = field
        self.inner = inner


class ArgFault(Fault):
    """Argument `index` of a call could not be decoded (Go `value.ArgError`)."""

    def __init__(self, value: object, index: int, inner: Fault) -> None:
        super().__init__(str(inner))
        self.value = value
        self.index = index
        self.inner = inner


class PlainFault(Exception):
    """A builtin's error that Alloy passes through without any position."""


class CallError(Exception):
    """Raised by a builtin for an error Alloy reports as `<function expr> <message>`.

    Here rather than in the evaluator so builtins can raise it without importing the
    evaluator, which imports the stdlib through its scope.
    """
