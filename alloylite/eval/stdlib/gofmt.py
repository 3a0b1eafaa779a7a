"""Go's `fmt.Sprintf` for `string.format`.

Alloy decodes the arguments into Go values (int, uint64, float64, string,
bool, []interface {} -- a byte slice too --, map[string]interface {}, nil)
and calls Sprintf, so a verb
that does not fit prints Go's `%!d(float64=1.5)` marker instead of failing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from alloylite.eval import numbers as num
from alloylite.eval.gostr import encode
from alloylite.eval.values import Function, Secret, UInt
from alloylite.gocompat import go_quote


def go_type(v: Any) -> str:
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, UInt):  # Alloy decodes a uint that fits into Go's int
        return "int" if v <= num.INT64_MAX else "uint64"
    if isinstance(v, int):
        return "int"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list | tuple):
        return "[]interface {}"
    if isinstance(v, dict):
        return "map[string]interface {}"
    if isinstance(v, Secret):
        return "alloytypes.Secret"
    if isinstance(v, Function):
        return "func"
    return type(v).__name__


@dataclass(slots=True)
class _Spec:
    minus: bool = False
    plus: bool = False
    sharp: bool = False
    space: bool = False
    zero: bool = False
    width: int | None = None
    prec: int | None = None


# Go's fmt refuses widths, precisions and argument indexes past a million
# ("arguments to the * operator must be integers of reasonable size"), which also
# keeps the output of `string.format` bounded.
_TOO_LARGE = 1_000_000


def _parsenum(fmt: str, start: int, end: int) -> tuple[int | None, int]:
    """Go's parsenum: (number or None, next index); an overlong number consumes the rest."""
    n, i = 0, start
    while i < end and fmt[i] in "0123456789":
        if n > _TOO_LARGE:
            return None, end
        n = n * 10 + ord(fmt[i]) - 48
        i += 1
    return (n if i > start else None), i


def _int_arg(args: list[Any], argi: int) -> tuple[int | None, int]:
    """Go's intFromArg: an integer argument of reasonable size, or None."""
    if argi >= len(args):
        return None, argi
    v = args[argi]
    if not isinstance(v, int) or isinstance(v, bool) or abs(v) > _TOO_LARGE:
        return None, argi + 1
    return int(v), argi + 1


class _Printer:
    """The state of one Sprintf: Go's doPrintf with argument indexes (`%[2]d`)."""

    def __init__(self, fmt: str, args: list[Any]) -> None:
        self.fmt, self.args = fmt, args
        self.reordered = False
        self.good = True

    def arg_number(self, argi: int, i: int) -> tuple[int, int, bool]:
        """Go's argNumber: an explicit `[n]` index at i, if there is one."""
        fmt = self.fmt
        if i >= len(fmt) or fmt[i] != "[":
            return argi, i, False
        self.reordered = True
        close = fmt.find("]", i + 1)
        if close < 0:
            self.good = False
            return argi, i + 1, False
        index, after = _parsenum(fmt, i + 1, close)
        if index is None or after != close:
            self.good = False
            return argi, close + 1, False
        if 1 <= index <= len(self.args):
            return index - 1, close + 1, True
        self.good = False
        return argi, close + 1, True


def sprintf(fmt: str, args: list[Any]) -> str:
    out: list[str] = []
    p = _Printer(fmt, args)
    i, n, argi = 0, len(fmt), 0
    while i < n:
        j = fmt.find("%", i)
        if j < 0:
            out.append(fmt[i:])
            break
        out.append(fmt[i:j])
        i = j + 1
        p.good = True
        spec = _Spec()
        while i < n and fmt[i] in "+-# 0":
            c = fmt[i]
            spec.plus |= c == "+"
            spec.minus |= c == "-"
            spec.sharp |= c == "#"
            spec.space |= c == " "
            spec.zero |= c == "0"
            i += 1
        argi, i, after_index = p.arg_number(argi, i)
        if i < n and fmt[i] == "*":
            i += 1
            spec.width, argi = _int_arg(args, argi)
            if spec.width is None:
                out.append("%!(BADWIDTH)")
            elif spec.width < 0:
                spec.minus, spec.zero, spec.width = True, False, -spec.width
            after_index = False
        else:
            spec.width, i = _parsenum(fmt, i, n)
            if after_index and spec.width is not None:  # "%[3]2d"
                p.good = False
        if i + 1 < n and fmt[i] == ".":
            i += 1
            if after_index:  # "%[3].2d"
                p.good = False
            argi, i, after_index = p.arg_number(argi, i)
            if i < n and fmt[i] == "*":
                i += 1
                spec.prec, argi = _int_arg(args, argi)
                if spec.prec is not None and spec.prec < 0:
                    spec.prec = None
                if spec.prec is None:
                    out.append("%!(BADPREC)")
                after_index = False
            else:
                prec, i = _parsenum(fmt, i, n)
                spec.prec = 0 if prec is None else prec
        if not after_index:
            argi, i, after_index = p.arg_number(argi, i)
        if i >= n:
            out.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "%":
            out.append("%")
        elif not p.good:
            out.append(f"%!{verb}(BADINDEX)")
        elif argi >= len(args):
            out.append(f"%!{verb}(MISSING)")
        else:
            out.append(_format_arg(args[argi], verb, spec))
            argi += 1
    if not p.reordered and argi < len(args):
        extra = ", ".join(
            "<nil>" if a is None else f"{go_type(a)}={_format_arg(a, 'v', _Spec())}"
            for a in args[argi:]
        )
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _bad(v: Any, verb: str, spec: _Spec | None = None) -> str:
    """Go's bad-verb marker; the value inside is printed with %v and the same flags."""
    if v is None:
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({go_type(v)}={_format_arg(v, 'v', spec or _Spec())})"


def _pad(text: str, spec: _Spec, numeric: bool = False) -> str:
    if spec.width is None or len(text) >= spec.width:
        return text
    fill = spec.width - len(text)
    if spec.minus:
        return text + " " * fill
    if spec.zero and numeric:
        sign = text[0] if text[:1] in "+- " else ""
        return sign + "0" * fill + text[len(sign) :]
    return " " * fill + text


def _go_syntax(v: Any, nested: bool = False) -> str:
    """`%#v`: the value as Go source."""
    if v is None:
        return "interface {}(nil)" if nested else "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return ("-" if math.copysign(1.0, v) < 0 else "") + _shortest_g(abs(v))
    if isinstance(v, UInt) and v > num.INT64_MAX:
        return f"0x{int(v):x}"
    if isinstance(v, int):
        return str(int(v))
    if isinstance(v, str):
        return go_quote(v)
    if isinstance(v, list | tuple):
        return "[]interface {}{" + ", ".join(_go_syntax(e, True) for e in v) + "}"
    if isinstance(v, dict):
        items = (f"{go_quote(k)}:{_go_syntax(v[k], True)}" for k in sorted(v, key=encode))
        return "map[string]interface {}{" + ", ".join(items) + "}"
    if isinstance(v, Secret):
        return "(secret)"
    return repr(v)


def format_v(v: Any) -> str:
    """Go's `fmt.Sprint`-style `%v` of a value (a target's label value, `string.format`)."""
    return _format_arg(v, "v", _Spec())


def _format_arg(v: Any, verb: str, spec: _Spec) -> str:
    if verb == "v" and spec.sharp:
        return _pad(_go_syntax(v), spec)
    if verb == "T":
        return _pad(go_type(v), spec)
    if v is None:
        return _pad("<nil>", spec) if verb == "v" else _bad(v, verb)
    if isinstance(v, bool):
        if verb in "vt":
            return _pad("true" if v else "false", spec)
        return _bad(v, verb, spec)
    if isinstance(v, float):
        return _format_float(v, verb, spec)
    if isinstance(v, int):
        return _format_int(int(v), verb, spec, v)
    if isinstance(v, str):
        return _format_str(v, verb, spec)
    if isinstance(v, list | tuple):
        return "[" + " ".join(_format_arg(e, verb, spec) for e in v) + "]"
    if isinstance(v, dict):
        items = (
            f"{_format_arg(k, verb, spec)}:{_format_arg(v[k], verb, spec)}"
            for k in sorted(v, key=encode)
        )
        return "map[" + " ".join(items) + "]"
    if isinstance(v, Secret):
        return _pad("(secret)", spec)
    if verb in "vs":
        return _pad(repr(v), spec)
    return _bad(v, verb, spec)


def _sign(n: float | int, spec: _Spec) -> str:
    if n < 0 or (isinstance(n, float) and math.copysign(1, n) < 0):
        return "-"
    return "+" if spec.plus else (" " if spec.space else "")


def _format_int(n: int, verb: str, spec: _Spec, original: Any) -> str:
    if verb == "c":
        return _pad(chr(n) if 0 <= n <= 0x10FFFF else "\ufffd", spec)
    if verb == "q":
        return _pad("'" + go_quote(chr(n) if 0 <= n <= 0x10FFFF else "\ufffd")[1:-1] + "'", spec)
    if verb == "U":
        text = f"U+{n:04X}" if n >= 0 else f"U+{n & num.UINT64_MAX:04X}"
        return _pad(text, spec)
    digits_of = {"d": "d", "v": "d", "b": "b", "o": "o", "O": "o", "x": "x", "X": "X"}
    if verb not in digits_of:
        return _bad(original, verb, spec)
    body = format(abs(n), digits_of[verb])
    if spec.prec is not None:
        body = body.rjust(spec.prec, "0") if not (spec.prec == 0 and n == 0) else ""
    prefix = ""
    if verb == "O":
        prefix = "0o"
    elif spec.sharp:
        prefix = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(verb, "")
        if verb == "o" and body.startswith("0"):
            prefix = ""
    text = _sign(n, spec) + prefix + body
    return _pad(text, spec, numeric=spec.prec is None)


def _shortest_g(f: float) -> str:
    """Go `strconv.FormatFloat(f, 'g', -1, 64)`: an exponent below 1e-4 and from 1e6."""
    digits, dp = num.shortest_digits(f)
    exp = dp - 1
    if exp < -4 or exp >= 6:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    return num.format_float(abs(f))


def _format_float(f: float, verb: str, spec: _Spec) -> str:
    if verb not in "veEfFgGxX":
        return _bad(f, verb, spec)
    if math.isnan(f):
        return _pad(("+" if spec.plus else "") + "NaN", spec)
    if math.isinf(f):
        return _pad(("-" if f < 0 else ("+" if spec.plus else "")) + "Inf", spec)
    a = abs(f)
    if verb in "vgG":
        if spec.prec is None:
            body = _shortest_g(a)
        else:
            body = format(a, f".{max(spec.prec, 1)}g")
        if verb == "G":
            body = body.upper()
    elif verb in "eE":
        body = format(a, f".{6 if spec.prec is None else spec.prec}e")
        if verb == "E":
            body = body.upper()
    elif verb in "fF":
        body = format(a, f".{6 if spec.prec is None else spec.prec}f")
    else:  # %x: Go's hexadecimal float, `0x1.8p+00`
        mant, _, exp = a.hex().partition("p")
        if spec.prec is None:
            mant = mant.rstrip("0").rstrip(".")
        e = int(exp)
        body = f"{mant}p{'-' if e < 0 else '+'}{abs(e):02d}"
        if verb == "X":
            body = body.upper()
    return _pad(_sign(f, spec) + body, spec, numeric=True)


def _format_str(s: str, verb: str, spec: _Spec) -> str:
    if spec.prec is not None and verb in "sv":
        s = s[: spec.prec]
    if verb in "sv":
        return _pad(s, spec)
    if verb == "q":
        if spec.sharp and "`" not in s and s.isprintable():
            return _pad(f"`{s}`", spec)
        text = go_quote(s)
        if spec.plus:
            text = text.encode("ascii", "backslashreplace").decode("ascii")
        return _pad(text, spec)
    if verb in "xX":
        data = encode(s)
        sep = " " if spec.space else ""
        text = sep.join(format(b, "02x" if verb == "x" else "02X") for b in data)
        return _pad(text, spec)
    return _bad(s, verb, spec)
