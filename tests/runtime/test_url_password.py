"""A URL's password is found where Go's url.Parse finds it, and shown as Go's URL.Redacted
shows it: in one URL, in text holding URLs, and in config source (as byte offsets)."""

from __future__ import annotations

import pytest

from alloylite.runtime.url_password import (
    redact_url,
    redact_url_passwords,
    url_password_spans,
)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://u:p@h/x", "http://u:xxxxx@h/x"),
        ("https://u:p@h:4040/a?b=c#d", "https://u:xxxxx@h:4040/a?b=c#d"),
        ("http://u:@h/", "http://u:xxxxx@h/"),  # an empty password is still a password
        ("http://u:p@ss@h/", "http://u:xxxxx@h/"),  # the user info ends at the last `@`
        ("http://a@b:c@h/", "http://a@b:xxxxx@h/"),
        ("http://u:p w@h/", "http://u:xxxxx@h/"),  # one URL: a blank is part of it
        ("http://u@h/x", "http://u@h/x"),  # no password
        ("https://h", "https://h"),
        ("http://h:4040/x@y", "http://h:4040/x@y"),  # `@` after the authority
        ("http://h/?u=a:b@c", "http://h/?u=a:b@c"),
    ],
)
def test_redact_url_is_go_url_redacted(url: str, shown: str) -> None:
    assert redact_url(url) == shown


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("http://u:p@h", "http://u:xxxxx@h"),
        ("a http://u:p@h and ftp://v:q@i/", "a http://u:xxxxx@h and ftp://v:xxxxx@i/"),
        ("see http://h:80 or mail a@b", "see http://h:80 or mail a@b"),  # text ends a URL
        ("no url here: a:b@c", "no url here: a:b@c"),
    ],
)
def test_redact_url_passwords_in_text(text: str, shown: str) -> None:
    assert redact_url_passwords(text) == shown


def test_url_password_spans_in_source_stop_at_the_closing_quote() -> None:
    source = b'url = "http://u:s3cret@h" // not "http://v:x" + "@y"\n'
    spans = list(url_password_spans(source))
    assert [source[start:end] for start, end in spans] == [b"s3cret"]
