"""The password of a URL's user info (`scheme://user:password@host`), hidden wherever
alloylite shows a URL.

Alloy shows an endpoint's URL with Go's `URL.Redacted` (the password as `xxxxx`);
alloylite does the same in logs, metrics, the API and the UI, and masks the password in
the config lines a diagnostic's code frame prints. This module is the one statement of
where that password is, shared by all of them.

Where the password is, as Go's `url.Parse` finds it: the authority runs from `//` to the
first `/`, `?` or `#`; the user info is the authority up to its last `@`; the password
is the user info after its first `:`. Embedded in text, a URL also ends at whitespace; in
config source, at the quote that closes its string literal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["REDACTED", "redact_url", "redact_url_passwords", "url_password_spans"]

REDACTED = "xxxxx"  # what Go's URL.Redacted puts in place of a password


def _pattern(ends: str) -> str:
    """`scheme://user:` (group `head`), the password (group `password`) and its `@`;
    `ends` are the characters that end the URL besides the authority's own ends."""
    return (
        rf"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^/?#:{ends}]*:)"
        rf"(?P<password>[^/?#{ends}]*)@"
    )


_IN_URL = re.compile(_pattern(""))
_IN_TEXT = re.compile(_pattern(r"\s"))
_IN_SOURCE = re.compile(_pattern(r"\s\"`").encode())
_REPLACEMENT = rf"\g<head>{REDACTED}@"


def redact_url(url: str) -> str:
    """One URL as Go's `URL.Redacted` shows it: the password, if any, as `xxxxx`."""
    return _IN_URL.sub(_REPLACEMENT, url, count=1)


def redact_url_passwords(text: str) -> str:
    """`text` with the password of every URL in it shown as `xxxxx` (for values that
    may hold URLs, such as a component's arguments shown by the API)."""
    return _IN_TEXT.sub(_REPLACEMENT, text)


def url_password_spans(source: bytes) -> Iterator[tuple[int, int]]:
    """The (start, end) byte offsets of every URL password in config source."""
    for match in _IN_SOURCE.finditer(source):
        yield match.span("password")
