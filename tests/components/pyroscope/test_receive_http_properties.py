"""Property tests: whatever a client sends, request parsing ends in a value or a
documented error, never an unexpected exception."""

from __future__ import annotations

import gzip
import logging
import urllib.parse

from hypothesis import given, settings
from hypothesis import strategies as st

from alloylite.components.pyroscope import connect
from alloylite.components.pyroscope.receive_http.ingest import ingest_labels, name_param

LOG = logging.getLogger("test.properties")


@given(st.binary(max_size=300))
def test_any_query_gives_labels_or_nothing(query: bytes) -> None:
    labels = ingest_labels(query, LOG)
    assert isinstance(labels, tuple)
    assert list(labels) == sorted(labels)
    assert all(v != "" for _, v in labels)


@given(st.text(max_size=60), st.text(max_size=20), st.text(max_size=20))
def test_name_param_reads_what_urlencode_wrote(name: str, key: str, value: str) -> None:
    query = urllib.parse.urlencode([(key or "k", value), ("name", name)]).encode()
    expected = value if key == "name" else name
    assert name_param(query) == expected


header_values = st.one_of(st.none(), st.text(max_size=20))


@given(header_values, header_values, header_values, header_values)
def test_negotiate_only_raises_documented_errors(
    ctype: str | None, version: str | None, encoding: str | None, timeout: str | None
) -> None:
    headers = {
        k: v
        for k, v in {
            "content-type": ctype,
            "connect-protocol-version": version,
            "content-encoding": encoding,
            "connect-timeout-ms": timeout,
        }.items()
        if v is not None
    }
    try:
        call = connect.negotiate(headers)
    except (connect.ConnectError, connect.UnsupportedMediaType):
        return
    assert call.codec in (connect.PROTO, connect.JSON)


@settings(max_examples=200)
@given(st.binary(max_size=200), st.integers(min_value=0, max_value=64))
def test_decompress_only_raises_connect_errors(data: bytes, cut: int) -> None:
    for candidate in (data, gzip.compress(data)[: max(1, len(data) - cut)]):
        try:
            out = connect.decompress(candidate, 1 << 20)
        except connect.ConnectError as err:
            assert err.code in ("invalid_argument", "resource_exhausted")
        else:
            assert isinstance(out, bytes)


@given(st.binary(max_size=2000))
def test_decompress_round_trips_within_the_limit(data: bytes) -> None:
    assert connect.decompress(gzip.compress(data), len(data) or 1) == data


@given(st.lists(st.binary(max_size=300), min_size=1, max_size=4))
def test_decompress_reads_concatenated_members(parts: list[bytes]) -> None:
    stream = b"".join(gzip.compress(p) for p in parts)
    assert connect.decompress(stream, 0) == b"".join(parts)
    assert connect.decompress(stream, 1 << 20) == b"".join(parts)
