"""The JSON reader behind `json_path` (ohler55/ojg's `oj` parser), not Go's.

It is more lenient than encoding/json (a trailing comma and `//` comments
pass, empty input is null) and words its errors differently:
`incomplete JSON at 1:2`, `expected a comma or close, not 'x' at 1:4`.
Integers stay integers.
"""

from __future__ import annotations

import json
from typing import Any

from alloylite.eval import numbers as num
from alloylite.eval.gostr import decode


class OJError(Exception):
    pass


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.d = data
        self.i = 0
        self.line = 1
        self.nl = -1  # offset of the last newline

    def fail(self, message: str) -> OJError:
        return OJError(f"{message} at {self.line}:{self.i - self.nl}")

    def eof(self) -> OJError:
        self.i = len(self.d)
        return self.fail("incomplete JSON")

    def peek(self) -> int:
        return self.d[self.i] if self.i < len(self.d) else -1

    def significant(self) -> int:
        """The next byte that is not white space; running out of input here is an error."""
        self.ws()
        c = self.peek()
        if c < 0:
            raise self.eof()
        return c

    def ws(self) -> None:
        d = self.d
        while self.i < len(d):
            c = d[self.i]
            if c == 0x0A:
                self.line += 1
                self.nl = self.i
            elif c == 0x2F:  # `//` comment to the end of the line
                if self.i + 1 >= len(d):
                    raise self.eof()
                if d[self.i + 1] != 0x2F:
                    self.i += 1
                    raise self.fail(f"unexpected character '{chr(d[self.i])}'")
                end = d.find(b"\n", self.i)
                self.i = len(d) if end < 0 else end
                continue
            elif c not in (0x20, 0x09, 0x0D):
                return
            self.i += 1

    def document(self) -> Any:
        self.ws()
        if self.i >= len(self.d):
            return None
        value = self.value(top=True)
        self.ws()
        if self.i < len(self.d):
            raise self.fail(f"extra characters after close, '{chr(self.d[self.i])}'")
        return value

    def value(self, top: bool = False) -> Any:
        c = self.significant()
        ch = chr(c)
        if ch in "ntf":
            word = {"n": "null", "t": "true", "f": "false"}[ch]
            for k, expected in enumerate(word.encode()):
                if self.i + k >= len(self.d):
                    raise self.eof()
                if self.d[self.i + k] != expected:
                    self.i += k
                    raise self.fail(f"expected {word}")
            self.i += len(word)
            return {"null": None, "true": True, "false": False}[word]
        if ch == "-" or ch.isdigit():
            return self.number()
        if ch == '"':
            return self.string()
        if ch == "[":
            return self.array()
        if ch == "{":
            return self.object()
        if ch in "]}" and top:
            raise self.fail("too many closes")
        raise self.fail(f"unexpected character '{ch}'")

    def number(self) -> Any:
        d, start = self.d, self.i
        if self.peek() == 0x2D:
            self.i += 1
        if not 0x30 <= self.peek() <= 0x39:
            if self.peek() < 0:
                raise self.eof()
            raise self.fail("invalid number")
        if self.peek() == 0x30:
            self.i += 1
        else:
            while 0x30 <= self.peek() <= 0x39:
                self.i += 1
        is_float = False
        if self.peek() == 0x2E:
            is_float = True
            self.i += 1
            if not 0x30 <= self.peek() <= 0x39:
                raise self.eof() if self.peek() < 0 else self.fail("invalid number")
            while 0x30 <= self.peek() <= 0x39:
                self.i += 1
        if self.peek() in (0x65, 0x45):
            is_float = True
            self.i += 1
            if self.peek() in (0x2B, 0x2D):
                self.i += 1
            if not 0x30 <= self.peek() <= 0x39:
                raise self.eof() if self.peek() < 0 else self.fail("invalid number")
            while 0x30 <= self.peek() <= 0x39:
                self.i += 1
        c = self.peek()
        if c >= 0 and chr(c) not in " \t\r\n,]}/":
            raise self.fail("invalid number")
        text = d[start : self.i].decode()
        if is_float:
            return float(text)
        n = int(text)
        return n if num.INT64_MIN <= n <= num.INT64_MAX else text

    def string(self) -> str:
        d = self.d
        start = self.i
        self.i += 1
        while True:
            c = self.peek()
            if c < 0:
                raise self.eof()
            if c < 0x20:
                raise self.fail(f"invalid JSON character 0x{c:02x}")
            if c == 0x22:
                self.i += 1
                break
            if c == 0x5C:
                self.i += 1
                e = self.peek()
                if e < 0:
                    raise self.eof()
                if e == 0x75:
                    for _ in range(4):
                        self.i += 1
                        h = self.peek()
                        if h < 0:
                            raise self.eof()
                        if chr(h) not in "0123456789abcdefABCDEF":
                            raise self.fail(f"invalid JSON unicode character '{chr(h)}'")
                elif chr(e) not in '"\\/bfnrt':
                    raise self.fail(f"invalid JSON escape character '\\{chr(e)}'")
            self.i += 1
        return json.loads(decode(d[start : self.i]))  # type: ignore[no-any-return]

    def array(self) -> list[Any]:
        self.i += 1
        out: list[Any] = []
        while True:
            c = self.significant()
            if c == 0x5D:  # `[]` and a trailing comma are both fine
                self.i += 1
                return out
            if c == 0x7D:
                raise self.fail("unexpected object close")
            out.append(self.value())
            c = self.significant()
            if c == 0x2C:
                self.i += 1
            elif c == 0x7D:
                raise self.fail("unexpected object close")
            elif c != 0x5D:
                raise self.fail(f"expected a comma or close, not '{chr(c)}'")

    def object(self) -> dict[str, Any]:
        self.i += 1
        out: dict[str, Any] = {}
        while True:
            c = self.significant()
            if c == 0x7D:
                self.i += 1
                return out
            if c != 0x22:
                raise self.fail(f"expected a string start or object close, not '{chr(c)}'")
            key = self.string()
            c = self.significant()
            if c != 0x3A:
                raise self.fail(f"expected a colon, not '{chr(c)}'")
            self.i += 1
            out[key] = self.value()
            c = self.significant()
            if c == 0x2C:
                self.i += 1
            elif c == 0x5D:
                raise self.fail("unexpected array close")
            elif c != 0x7D:
                raise self.fail(f"expected a comma or close, not '{chr(c)}'")


def oj_parse(text: str) -> Any:
    return _Reader(text.encode("utf-8", "surrogateescape")).document()
