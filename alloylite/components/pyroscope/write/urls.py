"""The upstream URL of a forwarded `/ingest` request, built as Alloy's Go code builds it.

Alloy joins the endpoint's path with the incoming path (Go's `path.Join`) and
rebuilds the query through Go's `url.ParseQuery` + `Values.Encode` (keys sorted,
pairs Go rejects dropped), replacing `name`. A backend sees the same bytes as
behind Alloy.
"""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus, unquote_to_bytes

from alloylite.gocompat import path_join

# Characters a URL path may carry unescaped (existing %XX escapes are kept).
PATH_SAFE = "/:@!$&'()*+,;=-._~%"
# Query keys/values that Go's decode + encode leave unchanged.
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*\Z")


def quoted_path(path: str) -> str:
    """A path with the characters a URL path may not carry escaped."""
    return quote(path, PATH_SAFE)


def join_path(base_path: str, incoming_path: str) -> str:
    """The escaped upstream path: the endpoint's path joined with the incoming one."""
    return quoted_path(path_join(base_path, incoming_path.split("#", 1)[0] or "/"))


def ingest_query(query: str, name: str) -> str:
    """The incoming query as Go re-encodes it, with `name` replaced."""
    pairs = _go_query_pairs(query, b"name")
    pairs.append((b"name", "name", quote_plus(name.encode("utf-8", "surrogateescape"))))
    pairs.sort(key=_pair_key)  # stable: values keep their order within a key, as in Go
    return "&".join(f"{k}={v}" for _, k, v in pairs)


def _pair_key(pair: tuple[bytes, str, str]) -> bytes:
    return pair[0]


def _go_query_pairs(query: str, drop: bytes) -> list[tuple[bytes, str, str]]:
    """Go's url.ParseQuery then Values.Encode, pair by pair: (decoded key, encoded key,
    encoded value), without the `drop` key. Pairs Go rejects (semicolons, bad escapes)
    are dropped. Plain pairs (the usual from/until/format...) skip decode and re-encode."""
    drop_text = drop.decode()
    out: list[tuple[bytes, str, str]] = []
    for piece in query.split("&"):
        if not piece or ";" in piece:
            continue
        key, _, value = piece.partition("=")
        if key == drop_text:
            continue
        if _PLAIN.match(key) and _PLAIN.match(value):
            out.append((key.encode(), key, value))
            continue
        try:
            k = _go_unescape(key)
            v = _go_unescape(value)
        except ValueError:
            continue
        if k != drop:
            out.append((k, quote_plus(k), quote_plus(v)))
    return out


def _go_unescape(text: str) -> bytes:
    """Go's QueryUnescape: a `%` not followed by two hex digits is an error."""
    i = text.find("%")
    while i >= 0:
        pair = text[i + 1 : i + 3]
        if len(pair) != 2 or any(c not in "0123456789abcdefABCDEF" for c in pair):
            raise ValueError("bad escape")
        i = text.find("%", i + 3)
    return unquote_to_bytes(text.replace("+", " "))
