"""Protocol buffers wire format: varints, tags and length-delimited fields.

Only what pprof uses: wire types 0 (varint), 1 (fixed64), 2 (bytes), 5 (fixed32).
Malformed input raises `WireError`, never an IndexError, so callers report one message.
"""

from __future__ import annotations

from collections.abc import Iterator

VARINT, FIXED64, BYTES, FIXED32 = 0, 1, 2, 5
_MASK64 = (1 << 64) - 1


class WireError(ValueError):
    """The bytes are not a valid protobuf message."""


def read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    end = len(buf)
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


def signed(value: int) -> int:
    """An int64 read as uint64 back to its signed value."""
    return value - (1 << 64) if value >= 1 << 63 else value


def varint(value: int) -> bytes:
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


def packed_field(number: int, values: list[int]) -> bytes:
    if not values:
        return b""
    return bytes_field(number, b"".join(varint(v) for v in values))


def raw_field(number: int, wire: int, value: int | bytes) -> bytes:
    """Re-encode a field exactly as `fields` yielded it."""
    if isinstance(value, bytes):
        return bytes_field(number, value)
    if wire == VARINT:
        return varint_field(number, value)
    width = 8 if wire == FIXED64 else 4
    return tag(number, wire) + value.to_bytes(width, "little")
