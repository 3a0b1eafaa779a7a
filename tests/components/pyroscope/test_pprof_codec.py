"""The pprof codec's packed-varint fast paths agree with the field-by-field reading."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alloylite.components.pyroscope.pprof.profile import decode, encode
from alloylite.components.pyroscope.pprof.wire import (
    WireError,
    bytes_field,
    check_varints,
    pack_varints,
    read_varint,
    signed,
    split_varints,
    uvarints,
    varint,
    varint_field,
)

INT64 = st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1)
UINT64 = st.integers(min_value=0, max_value=(1 << 64) - 1)


@given(st.lists(INT64))
def test_packed_int64s_round_trip(values: list[int]) -> None:
    payload = pack_varints(values)
    assert payload == b"".join(varint(v) for v in values)
    assert uvarints(payload, as_int64=True) == values
    check_varints(payload)


@given(st.lists(UINT64))
def test_packed_uint64s_split_like_read_varint(values: list[int]) -> None:
    payload = pack_varints(values)
    assert uvarints(payload) == values
    assert split_varints(payload) == [varint(v) for v in values]
    assert [read_varint(part, 0)[0] for part in split_varints(payload)] == values


@pytest.mark.parametrize(
    ("payload", "message"),
    [(b"\x80", "unexpected end of data in varint"), (b"\xff" * 10 + b"\x01", "varint overflow")],
)
def test_bad_packed_varints_are_wire_errors(payload: bytes, message: str) -> None:
    with pytest.raises(WireError, match=message):
        uvarints(payload)
    with pytest.raises(WireError, match=message):
        check_varints(payload)


def _profile(samples: list[bytes]) -> bytes:
    out = bytes_field(1, varint_field(1, 1) + varint_field(2, 2))
    out += b"".join(bytes_field(2, s) for s in samples)
    for location_id in (1, 2, 300):
        out += bytes_field(4, varint_field(1, location_id) + varint_field(3, location_id * 16))
    out += b"".join(bytes_field(6, s) for s in (b"", b"alloc_space", b"bytes", b"key"))
    return out


SAMPLES = st.tuples(
    st.lists(st.sampled_from([1, 2, 300]), max_size=5),
    INT64,
    st.lists(st.tuples(st.sampled_from([3, 2]), st.integers(0, 3), INT64), max_size=2),
)


@given(st.lists(SAMPLES, max_size=6))
def test_unpacked_samples_decode_like_packed_ones(
    samples: list[tuple[list[int], int, list[tuple[int, int, int]]]],
) -> None:
    packed, unpacked = [], []
    for ids, value, labels in samples:
        label_fields = b"".join(
            bytes_field(3, varint_field(1, k) + varint_field(2, s) + varint_field(3, n))
            for k, s, n in labels
        )
        packed.append(
            (bytes_field(1, pack_varints(ids)) if ids else b"")
            + bytes_field(2, pack_varints([value]))
            + label_fields
        )
        unpacked.append(
            b"".join(varint_field(1, i) for i in ids) + varint_field(2, value) + label_fields
        )
    fast, slow = decode(_profile(packed)), decode(_profile(unpacked))
    assert fast.samples == slow.samples
    assert [(s.location_ids, s.values) for s in fast.samples] == [
        (ids, [value]) for ids, value, _ in samples
    ]
    assert [[(lb.key, lb.str, lb.num) for lb in s.labels] for s in fast.samples] == [
        [(k, s, signed(n & ((1 << 64) - 1))) for k, s, n in labels] for _, _, labels in samples
    ]
    again = decode(encode(fast))  # labels come back canonical: compare them decoded
    assert [(s.location_ids, s.values, s.labels) for s in again.samples] == [
        (s.location_ids, s.values, s.labels) for s in fast.samples
    ]
