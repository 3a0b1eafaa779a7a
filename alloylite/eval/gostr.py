"""Go string rules: unquoting literals, and strings as Go's bytes (quoting is
`alloylite.gocompat.go_quote`).

Alloy strings are Go strings: byte strings that are usually UTF-8. Python
strings hold the bytes that are not valid UTF-8 as lone surrogates
(`surrogateescape`), so `"\\xff"` survives a round trip and prints as Go does.
"""

from __future__ import annotations

_SIMPLE = {
    "a": 0x07,
    "b": 0x08,
    "f": 0x0C,
    "n": 0x0A,
    "r": 0x0D,
    "t": 0x09,
    "v": 0x0B,
    "\\": 0x5C,
    '"': 0x22,
}


def encode(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def decode(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


def join_bytes(s: str) -> str:
    """Re-read a string after concatenation: Go strings are bytes, so two halves of
    a UTF-8 sequence (`"\\xc3" + "\\xa9"`) become one character."""
    if _has_escaped_byte(s):
        return decode(encode(s))
    return s


def _has_escaped_byte(s: str) -> bool:
    return not s.isascii() and any("\udc80" <= c <= "\udcff" for c in s)


def unquote_literal(raw: str) -> str:
    """The value of a STRING token as written (the scanner has already validated it)."""
    if raw.startswith("`"):
        return raw[1:-1].replace("\r", "")
    body = raw[1:-1]
    if "\\" not in body:
        return body
    out = bytearray()
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c != "\\":
            j = body.find("\\", i)
            j = n if j < 0 else j
            out += encode(body[i:j])
            i = j
            continue
        e = body[i + 1]
        if e in _SIMPLE:
            out.append(_SIMPLE[e])
            i += 2
        elif e == "x":
            out.append(int(body[i + 2 : i + 4], 16))
            i += 4
        elif e in "01234567":
            out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
            i += 4
        elif e == "u":
            out += chr(int(body[i + 2 : i + 6], 16)).encode()
            i += 6
        elif e == "U":
            out += chr(int(body[i + 2 : i + 10], 16)).encode()
            i += 10
        else:  # the scanner rejects anything else; keep the text rather than fail
            out += encode(body[i : i + 2])
            i += 2
    return decode(bytes(out))
