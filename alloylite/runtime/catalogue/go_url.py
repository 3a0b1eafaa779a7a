"""Which texts Go's `url.Parse` refuses, and its error for each.

Alloy's `config.URL` (`proxy_url`, discovery.http's `url`, the Kubernetes `api_server`)
decodes through `UnmarshalText`, which is `url.Parse` with its error returned as it is
(`parse "http://a:b": invalid port ":b" after host`), so `alloy validate` reports that
text at the literal. Only the validation is ported, not the URL it builds.

Alloy builds with Go 1.26 (go.mod), whose `url.Parse` refuses more than Go 1.19's:
- a host in square brackets must be an IPv6 address (`netip.ParseAddr`, go_netip.py),
  and a `[` elsewhere in the host is `invalid IP-literal` (Go 1.24.8/1.25.2 on);
- an http or https host with two colons (`http://::1/`, `http://a:1:2`) takes its
  port from the first colon, so the port is refused (Go 1.26 `urlstrictcolons`, on for
  a module declaring go 1.26; other schemes keep taking the last colon).
Go works on bytes; a Python string is taken as its UTF-8 bytes.
"""

from __future__ import annotations

from enum import Enum, auto

from alloylite.gocompat import go_quote
from alloylite.runtime.catalogue.go_netip import AddrError, parse_addr


class _Mode(Enum):
    """Go's `encoding`: which part of the URL is being unescaped."""

    PATH = auto()
    HOST = auto()
    ZONE = auto()
    USER_PASSWORD = auto()
    FRAGMENT = auto()


class _Refused(Exception):
    """The inner error of `url.Error`: its message is Go's `Err.Error()`."""


_ALNUM = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_HEX = frozenset(b"0123456789abcdefABCDEF")
# Bytes `shouldEscape(c, encodeHost)` lets through: unreserved, sub-delims, and what Go
# adds for host:port, [ipv6] and the two it cannot escape.
_HOST_OK = _ALNUM | frozenset(b"-_.~!$&'()*+,;=:[]<>\"")
_USERINFO_OK = _ALNUM | frozenset(b"-._:~!$&'()*+,;=%@")
_STRICT_COLON_SCHEMES = ("http", "https")


def url_parse_error(text: str) -> str | None:
    """`url.Parse(text)`'s error text, or None when Go parses it."""
    raw = text.encode("utf-8", "surrogateescape")
    head, _, fragment = raw.partition(b"#")
    try:
        _parse(head)
    except _Refused as err:
        return f"parse {go_quote(head)}: {err}"
    try:
        _unescape(fragment, _Mode.FRAGMENT)
    except _Refused as err:
        return f"parse {go_quote(raw)}: {err}"
    return None


def _parse(raw: bytes) -> None:
    """`parse(rawURL, viaRequest=false)`."""
    if any(c < 0x20 or c == 0x7F for c in raw):
        raise _Refused("net/url: invalid control character in URL")
    if raw == b"*":
        return
    scheme, rest = _scheme(raw)
    if rest.endswith(b"?") and rest.count(b"?") == 1:
        rest = rest[:-1]
    else:
        rest = rest.partition(b"?")[0]
    if not rest.startswith(b"/"):
        if scheme:
            return  # scheme:opaque
        if b":" in rest.partition(b"/")[0]:
            raise _Refused("first path segment in URL cannot contain colon")
    if (scheme or not rest.startswith(b"///")) and rest.startswith(b"//"):
        authority, slash, path = rest[2:].partition(b"/")
        _authority(scheme, authority)
        rest = slash + path
    _unescape(rest, _Mode.PATH)


def _scheme(raw: bytes) -> tuple[str, bytes]:
    """`getScheme`, lower-cased: `[a-zA-Z][a-zA-Z0-9+.-]*` before the first `:`."""
    for i, c in enumerate(raw):
        if c in _ALNUM and not 0x30 <= c <= 0x39:
            continue
        if 0x30 <= c <= 0x39 or c in b"+-.":
            if i == 0:
                return "", raw
            continue
        if c == ord(":"):
            if i == 0:
                raise _Refused("missing protocol scheme")
            return raw[:i].decode("ascii").lower(), raw[i + 1 :]
        return "", raw
    return "", raw


def _authority(scheme: str, authority: bytes) -> None:
    """`parseAuthority`: the host first, then the userinfo before the last `@`."""
    at = authority.rfind(b"@")
    _host(scheme, authority[at + 1 :])
    if at < 0:
        return
    userinfo = authority[:at]
    if not all(c in _USERINFO_OK for c in userinfo):
        raise _Refused("net/url: invalid userinfo")
    username, colon, password = userinfo.partition(b":")
    _unescape(username, _Mode.USER_PASSWORD)
    if colon:
        _unescape(password, _Mode.USER_PASSWORD)


def _host(scheme: str, host: bytes) -> None:
    """`parseHost` (Go 1.26): `host[:port]`, or `[ipv6%25zone][:port]`."""
    bracket = host.rfind(b"[")
    if bracket > 0:
        raise _Refused("invalid IP-literal")
    if bracket == 0:
        close = host.rfind(b"]")
        if close < 0:
            raise _Refused("missing ']' in host")
        _port(host[close + 1 :])
        hostname = host[1:close]
        zone = hostname.find(b"%25")
        if zone >= 0:
            address = _unescape(hostname[:zone], _Mode.HOST)
            address += _unescape(hostname[zone:], _Mode.ZONE)
        else:
            address = _unescape(hostname, _Mode.HOST)
        try:
            parsed = parse_addr(address)
        except AddrError as err:
            raise _Refused(f"invalid host: {err}") from None
        if parsed.is4:
            raise _Refused("invalid IP-literal")
        return
    colon = host.find(b":")
    if colon != -1:
        if scheme not in _STRICT_COLON_SCHEMES:
            colon = host.rfind(b":")
        _port(host[colon:])
    _unescape(host, _Mode.HOST)


def _port(colon_port: bytes) -> None:
    """`validOptionalPort`: empty, or `:` and ASCII digits."""
    digits = colon_port[1:]
    if colon_port and (colon_port[:1] != b":" or not all(0x30 <= c <= 0x39 for c in digits)):
        raise _Refused(f"invalid port {go_quote(colon_port)} after host")


def _unescape(s: bytes, mode: _Mode) -> bytes:
    """`unescape`: the decoded bytes, or Go's `EscapeError` / `InvalidHostError`."""
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == ord("%"):
            escape = s[i : i + 3]
            if i + 2 >= len(s) or s[i + 1] not in _HEX or s[i + 2] not in _HEX:
                raise _Refused(f"invalid URL escape {go_quote(escape)}")
            value = int(escape[1:], 16)
            if mode is _Mode.HOST and value < 0x80 and escape != b"%25":
                raise _Refused(f"invalid URL escape {go_quote(escape)}")
            if mode is _Mode.ZONE and escape != b"%25" and value != 0x20:
                if value not in _HOST_OK:
                    raise _Refused(f"invalid URL escape {go_quote(escape)}")
            out.append(value)
            i += 3
            continue
        if mode in (_Mode.HOST, _Mode.ZONE) and c < 0x80 and c not in _HOST_OK:
            raise _Refused(f"invalid character {go_quote(s[i : i + 1])} in host name")
        out.append(c)
        i += 1
    return bytes(out)
