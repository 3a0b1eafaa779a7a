"""Alloy-side delta of cumulative memory, mutex and block profiles (spec §1.6).

Go's `allocs`, `mutex` and `block` endpoints return totals since the process started;
Pyroscope wants what happened during one scrape interval. Like Alloy's fastdelta fork,
each sample is keyed by its stack (location addresses) and its labels, the previous totals
are subtracted from the delta columns, other columns pass through, all-zero samples are
dropped and the result is re-encoded gzip'd. The first profile after a (re)start only seeds
the state and is not forwarded.
"""

from __future__ import annotations

import gzip

from alloylite.components.pyroscope.pprof.profile import (
    Profile,
    Sample,
    decode,
    decode_label,
    encode,
    gunzip,
)
from alloylite.components.pyroscope.pprof.wire import WireError, split_varints, uvarints, varint

# Delta columns by profile type, matched by (sample type, unit) (§1.6).
DELTA_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "memory": (("alloc_objects", "count"), ("alloc_space", "bytes")),
    "mutex": (("contentions", "count"), ("delay", "nanoseconds")),
    "block": (("contentions", "count"), ("delay", "nanoseconds")),
}

_Label = tuple[str, str, int, str]
# The stack as the location addresses' varints, concatenated (self-delimiting, so one
# bytes object per stack is as exact as a tuple of ints and cheaper to build and hash).
_Key = tuple[bytes, tuple[_Label, ...]]


class DeltaError(Exception):
    """The delta could not be computed; the profile is not forwarded."""


class DeltaComputer:
    """The previous totals of one scrape loop's profile type."""

    def __init__(self, profile_type: str) -> None:
        self._wanted = DELTA_COLUMNS[profile_type]
        self._previous: dict[_Key, list[int]] | None = None
        self._previous_time = 0
        self._bad_state = False

    def reset(self) -> None:
        self._previous = None

    def compute(self, data: bytes) -> bytes | None:
        """The delta profile gzip'd, or None for the seeding profile."""
        recovering = self._bad_state
        try:
            raw = gunzip(data)
        except WireError as err:
            self._fail()
            raise DeltaError(f"decompressing profile: {err}") from None
        try:
            profile = decode(raw)
            columns = self._columns(profile)
            merged = _merge(profile)
        except WireError as err:
            self._fail()
            raise DeltaError(f"computing delta: decoding profile: {err}") from None
        previous, previous_time = self._previous, self._previous_time
        self._previous = {key: [s.values[i] for i in columns] for key, s in merged.items()}
        self._previous_time = profile.time_nanos
        self._bad_state = False
        if recovering:
            raise DeltaError(
                "computing delta: delta profiler recovering from bad state, skipping this profile"
            )
        if previous is None:
            return None
        emitted: list[Sample] = []
        for key, sample in merged.items():
            before = previous.get(key)
            values = list(sample.values)
            if before is not None:
                for j, column in enumerate(columns):
                    values[column] -= before[j]
            if any(values):
                emitted.append(sample._replace(values=values))
        profile.samples = emitted
        profile.duration_nanos = profile.time_nanos - previous_time
        return gzip.compress(encode(profile), compresslevel=6)

    def _fail(self) -> None:
        self._previous = None
        self._bad_state = True

    def _columns(self, profile: Profile) -> list[int]:
        names = [(profile.string(t), profile.string(u)) for t, u in profile.sample_types]
        return [i for i, name in enumerate(names) if name in self._wanted][:2]


def _merge(profile: Profile) -> dict[_Key, Sample]:
    """Samples by identity; duplicates are summed into the first one."""
    merged: dict[_Key, Sample] = {}
    width = len(profile.sample_types)
    addresses = {varint(i): varint(loc.address) for i, loc in profile.locations.items()}
    labels: dict[bytes, _Label] = {}
    for sample in profile.samples:
        if len(sample.values) != width:
            raise WireError(
                f"sample has {len(sample.values)} values, the profile has {width} sample types"
            )
        key = (_stack(profile, addresses, sample), _labels(profile, labels, sample))
        found = merged.get(key)
        if found is None:
            merged[key] = sample
        else:
            merged[key] = found._replace(
                values=[a + b for a, b in zip(found.values, sample.values, strict=True)]
            )
    return merged


def _stack(profile: Profile, addresses: dict[bytes, bytes], sample: Sample) -> bytes:
    try:
        return b"".join(map(addresses.__getitem__, split_varints(sample.packed_locations)))
    except KeyError:  # an unknown id, or a known one in a longer varint than ours
        pass
    out = bytearray()
    for location_id in uvarints(sample.packed_locations):
        location = profile.locations.get(location_id)
        if location is None:
            raise WireError(f"sample references unknown location {location_id}")
        out += varint(location.address)
    return bytes(out)


def _labels(profile: Profile, cache: dict[bytes, _Label], sample: Sample) -> tuple[_Label, ...]:
    """The sample's labels by their strings, sorted; `cache` holds each raw label's."""
    out: list[_Label] = []
    for raw in sample.raw_labels:
        found = cache.get(raw)
        if found is None:
            label = decode_label(raw)
            found = cache[raw] = (
                profile.string(label.key),
                profile.string(label.str),
                label.num,
                profile.string(label.num_unit),
            )
        out.append(found)
    out.sort()
    return tuple(out)
