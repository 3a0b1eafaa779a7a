"""The forwarding hot path's shortcuts build exactly what the plain code builds.

encode_single_series is a one-copy encoder with a cached label block; the
receiver reads a large body with a known length into one preallocated buffer;
the write client sends large bodies in slices. Each is checked against the
straightforward construction, on generated inputs.
"""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from alloylite.components.pyroscope.appendable import RawSample
from alloylite.components.pyroscope.push import (
    Series,
    decode_push_request,
    encode_push_request,
    encode_single_series,
)
from alloylite.components.pyroscope.receive_http_app import _read_into
from alloylite.components.pyroscope.write_client import _content, _Slices

_text = st.text(max_size=40)
_labels = st.lists(st.tuples(_text, _text), max_size=8).map(tuple)
_samples = st.lists(
    st.builds(RawSample, _text, st.binary(max_size=400)),
    max_size=3,
)


@settings(max_examples=300, deadline=None)
@given(_labels, _samples)
def test_single_series_encoding_matches_generic_encoder(
    labels: tuple[tuple[str, str], ...], samples: list[RawSample]
) -> None:
    fast = encode_single_series(labels, samples)
    assert fast == encode_push_request([Series(list(labels), samples)])
    # Twice: the second call takes the cached label block.
    assert encode_single_series(labels, samples) == fast
    decoded = decode_push_request(fast)
    assert len(decoded) == 1
    assert [s.raw_profile for s in decoded[0].samples] == [s.raw_profile for s in samples]


def _messages(pieces: list[bytes]) -> Any:
    queue = [
        {"type": "http.request", "body": p, "more_body": i < len(pieces) - 1}
        for i, p in enumerate(pieces)
    ]

    async def receive() -> dict[str, Any]:
        return queue.pop(0)

    return receive


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=300), min_size=2, max_size=8), st.integers(-50, 50))
def test_read_into_gives_the_joined_body(pieces: list[bytes], skew: int) -> None:
    # `skew` makes the declared size wrong both ways: the result is still the body.
    declared = max(len(pieces[0]) + 1, sum(map(len, pieces)) + skew)
    body = asyncio.run(_read_into(pieces[0], declared, _messages(pieces[1:])))
    assert bytes(body) == b"".join(pieces)


def test_large_bodies_are_sent_in_slices_small_ones_whole() -> None:
    small = b"x" * 1000
    assert _content(small) is small
    big = bytearray(range(256)) * 1000

    async def collect(stream: _Slices) -> list[bytes]:
        return [bytes(chunk) async for chunk in stream]

    stream = _content(big)
    assert isinstance(stream, _Slices)
    first = asyncio.run(collect(stream))
    assert b"".join(first) == big
    assert max(map(len, first)) < len(big)
    assert asyncio.run(collect(stream)) == first  # iterable again for a resend
