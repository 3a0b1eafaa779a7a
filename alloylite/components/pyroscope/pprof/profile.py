"""The parts of a pprof `Profile` the delta computation reads and rewrites.

Samples, locations, functions, sample types, the string table and the time fields are
decoded; every other field (mappings, period, comments, ...) is kept as raw bytes and
written back unchanged, so a re-encoded profile loses nothing it did not mean to drop.

A sample keeps its location ids as their packed varint bytes and its labels as raw
messages: the delta keys on them and writes them back as they are, so only the values are
decoded per sample (a 4,000-stack heap profile has ~60,000 location ids).
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field
from typing import NamedTuple

from alloylite.components.pyroscope.pprof.wire import (
    BYTES,
    WireError,
    bytes_field,
    check_varints,
    fields,
    pack_varints,
    packed_varints,
    raw_field,
    read_varint,
    signed,
    tag,
    uvarints,
    varint,
    varint_field,
)

GZIP_MAGIC = b"\x1f\x8b"

# Profile field numbers (profile.proto).
_SAMPLE_TYPE, _SAMPLE, _LOCATION, _FUNCTION, _STRING = 1, 2, 4, 5, 6
_TIME_NANOS, _DURATION_NANOS = 9, 10
_SAMPLE_TAG = tag(_SAMPLE, BYTES)


@dataclass(slots=True)
class Label:
    key: int
    str: int = 0
    num: int = 0
    num_unit: int = 0


class Sample(NamedTuple):
    packed_locations: bytes  # the location ids' varints, concatenated
    values: list[int]
    raw_labels: tuple[bytes, ...]  # Label messages

    @property
    def location_ids(self) -> list[int]:
        return uvarints(self.packed_locations)

    @property
    def labels(self) -> list[Label]:
        return [decode_label(raw) for raw in self.raw_labels]


@dataclass(slots=True)
class Location:
    address: int
    function_ids: list[int]
    raw: bytes


@dataclass
class Profile:
    sample_types: list[tuple[int, int]]  # (type, unit) string indices
    samples: list[Sample]
    locations: dict[int, Location]
    functions: dict[int, bytes]  # id -> raw Function message
    strings: list[str]
    time_nanos: int = 0
    duration_nanos: int = 0
    sample_type_raw: list[bytes] = field(default_factory=list)
    others: list[tuple[int, int, int | bytes]] = field(default_factory=list)

    def string(self, index: int) -> str:
        if not 0 <= index < len(self.strings):
            raise WireError(f"string index {index} out of range")
        return self.strings[index]


def gunzip(data: bytes) -> bytes:
    """The pprof bytes, whether `data` is gzip'd or raw."""
    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as err:
        raise WireError(str(err) or "invalid gzip data") from None


def decode(data: bytes) -> Profile:
    """Decode an uncompressed pprof Profile message; raises WireError on bad input."""
    profile = Profile([], [], {}, {}, [])
    for number, wire, value in fields(data):
        if number == _SAMPLE and isinstance(value, bytes):
            profile.samples.append(_sample(value))
        elif number == _LOCATION and isinstance(value, bytes):
            location_id, location = _location(value)
            profile.locations[location_id] = location
        elif number == _FUNCTION and isinstance(value, bytes):
            profile.functions[_first_varint(value, 1)] = value
        elif number == _STRING and isinstance(value, bytes):
            try:
                profile.strings.append(value.decode("utf-8"))
            except UnicodeDecodeError:
                raise WireError("string table entry is not valid UTF-8") from None
        elif number == _SAMPLE_TYPE and isinstance(value, bytes):
            profile.sample_types.append((_first_varint(value, 1), _first_varint(value, 2)))
            profile.sample_type_raw.append(value)
        elif number == _TIME_NANOS and isinstance(value, int):
            profile.time_nanos = signed(value)
        elif number == _DURATION_NANOS and isinstance(value, int):
            profile.duration_nanos = signed(value)
        elif number in (_SAMPLE, _LOCATION, _FUNCTION, _STRING, _SAMPLE_TYPE):
            raise WireError(f"field {number} has wire type {wire}, expected {BYTES}")
        else:
            profile.others.append((number, wire, value))
    if not profile.strings or profile.strings[0] != "":
        raise WireError("string table must start with the empty string")
    return profile


def encode(profile: Profile) -> bytes:
    """Encode `profile`; only the locations and functions its samples reference are kept."""
    used_locations = set(uvarints(b"".join({s.packed_locations for s in profile.samples})))
    used_functions = {
        f
        for i in used_locations
        if i in profile.locations
        for f in profile.locations[i].function_ids
    }
    out = bytearray()
    for raw in profile.sample_type_raw:
        out += bytes_field(_SAMPLE_TYPE, raw)
    labels: dict[bytes, bytes] = {}
    for sample in profile.samples:
        out += _encode_sample(sample, labels)
    others = sorted(profile.others, key=lambda item: item[0])
    for number, wire, value in others:
        if number < _LOCATION:
            out += raw_field(number, wire, value)
    for location_id, location in profile.locations.items():
        if location_id in used_locations:
            out += bytes_field(_LOCATION, location.raw)
    for function_id, raw in profile.functions.items():
        if function_id in used_functions:
            out += bytes_field(_FUNCTION, raw)
    for text in profile.strings:
        out += bytes_field(_STRING, text.encode("utf-8"))
    for number, wire, value in others:
        if _STRING < number < _TIME_NANOS:
            out += raw_field(number, wire, value)
    out += varint_field(_TIME_NANOS, profile.time_nanos)
    out += varint_field(_DURATION_NANOS, profile.duration_nanos)
    for number, wire, value in others:
        if number > _DURATION_NANOS:
            out += raw_field(number, wire, value)
    return bytes(out)


def _first_varint(message: bytes, number: int) -> int:
    for n, _, value in fields(message):
        if n == number and isinstance(value, int):
            return value
    return 0


def _sample(message: bytes) -> Sample:
    """Go's layout (packed ids, packed values, labels, one-byte tags) in one pass, anything
    else field by field."""
    locations = b""
    values: list[int] = []
    labels: list[bytes] = []
    pos, end = 0, len(message)
    while pos < end:
        key = message[pos]
        if key not in (0x0A, 0x12, 0x1A):
            return _sample_any(message)
        size, pos = read_varint(message, pos + 1)
        if pos + size > end:
            raise WireError("unexpected end of data in length-delimited field")
        value = message[pos : pos + size]
        pos += size
        if key == 0x1A:
            labels.append(value)
        elif key == 0x12:
            values += uvarints(value, as_int64=True)
        else:
            check_varints(value)
            locations += value
    return Sample(locations, values, tuple(labels))


def _sample_any(message: bytes) -> Sample:
    locations = bytearray()
    values: list[int] = []
    labels: list[bytes] = []
    for number, wire, value in fields(message):
        if number == 1:
            locations += pack_varints(packed_varints(wire, value))
        elif number == 2:
            values.extend(signed(v) for v in packed_varints(wire, value))
        elif number == 3 and isinstance(value, bytes):
            labels.append(value)
    return Sample(bytes(locations), values, tuple(labels))


def decode_label(message: bytes) -> Label:
    label = Label(0)
    for number, _, value in fields(message):
        if not isinstance(value, int):
            continue
        if number == 1:
            label.key = value
        elif number == 2:
            label.str = value
        elif number == 3:
            label.num = signed(value)
        elif number == 4:
            label.num_unit = value
    return label


def _location(message: bytes) -> tuple[int, Location]:
    location_id = address = 0
    function_ids: list[int] = []
    for number, _, value in fields(message):
        if number == 1 and isinstance(value, int):
            location_id = value
        elif number == 3 and isinstance(value, int):
            address = value
        elif number == 4 and isinstance(value, bytes):
            function_ids.append(_first_varint(value, 1))
    return location_id, Location(address, function_ids, message)


def _encode_sample(sample: Sample, labels: dict[bytes, bytes]) -> bytes:
    """The Sample field; `labels` caches each raw label's canonical field."""
    parts: list[bytes] = []
    if sample.packed_locations:
        parts += (b"\x0a", varint(len(sample.packed_locations)), sample.packed_locations)
    if sample.values:
        values = pack_varints(sample.values)
        parts += (b"\x12", varint(len(values)), values)
    for raw in sample.raw_labels:
        encoded = labels.get(raw)
        if encoded is None:
            encoded = labels[raw] = bytes_field(3, _encode_label(decode_label(raw)))
        parts.append(encoded)
    body = b"".join(parts)
    return b"".join((_SAMPLE_TAG, varint(len(body)), body))


def _encode_label(label: Label) -> bytes:
    body = varint_field(1, label.key)
    if label.str:
        body += varint_field(2, label.str)
    if label.num:
        body += varint_field(3, label.num)
    if label.num_unit:
        body += varint_field(4, label.num_unit)
    return body
