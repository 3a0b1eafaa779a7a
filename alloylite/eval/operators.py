"""Alloy's unary and binary operators on values (Go semantics, Go error shapes).

Errors are `Fault`s naming the offending operand *value*; the evaluator maps
the value back to its expression. Both operands are always evaluated first:
Alloy has no short-circuit.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from alloylite.eval import numbers as num
from alloylite.eval.errors import Fault, TypeFault, ValueFault
from alloylite.eval.gostr import encode, join_bytes
from alloylite.eval.values import Capsule, Secret, type_name

Num = int | float

_ALLOWED: dict[str, tuple[str, ...]] = {
    "||": ("bool",),
    "&&": ("bool",),
    "+": ("number", "string", "capsule"),
    "-": ("number",),
    "*": ("number",),
    "/": ("number",),
    "%": ("number",),
    "^": ("number",),
    "<": ("number", "string"),
    "<=": ("number", "string"),
    ">": ("number", "string"),
    ">=": ("number", "string"),
}


def binary_op(op: str, left: object, right: object) -> object:
    orig_left, orig_right = left, right
    if isinstance(left, Secret | str) and isinstance(right, Secret | str):
        # A string next to a secret becomes a secret (so `==` and `+` work on both).
        if isinstance(left, Secret) and isinstance(right, str):
            right = Secret(right)
        elif isinstance(left, str) and isinstance(right, Secret):
            left = Secret(left)
    if op == "==":
        return values_equal(left, right)
    if op == "!=":
        return not values_equal(left, right)
    allowed = _ALLOWED[op]
    lt, rt = type_name(left), type_name(right)
    for side, (operand, t) in enumerate(((orig_left, lt), (orig_right, rt))):
        if t not in allowed:
            expected = f"one of [{' '.join(allowed)}] for binop {op}"
            raise _on(TypeFault(operand, expected), side)
    if lt != rt:
        raise _on(TypeFault(right, lt), 1)
    if lt == "bool":
        return (left or right) if op == "||" else (left and right)
    if lt == "string":
        if op == "+":
            return join_bytes(left + right)  # type: ignore[operator]
        return _COMPARE[op](encode(left), encode(right))  # type: ignore[arg-type]
    if lt == "capsule":  # only `+` allows capsules
        if isinstance(left, Secret):
            tail = right.reveal() if isinstance(right, Secret) else ""
            return Secret(join_bytes(left.reveal() + tail))
        raise _on(
            ValueFault(
                orig_left, "could not perform binop + for unknown types lhs capsule rhs capsule"
            ),
            0,
        )
    return _number_op(op, left, right)  # type: ignore[arg-type]


def _on(fault: Fault, side: int) -> Fault:
    fault.side = side
    return fault


_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "<": lambda a, b: a < b,  # type: ignore[operator]
    "<=": lambda a, b: a <= b,  # type: ignore[operator]
    ">": lambda a, b: a > b,  # type: ignore[operator]
    ">=": lambda a, b: a >= b,  # type: ignore[operator]
}


def _number_op(op: str, left: Num, right: Num) -> object:
    kind = num.common_kind(left, right)
    a, b = num.convert(left, kind), num.convert(right, kind)
    if op in _COMPARE:
        return _COMPARE[op](a, b)
    if kind == num.KIND_FLOAT:
        return _float_op(op, float(a), float(b), right)
    a, b = int(a), int(b)
    if op == "+":
        return num.make(a + b, kind)
    if op == "-":
        return num.make(a - b, kind)
    if op == "*":
        return num.make(a * b, kind)
    if op == "^":
        if b == 0:
            return num.make(1, kind)
        if b < 0:  # Alloy multiplies `b - 1` times, so a negative power is the base
            return num.make(a, kind)
        return num.make(pow(a, b, 1 << 64), kind)
    if b == 0:
        raise _on(ValueFault(right, "divide by zero error"), 1)
    quotient = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        quotient = -quotient
    if op == "/":
        return num.make(quotient, kind)
    return num.make(a - b * quotient, kind)  # `%`: the sign of the dividend, like Go


def _float_op(op: str, a: float, b: float, right: Num) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "^":
        return go_pow(a, b)
    if b == 0:
        raise _on(ValueFault(right, "divide by zero error"), 1)
    if op == "/":
        return a / b
    if math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    if math.isinf(b):
        return a
    return math.fmod(a, b)


def go_pow(a: float, b: float) -> float:
    """Go's math.Pow: never raises, returns Inf/NaN where Python would."""
    try:
        return math.pow(a, b)
    except OverflowError:
        if a < 0 and b == int(b) and int(b) % 2 == 1:
            return -math.inf
        return math.inf
    except (ValueError, ZeroDivisionError):
        if a == 0:  # 0 ** negative
            if b == int(b) and int(b) % 2 == 1:
                return math.copysign(math.inf, a)
            return math.inf
        return math.nan


def unary_op(op: str, value: object) -> object:
    if op == "!":
        if not isinstance(value, bool):
            raise TypeFault(value, "bool")
        return not value
    if not num.is_number(value):
        raise TypeFault(value, "number")
    if isinstance(value, float):
        return -value
    assert isinstance(value, int)
    return num.wrap_int(-value)


def values_equal(a: object, b: object) -> bool:
    """Alloy `==`: different types never match, functions never equal anything."""
    ta, tb = type_name(a), type_name(b)
    if ta != tb:
        return False
    if ta == "null":
        return True
    if ta == "number":
        kind = num.common_kind(a, b)  # type: ignore[arg-type]
        return num.convert(a, kind) == num.convert(b, kind)  # type: ignore[arg-type]
    if ta == "array":
        assert isinstance(a, list) and isinstance(b, list)
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))
    if ta == "object":
        assert isinstance(a, dict) and isinstance(b, dict)
        return a.keys() == b.keys() and all(values_equal(v, b[k]) for k, v in a.items())
    if ta == "function":
        return False
    if isinstance(a, Capsule) or isinstance(b, Capsule) or ta == "capsule":
        try:
            return bool(a == b)
        except Exception:
            return a is b
    return a == b
