"""The Alloy-side delta (spec §1.6) on real cumulative profiles from a Go program
(tests/integration/goapp, saved in data/)."""

from __future__ import annotations

import gzip
from collections import defaultdict
from pathlib import Path

import pytest

from alloylite.components.pyroscope.pprof.profile import Profile, decode, encode, gunzip
from alloylite.components.pyroscope.scrape.delta import DeltaComputer, DeltaError

DATA = Path(__file__).with_name("data")


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


def totals(profile: Profile) -> dict[tuple[tuple[int, ...], str], list[int]]:
    """Values per (stack of addresses, labels), duplicates summed: an independent key."""
    out: dict[tuple[tuple[int, ...], str], list[int]] = defaultdict(
        lambda: [0] * len(profile.sample_types)
    )
    for s in profile.samples:
        key = (
            tuple(profile.locations[i].address for i in s.location_ids),
            repr(sorted((profile.strings[lb.key], profile.strings[lb.str]) for lb in s.labels)),
        )
        out[key] = [a + b for a, b in zip(out[key], s.values, strict=True)]
    return out


@pytest.mark.parametrize("raw", ["allocs-1.pb.gz", "allocs-2.pb.gz", "mutex-1.pb.gz"])
def test_codec_round_trip_keeps_every_sample(raw: str) -> None:
    profile = decode(gunzip(load(raw)))
    again = decode(encode(profile))
    assert totals(again) == totals(profile)
    assert again.strings == profile.strings
    assert again.time_nanos == profile.time_nanos


@pytest.mark.parametrize(
    ("kind", "first", "second", "columns"),
    [
        ("memory", "allocs-1.pb.gz", "allocs-2.pb.gz", {0, 1}),
        ("mutex", "mutex-1.pb.gz", "mutex-2.pb.gz", {0, 1}),
    ],
)
def test_delta_is_the_difference_of_two_cumulative_profiles(
    kind: str, first: str, second: str, columns: set[int]
) -> None:
    computer = DeltaComputer(kind)
    assert computer.compute(load(first)) is None  # the first profile seeds the state
    out = computer.compute(load(second))
    assert out is not None and out[:2] == b"\x1f\x8b"
    before = totals(decode(gunzip(load(first))))
    after_profile = decode(gunzip(load(second)))
    after = totals(after_profile)
    expected = {}
    for key, values in after.items():
        prev = before.get(key, [0] * len(values))
        delta = [v - prev[i] if i in columns else v for i, v in enumerate(values)]
        if any(delta):
            expected[key] = delta
    got_profile = decode(gzip.decompress(out))
    assert totals(got_profile) == expected
    assert (
        got_profile.duration_nanos
        == after_profile.time_nanos - decode(gunzip(load(first))).time_nanos
    )
    # Only referenced locations are kept.
    used = {i for s in got_profile.samples for i in s.location_ids}
    assert set(got_profile.locations) == used


def test_memory_keeps_inuse_columns_as_totals() -> None:
    computer = DeltaComputer("memory")
    computer.compute(load("allocs-1.pb.gz"))
    out = computer.compute(load("allocs-1.pb.gz"))
    assert out is not None
    profile = decode(gzip.decompress(out))
    names = [profile.strings[t] for t, _ in profile.sample_types]
    assert names == ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]
    # Same profile twice: alloc deltas are zero, in-use values pass through.
    for sample in profile.samples:
        assert sample.values[:2] == [0, 0]
        assert any(sample.values[2:])


@pytest.mark.parametrize("bad", [b"\x1f\x8b\x08\x00garbage", b"\x0a\xff\xff\xff", b"\x02\x03"])
def test_bad_profile_fails_then_recovers(bad: bytes) -> None:
    computer = DeltaComputer("memory")
    computer.compute(load("allocs-1.pb.gz"))
    with pytest.raises(DeltaError) as err:
        computer.compute(bad)
    assert str(err.value).startswith(("computing delta:", "decompressing profile:"))
    with pytest.raises(DeltaError, match="recovering from bad state, skipping this profile"):
        computer.compute(load("allocs-1.pb.gz"))
    assert computer.compute(load("allocs-2.pb.gz")) is not None
