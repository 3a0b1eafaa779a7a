"""Protocol buffers wire format: varints, tags and length-delimited fields.

Only what pprof uses: wire types 0 (varint), 1 (fixed64), 2 (bytes), 5 (fixed32).
Malformed input raises `WireError`, never an IndexError, so callers report one message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

VARINT, FIXED64, BYTES, FIXED32 = 0, 1, 2, 5
_MASK64 = (1 << 64) - 1


class WireError(ValueError):
    """The bytes are not a valid protobuf message."""


def read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    end = len(buf)
    if pos < end and buf[pos] < 0x80:  # most tags and lengths are one byte
        return buf[pos], pos + 1
    result = shift = 0
    while True:
        if pos >= end:
            raise WireError("unexpected end of data in varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result & _MASK64, pos
        shift += 7
        if shift >= 70:
            raise WireError("varint overflow")


def fields(buf: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """(field number, wire type, value): an int for varints/fixed, bytes for wire type 2."""
    pos, end = 0, len(buf)
    while pos < end:
        key, pos = read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise WireError("illegal field number 0")
        if wire == VARINT:
            value, pos = read_varint(buf, pos)
            yield number, wire, value
        elif wire == BYTES:
            size, pos = read_varint(buf, pos)
            if pos + size > end:
                raise WireError("unexpected end of data in length-delimited field")
            yield number, wire, buf[pos : pos + size]
            pos += size
        elif wire in (FIXED64, FIXED32):
            width = 8 if wire == FIXED64 else 4
            if pos + width > end:
                raise WireError("unexpected end of data in fixed field")
            yield number, wire, int.from_bytes(buf[pos : pos + width], "little")
            pos += width
        else:
            raise WireError(f"illegal wireType {wire}")


def packed_varints(wire: int, value: int | bytes) -> list[int]:
    """A repeated varint field element: packed (bytes) or one unpacked value."""
    if isinstance(value, int):
        if wire != VARINT:
            raise WireError("unexpected wire type for a varint field")
        return [value]
    out: list[int] = []
    pos = 0
    while pos < len(value):
        item, pos = read_varint(value, pos)
        out.append(item)
    return out


# One varint's bytes (at most ten), and a run of whole varints: the regex engine splits and
# checks packed fields at C speed, where a Python loop would touch every byte.
_ONE_VARINT = re.compile(rb"[\x80-\xff]{0,9}[\x00-\x7f]")
_WHOLE_VARINTS = re.compile(rb"(?:[\x80-\xff]{0,9}[\x00-\x7f])*")


def check_varints(payload: bytes) -> None:
    """Raise WireError unless `payload` is a run of whole varints (a packed field)."""
    if _WHOLE_VARINTS.fullmatch(payload) is None:
        pos = 0
        while pos < len(payload):  # find the exact fault for the message
            pos = read_varint(payload, pos)[1]


def split_varints(payload: bytes) -> list[bytes]:
    """Each varint of a packed field as its own bytes; the caller has checked `payload`."""
    return _ONE_VARINT.findall(payload)


def uvarints(payload: bytes, *, as_int64: bool = False) -> list[int]:
    """The varints of a packed field, read in one loop; as_int64 reads them as signed."""
    out: list[int] = []
    append = out.append
    value = shift = 0
    for byte in payload:
        if byte < 0x80:
            if shift < 63:
                append(value | byte << shift)
            else:  # a ten-byte varint: only here can it pass 64 bits or be negative
                value = (value | byte << shift) & _MASK64
                append(signed(value) if as_int64 else value)
            value = shift = 0
        else:
            value |= (byte & 0x7F) << shift
            shift += 7
            if shift >= 70:
                raise WireError("varint overflow")
    if shift:
        raise WireError("unexpected end of data in varint")
    return out


def pack_varints(values: Iterable[int]) -> bytes:
    """The payload of a packed field; negative int64s take ten bytes, as in `varint`."""
    out = bytearray()
    append = out.append
    for value in values:
        if 0 <= value < 0x80:
            append(value)
            continue
        value &= _MASK64
        while value >= 0x80:
            append((value & 0x7F) | 0x80)
            value >>= 7
        append(value)
    return bytes(out)


_ONE_BYTE = [bytes((i,)) for i in range(0x80)]


def signed(value: int) -> int:
    """An int64 read as uint64 back to its signed value."""
    return value - (1 << 64) if value >= 1 << 63 else value


def varint(value: int) -> bytes:
    if 0 <= value < 0x80:
        return _ONE_BYTE[value]
    value &= _MASK64  # negative int64s are ten bytes of two's complement
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def tag(number: int, wire: int) -> bytes:
    return varint(number << 3 | wire)


def varint_field(number: int, value: int) -> bytes:
    return tag(number, VARINT) + varint(value)


def bytes_field(number: int, value: bytes) -> bytes:
    return tag(number, BYTES) + varint(len(value)) + value


def raw_field(number: int, wire: int, value: int | bytes) -> bytes:
    """Re-encode a field exactly as `fields` yielded it."""
    if isinstance(value, bytes):
        return bytes_field(number, value)
    if wire == VARINT:
        return varint_field(number, value)
    width = 8 if wire == FIXED64 else 4
    return tag(number, wire) + value.to_bytes(width, "little")
