"""The forwarding hot path's shortcuts build exactly what the plain code builds.

encode_single_series is a one-copy encoder with a cached label block; it is
checked against the generic encoder on generated inputs.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from alloylite.components.pyroscope.appendable import RawSample
from alloylite.components.pyroscope.push import (
    Series,
    decode_push_request,
    encode_push_request,
    encode_single_series,
)

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
