"""JSON decoding and encoding with Go `encoding/json` behaviour and error texts.

`encoding.from_json` shows Go's messages (`unexpected end of JSON input`,
`invalid character 'b' looking for beginning of value`), so the input is
first checked by a scanner that mirrors Go's, then decoded.
"""

from __future__ import annotations

import json
import math
from typing import Any

from alloylite.eval import numbers as num
from alloylite.eval.gostr import decode
from alloylite.eval.values import Bytes, Capsule, Function, Secret
from alloylite.gocompat import go_quote


class JSONError(Exception):
    """A decoding error; `offset` is the byte where the checker stopped (-1 if none)."""

    def __init__(self, message: str, offset: int = -1, eof: bool = False) -> None:
        super().__init__(message)
        self.offset = offset
        self.eof = eof


def _char(c: int) -> str:
    if c == 0x27:
        return "'\\''"
    if c == 0x22:
        return "'\"'"
    return "'" + go_quote(chr(c))[1:-1] + "'"


class _Checker:
    """Go's `checkValid`: the first syntax error, with Go's wording."""

    def __init__(self, data: bytes) -> None:
        self.d = data
        self.i = 0

    def fail(self, context: str) -> JSONError:
        if self.i >= len(self.d):
            return JSONError("unexpected end of JSON input", self.i, eof=True)
        return JSONError(f"invalid character {_char(self.d[self.i])} {context}", self.i)

    def ws(self) -> None:
        d, i = self.d, self.i
        while i < len(d) and d[i] in b" \t\r\n":
            i += 1
        self.i = i

    def peek(self) -> int:
        return self.d[self.i] if self.i < len(self.d) else -1

    def check(self) -> None:
        self.value()
        self.ws()
        if self.i < len(self.d):
            raise self.fail("after top-level value")

    def value(self) -> None:
        self.ws()
        c = self.peek()
        if c == 0x7B:
            self.obj()
        elif c == 0x5B:
            self.arr()
        elif c == 0x22:
            self.string()
        elif c == 0x2D or 0x30 <= c <= 0x39:
            self.number()
        elif c in (0x74, 0x66, 0x6E):
            word = {0x74: b"true", 0x66: b"false", 0x6E: b"null"}[c]
            for k in range(1, len(word)):
                self.i += 1
                if self.peek() != word[k]:
                    raise self.fail(f"in literal {word.decode()} (expecting {_char(word[k])})")
            self.i += 1
        else:
            raise self.fail("looking for beginning of value")

    def obj(self) -> None:
        self.i += 1
        self.ws()
        if self.peek() == 0x7D:
            self.i += 1
            return
        while True:
            if self.peek() != 0x22:
                raise self.fail("looking for beginning of object key string")
            self.string()
            self.ws()
            if self.peek() != 0x3A:
                raise self.fail("after object key")
            self.i += 1
            self.value()
            self.ws()
            c = self.peek()
            if c == 0x2C:
                self.i += 1
                self.ws()
                continue
            if c == 0x7D:
                self.i += 1
                return
            raise self.fail("after object key:value pair")

    def arr(self) -> None:
        self.i += 1
        self.ws()
        if self.peek() == 0x5D:
            self.i += 1
            return
        while True:
            self.value()
            self.ws()
            c = self.peek()
            if c == 0x2C:
                self.i += 1
                continue
            if c == 0x5D:
                self.i += 1
                return
            raise self.fail("after array element")

    def string(self) -> None:
        self.i += 1
        while True:
            c = self.peek()
            if c < 0:
                raise self.fail("")
            if c == 0x22:
                self.i += 1
                return
            if c == 0x5C:
                self.i += 1
                e = self.peek()
                if e < 0:
                    raise self.fail("")
                if e == 0x75:
                    for _ in range(4):
                        self.i += 1
                        h = self.peek()
                        if h < 0:
                            raise self.fail("")
                        if chr(h) not in "0123456789abcdefABCDEF":
                            raise self.fail("in \\u hexadecimal character escape")
                elif e not in b'"\\/bfnrt':
                    raise self.fail("in string escape code")
            elif c < 0x20:
                raise self.fail("in string literal")
            self.i += 1

    def digits(self) -> int:
        start = self.i
        while 0x30 <= self.peek() <= 0x39:
            self.i += 1
        return self.i - start

    def number(self) -> None:
        if self.peek() == 0x2D:
            self.i += 1
            if not 0x30 <= self.peek() <= 0x39:
                raise self.fail("in numeric literal")
        if self.peek() == 0x30:
            self.i += 1
        else:
            self.digits()
        if self.peek() == 0x2E:
            self.i += 1
            if not self.digits():
                raise self.fail("after decimal point in numeric literal")
        if self.peek() in (0x65, 0x45):
            self.i += 1
            if self.peek() in (0x2B, 0x2D):
                self.i += 1
            if not self.digits():
                raise self.fail("in exponent of numeric literal")


def go_json_decode(text: str | bytes, ints: bool = False) -> Any:
    """Decode like Go's json.Unmarshal into `any` (numbers are float64 unless `ints`)."""
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogateescape")
    _Checker(data).check()

    def parse_float(t: str) -> float:
        f = float(t)
        if math.isinf(f):
            raise JSONError(f"json: cannot unmarshal number {t} into Go value of type float64")
        return f

    def parse_int(t: str) -> int | float:
        if ints:
            n = int(t)
            if num.INT64_MIN <= n <= num.INT64_MAX:
                return n
        return parse_float(t)

    return json.loads(decode(data), parse_float=parse_float, parse_int=parse_int)


# ------------------------------------------------------------------ encoding

_HTML = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _json_string(s: str) -> str:
    out = ['"']
    for ch in s:
        cp = ord(ch)
        if ch in _HTML:
            out.append(_HTML[ch])
        elif ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif cp < 0x20:
            out.append({0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"}.get(cp, f"\\u{cp:04x}"))
        elif 0xD800 <= cp <= 0xDFFF:
            out.append("\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _json_float(f: float) -> str:
    if math.isnan(f) or math.isinf(f):
        raise JSONError(f"json: unsupported value: {num.format_float(f)}")
    a = abs(f)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        digits, dp = num.shortest_digits(f)
        exp = dp - 1
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        # Go writes `1e-7` (not `1e-07`) but keeps `1e+21`.
        exp_text = f"-{abs(exp)}" if exp < 0 else f"+{exp:02d}"
        return f"{'-' if f < 0 else ''}{mant}e{exp_text}"
    return num.format_float(f)


def go_json_encode(value: Any) -> str:
    """Go json.Marshal of a decoded Alloy value: sorted keys, HTML-safe escapes."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return _json_float(value)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, Bytes):
        import base64

        return '"' + base64.b64encode(bytes(value)).decode() + '"'
    if isinstance(value, list | tuple):
        return "[" + ",".join(go_json_encode(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-8", "surrogateescape"))
        return "{" + ",".join(f"{_json_string(k)}:{go_json_encode(value[k])}" for k in keys) + "}"
    if isinstance(value, Secret):
        return '"(secret)"'
    if isinstance(value, Function):
        raise JSONError("json: unsupported type: func")
    if isinstance(value, Capsule):
        raise JSONError(f"json: unsupported type: {value.go_type}")
    raise JSONError(f"json: unsupported type: {type(value).__name__}")
