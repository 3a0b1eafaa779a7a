"""Go's `%q` of a string (strconv.Quote), for identifiers and labels in fmt output and
in parser messages.

Bytes that are not UTF-8 arrive as surrogate escapes and print as `\\xNN`. Python's
`isprintable()` excludes exactly the categories Go's `unicode.IsPrint` excludes (C*, Z*
other than the ASCII space), so no Unicode table of our own is needed.
"""

from __future__ import annotations

__all__ = ["go_quote"]

_SHORT_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def go_quote(text: str) -> str:
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch.isprintable() and (ch == " " or not ch.isspace()):
            out.append(ch)
        elif ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)
