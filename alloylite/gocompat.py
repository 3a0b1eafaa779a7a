"""Go's `strconv.Quote` and `path.Clean`/`path.Join`, byte for byte.

Alloy prints strings, labels and paths with Go's standard library, and users compare
those texts (diagnostics, error messages, request paths) with Alloy's. This module is
the one Python rendering of those Go functions, shared by every layer; it is a base
module and imports nothing from alloylite.

Go strings are bytes, usually UTF-8. Python strings here hold the bytes that are not
valid UTF-8 as lone surrogates U+DC80..U+DCFF (the `surrogateescape` error handler),
which is how alloylite decodes every source and payload.
"""

from __future__ import annotations

__all__ = ["go_quote", "path_clean", "path_join"]

# strconv.Quote's one-letter escapes, plus the two characters that must be escaped.
_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    '"': '\\"',
}


def go_quote(text: str | bytes) -> str:
    """Go's `strconv.Quote`: a double-quoted Go string literal of `text` (a Go string as
    Python text, or its bytes, as parsers working on Go's bytes hold it).

    Printable runes (Go's `unicode.IsPrint`: letters, marks, numbers, punctuation,
    symbols and the ASCII space) stay as they are; `\\a \\b \\f \\n \\r \\t \\v`, the
    quote and the backslash get their short escapes; other runes below U+0080 print as
    `\\xNN`, the rest as `\\uNNNN` or `\\UNNNNNNNN`; a byte that is not UTF-8 prints as
    `\\xNN`. Python's `str.isprintable` excludes exactly the categories `IsPrint`
    excludes (C*, Z* except the ASCII space), so no Unicode table of our own is needed.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "surrogateescape")
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    out = ['"']
    for ch in text:
        code = ord(ch)
        escape = _ESCAPES.get(ch)
        if escape is not None:
            out.append(escape)
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch.isprintable():
            out.append(ch)
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            # Not a rune Go can hold: Go escapes an invalid rune as U+FFFD.
            out.append("\\ufffd")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def path_clean(path: str) -> str:
    """Go's `path.Clean` (also `path/filepath.Clean` on Unix).

    Unlike `posixpath.normpath`, a leading `//` becomes `/`; `..` above the root is
    dropped; an empty result is `.`.
    """
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    text = "/".join(parts)
    if rooted:
        return "/" + text
    return text or "."


def path_join(*elements: str) -> str:
    """Go's `path.Join` (also `path/filepath.Join` on Unix): the non-empty elements
    joined by `/` and cleaned; `""` when every element is empty."""
    parts = [element for element in elements if element]
    return path_clean("/".join(parts)) if parts else ""
