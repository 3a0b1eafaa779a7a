"""Go's strconv.Quote, path.Clean and path.Join give what Go documents and tests.

The expected texts are Go's: from the examples in the strconv and path package
documentation and from the tables of Go's own tests of those functions.
"""

from __future__ import annotations

import pytest

from alloylite.gocompat import go_quote, path_clean, path_join


def _go_bytes(data: bytes) -> str:
    """A Go string (bytes) as alloylite holds it: UTF-8 with surrogate escapes."""
    return data.decode("utf-8", "surrogateescape")


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("", '""'),
        ("abc", '"abc"'),
        ('"Fran & Freddie\'s Diner\t☺"', '"\\"Fran & Freddie\'s Diner\\t☺\\""'),
        ("\a\b\f\r\n\t\v", '"\\a\\b\\f\\r\\n\\t\\v"'),
        ("\\", '"\\\\"'),
        ("tab\there", '"tab\\there"'),
        ("\x01", '"\\x01"'),
        ("\x04", '"\\x04"'),
        ("\x00\x7f", '"\\x00\\x7f"'),
        ("\u263a", '"☺"'),
        ("é€日本", '"é€日本"'),
        ("\u2028", '"\\u2028"'),
        ("\u200b", '"\\u200b"'),
        ("!\u00a0!\u2000!\u3000!", '"!\\u00a0!\\u2000!\\u3000!"'),
        ("\U0010ffff", '"\\U0010ffff"'),
        ("\U000e0001", '"\\U000e0001"'),
        (_go_bytes(b"abc\xffdef"), '"abc\\xffdef"'),
        (_go_bytes(b"\xed\xa0\x80"), '"\\xed\\xa0\\x80"'),
    ],
)
def test_go_quote_matches_strconv_quote(text: str, quoted: str) -> None:
    assert go_quote(text) == quoted
    # the same Go string given as its bytes
    assert go_quote(text.encode("utf-8", "surrogateescape")) == quoted


@pytest.mark.parametrize(
    ("path", "cleaned"),
    [
        # already clean
        ("", "."),
        ("abc", "abc"),
        ("abc/def", "abc/def"),
        ("a/b/c", "a/b/c"),
        (".", "."),
        ("..", ".."),
        ("../..", "../.."),
        ("../../abc", "../../abc"),
        ("/abc", "/abc"),
        ("/", "/"),
        # trailing slashes go
        ("abc/", "abc"),
        ("abc/def/", "abc/def"),
        ("a/b/c/", "a/b/c"),
        ("./", "."),
        ("../", ".."),
        ("../../", "../.."),
        ("/abc/", "/abc"),
        # doubled slashes become one
        ("abc//def//ghi", "abc/def/ghi"),
        ("//abc", "/abc"),
        ("///abc", "/abc"),
        ("//abc//", "/abc"),
        ("abc//", "abc"),
        # `.` elements go
        ("abc/./def", "abc/def"),
        ("/./abc/def", "/abc/def"),
        ("abc/.", "abc"),
        # `..` elements eat the element before them, and nothing above the root
        ("abc/def/ghi/../jkl", "abc/def/jkl"),
        ("abc/def/../ghi/../jkl", "abc/jkl"),
        ("abc/def/..", "abc"),
        ("abc/def/../..", "."),
        ("/abc/def/../..", "/"),
        ("abc/def/../../..", ".."),
        ("/abc/def/../../..", "/"),
        ("abc/def/../../../ghi/jkl/../../../mno", "../../mno"),
        ("a/../..", ".."),
        ("/..", "/"),
        # combinations
        ("abc/./../def", "def"),
        ("abc//./../def", "def"),
        ("abc/../../././../def", "../../def"),
    ],
)
def test_path_clean_matches_go(path: str, cleaned: str) -> None:
    assert path_clean(path) == cleaned


@pytest.mark.parametrize(
    ("elements", "joined"),
    [
        ((), ""),
        (("",), ""),
        (("", ""), ""),
        (("a",), "a"),
        (("a", "b"), "a/b"),
        (("a", ""), "a"),
        (("", "b"), "b"),
        (("/", "a"), "/a"),
        (("/", ""), "/"),
        (("a/", "b"), "a/b"),
        (("a/", ""), "a"),
        # as pyroscope.write joins an endpoint's path and an incoming request's
        (("/pyroscope/", "/ingest"), "/pyroscope/ingest"),
        (("/a//b/../c", "/ingest"), "/a/c/ingest"),
        (("/a", "/../../ingest"), "/ingest"),
    ],
)
def test_path_join_matches_go(elements: tuple[str, ...], joined: str) -> None:
    assert path_join(*elements) == joined
