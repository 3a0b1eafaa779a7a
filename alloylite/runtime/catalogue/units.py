"""alecthomas/units' `ParseBase2Bytes`, the decoder of Alloy's byte-size fields.

`units.Base2Bytes` (loki.write `batch_size`, faro's `max_allowed_payload_size`, otelcol
buffer sizes) decodes through `UnmarshalText`, so Alloy hands it the value as text and
reports the parser's own error at the literal. Its grammar is Go's duration grammar
with byte units: `[-+]?([0-9]*(\\.[0-9]*)?[a-zA-Z]*)+`, or a lone `0`; `KiB` and `KB` both
mean 1024, `kB` is refused. (units@0f3dac3: util.go ParseUnit, bytes.go, si.go MakeUnitMap)
"""

from __future__ import annotations

import math

_SCALES = {"K": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6}


def _unit_map(suffix: str) -> dict[str, float]:
    units = {"B": 1.0}
    units.update({prefix + suffix: float(1024**power) for prefix, power in _SCALES.items()})
    return units


# ParseBase2Bytes tries the IEC spelling, then the old one; the error is the second's.
_IEC = _unit_map("iB")
_OLD = _unit_map("B")
_INT_LIMIT = ((1 << 63) - 10) // 10  # leadingInt's overflow guard


def base2bytes_error(text: str) -> str | None:
    """Go's error for `text` as a `units.Base2Bytes`, or None when it parses."""
    if _parse_unit(text, _IEC) is None:
        return None
    return _parse_unit(text, _OLD)


def _parse_unit(orig: str, units: dict[str, float]) -> str | None:
    """`ParseUnit`'s error, or None: the value itself is not needed to validate. It walks
    `orig` by index (Go slices without copying; copies would make a long literal
    quadratic)."""
    invalid = "units: invalid " + orig
    i = 1 if orig[:1] in ("-", "+") else 0
    if orig[i:] == "0":
        return None
    if i == len(orig):
        return invalid
    total = 0.0
    while i < len(orig):
        if not (orig[i] == "." or "0" <= orig[i] <= "9"):
            return invalid
        whole = _leading_int(orig, i)
        if whole is None:
            return invalid
        value, j = whole
        element, pre, post = float(value), j > i, False
        i = j
        if orig.startswith(".", i):
            fraction = _leading_int(orig, i + 1)
            if fraction is None:
                return invalid
            value, j = fraction
            element += value / _power_of_ten(j - i - 1)
            post, i = j > i + 1, j
        if not pre and not post:
            return invalid  # no digits: `.B`
        end = i
        while end < len(orig) and not (orig[end] == "." or "0" <= orig[end] <= "9"):
            end += 1
        unit, i = orig[i:end], end
        if unit not in units:
            return f"units: unknown unit {unit} in {orig}"
        total += element * units[unit]
    if total > float(1 << 63):  # either sign: Go compares the signed value with int64's range
        return "units: overflow parsing unit"
    return None


def _leading_int(s: str, i: int) -> tuple[int, int] | None:
    """`leadingInt` from index `i`: the leading digits' value and the index after them;
    None when the value would overflow int64."""
    value = 0
    while i < len(s) and "0" <= s[i] <= "9":
        if value >= _INT_LIMIT:
            return None
        value = value * 10 + ord(s[i]) - ord("0")
        i += 1
    return value, i


def _power_of_ten(digits: int) -> float:
    """Go's `scale *= 10` loop: +Inf past float64's range, where Python's `**` raises."""
    return 10.0**digits if digits <= 308 else math.inf
