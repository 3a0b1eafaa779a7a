"""Go number semantics for Alloy values.

Alloy numbers keep Go's three kinds (int64, uint64, float64) and Go's
arithmetic: integers wrap on overflow, division truncates toward zero, mixed
kinds widen uint -> int -> float. Python ints are unbounded, so every integer
result is wrapped back into its kind here.
"""

from __future__ import annotations

import math

from alloylite.eval.values import UInt

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
UINT64_MAX = (1 << 64) - 1

KIND_INT = "int"
KIND_UINT = "uint"
KIND_FLOAT = "float"


class NumberParseError(Exception):
    """A literal Go's strconv rejects (only `value out of range` is possible after the scanner)."""


def wrap_int(n: int) -> int:
    """Wrap an integer into int64 range, as Go's two's complement does."""
    n &= UINT64_MAX
    return n - (1 << 64) if n > INT64_MAX else n


def wrap_uint(n: int) -> UInt:
    return UInt(n & UINT64_MAX)


def kind_of(v: int | float) -> str:
    if isinstance(v, float):
        return KIND_FLOAT
    if isinstance(v, UInt):
        return KIND_UINT
    return KIND_INT


def is_number(v: object) -> bool:
    return (isinstance(v, int | float)) and not isinstance(v, bool)


def common_kind(a: int | float, b: int | float) -> str:
    """The kind both operands are converted to: float wins, then int, then uint."""
    ka, kb = kind_of(a), kind_of(b)
    if KIND_FLOAT in (ka, kb):
        return KIND_FLOAT
    if KIND_INT in (ka, kb):
        return KIND_INT
    return KIND_UINT


def to_int(v: int | float) -> int:
    """Go's int64(v): floats truncate (NaN/Inf give amd64's MinInt64), uints wrap."""
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return INT64_MIN
        t = int(v)
        return t if INT64_MIN <= t <= INT64_MAX else INT64_MIN
    return wrap_int(v)


def to_uint(v: int | float) -> UInt:
    if isinstance(v, float):
        if not math.isnan(v) and 0 <= v <= UINT64_MAX:
            return UInt(int(v))
        return wrap_uint(to_int(v))
    return wrap_uint(v)


def to_float(v: int | float) -> float:
    return float(v)


def convert(v: int | float, kind: str) -> int | float:
    if kind == KIND_FLOAT:
        return float(v)
    if kind == KIND_INT:
        return to_int(v)
    return to_uint(v)


def make(n: int, kind: str) -> int:
    """Wrap an exact integer result into `kind`."""
    return wrap_uint(n) if kind == KIND_UINT else wrap_int(n)


# ----------------------------------------------------------------- literals


def parse_int_literal(raw: str) -> int | float:
    """A NUMBER token: Go ParseInt(base 0), then ParseUint, then ParseFloat."""
    value: int | None
    if len(raw) > 1 and raw[0] == "0":
        value = int(raw, 8) if all(c in "01234567" for c in raw) else None
    elif len(raw) <= 20:  # longer than UINT64_MAX's 20 digits: a float (and int()
        value = int(raw)  # refuses more than 4300 digits with a traceback)
    else:
        value = None
    if value is not None:
        if value <= INT64_MAX:
            return value
        if value <= UINT64_MAX:
            return UInt(value)
    return parse_float_literal(raw)


def parse_float_literal(raw: str) -> float:
    """A FLOAT token (or a NUMBER too big for uint64): Go ParseFloat."""
    f = float(raw)
    if math.isinf(f):
        raise NumberParseError(f'strconv.ParseFloat: parsing "{raw}": value out of range')
    return f


# ---------------------------------------------------------------- formatting


def format_float(f: float) -> str:
    """Go `strconv.FormatFloat(f, 'f', -1, 64)`: shortest round-trip digits, never an exponent."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    text = repr(f)
    if "e" in text:  # only repr's exponent form needs Decimal (imported when it does)
        from decimal import Decimal

        text = format(Decimal(text), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_number(v: int | float) -> str:
    if isinstance(v, float):
        return format_float(v)
    return str(int(v))


def shortest_digits(f: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits of |f| and the decimal point position.

    `0.00123` -> ("123", -2): the value is 0.d1d2d3... * 10**dp.
    """
    from decimal import Decimal

    _, digits, exp = Decimal(repr(abs(f))).as_tuple()
    text = "".join(map(str, digits))
    significant = text.lstrip("0")
    if not significant:
        return "0", 1
    dp = len(significant) + int(exp)
    return significant.rstrip("0"), dp
