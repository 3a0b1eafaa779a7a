"""Go's `netip.ParseAddr`, as far as `net/url` needs it: which texts fail, in Go's words.

Since Go 1.24.8/1.25.2 (CVE-2025-47912) `url.Parse` hands the text between a host's
square brackets to `ParseAddr` and reports its error (`invalid host: ParseAddr("v1.x"):
unexpected character (at "v1.x")`). This follows the netip of the Go that builds Alloy
(1.26): a group of more than four hex digits is refused, and an embedded IPv4 part
reports its error against the whole input (Go 1.19's netip did neither).
"""

from __future__ import annotations

from dataclasses import dataclass

from alloylite.gocompat import go_quote

_HEX = b"0123456789abcdefABCDEF"


@dataclass(frozen=True)
class ParsedAddr:
    """What `url.Parse` asks of a parsed address: whether it is IPv4 (`Addr.Is4`)."""

    is4: bool


class AddrError(Exception):
    """`netip.parseAddrError`: its `Error()` text is the exception's message."""

    def __init__(self, text: bytes, msg: str, at: bytes = b"") -> None:
        message = f"ParseAddr({go_quote(text)}): {msg}"
        if at:
            message += f" (at {go_quote(at)})"
        super().__init__(message)


def parse_addr(s: bytes) -> ParsedAddr:
    """`netip.ParseAddr(s)`; raises `AddrError` with Go's message."""
    for c in s:
        if c == ord("."):
            _ipv4_fields(s, 0, len(s))
            return ParsedAddr(is4=True)
        if c == ord(":"):
            _parse_ipv6(s)
            return ParsedAddr(is4=False)
        if c == ord("%"):
            raise AddrError(s, "missing IPv6 address")
    raise AddrError(s, "unable to parse IP")


def _ipv4_fields(text: bytes, start: int, end: int) -> None:
    """`parseIPv4Fields`: errors name the whole input `text`, `at` the part of the slice."""
    s = text[start:end]
    val = pos = digits = 0
    for i, c in enumerate(s):
        if 0x30 <= c <= 0x39:
            if digits == 1 and val == 0:
                raise AddrError(text, "IPv4 field has octet with leading zero")
            val = val * 10 + c - 0x30
            digits += 1
            if val > 255:
                raise AddrError(text, "IPv4 field has value >255")
        elif c == ord("."):
            if i == 0 or i == len(s) - 1 or s[i - 1] == ord("."):
                raise AddrError(text, "IPv4 field must have at least one digit", s[i:])
            if pos == 3:
                raise AddrError(text, "IPv4 address too long")
            pos += 1
            val = digits = 0
        else:
            raise AddrError(text, "unexpected character", s[i:])
    if pos < 3:
        raise AddrError(text, "IPv4 address too short")


def _parse_ipv6(text: bytes) -> None:
    """`parseIPv6`: only its refusals, in the order Go finds them."""
    s, zone = text, b""
    cut = text.find(b"%")
    if cut != -1:
        s, zone = text[:cut], text[cut + 1 :]
        if not zone:
            raise AddrError(text, "zone must be a non-empty string")
    ellipsis = -1
    if s[:2] == b"::":
        ellipsis, s = 0, s[2:]
        if not s:
            return
    i = 0
    while i < 16:
        off, acc = 0, 0
        while off < len(s) and s[off] in _HEX:
            acc = (acc << 4) + int(chr(s[off]), 16)
            if off > 3:
                raise AddrError(text, "each group must have 4 or less digits", s)
            if acc > 0xFFFF:
                raise AddrError(text, "IPv6 field has value >=2^16", s)
            off += 1
        if off == 0:
            raise AddrError(text, "each colon-separated field must have at least one digit", s)
        if off < len(s) and s[off] == ord("."):
            if ellipsis < 0 and i != 12:
                msg = "embedded IPv4 address must replace the final 2 fields of the address"
                raise AddrError(text, msg, s)
            if i + 4 > 16:
                msg = "too many hex fields to fit an embedded IPv4 at the end of the address"
                raise AddrError(text, msg, s)
            end = len(text) - (len(zone) + 1 if zone else 0)
            _ipv4_fields(text, end - len(s), end)
            s, i = b"", i + 4
            break
        i += 2
        s = s[off:]
        if not s:
            break
        if s[0] != ord(":"):
            raise AddrError(text, "unexpected character, want colon", s)
        if len(s) == 1:
            raise AddrError(text, "colon must be followed by more characters", s)
        s = s[1:]
        if s[0] == ord(":"):
            if ellipsis >= 0:
                raise AddrError(text, "multiple :: in address", s)
            ellipsis, s = i, s[1:]
            if not s:
                break
    if s:
        raise AddrError(text, "trailing garbage after address", s)
    if i < 16 and ellipsis < 0:
        raise AddrError(text, "address string too short")
    if i >= 16 and ellipsis >= 0:
        raise AddrError(text, "the :: must expand to at least one field of zeros")
