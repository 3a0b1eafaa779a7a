"""The push API messages (`push.v1.PushRequest`, `types.v1.LabelPair`), by hand.

A hand codec instead of generated protobuf classes: the messages are four
length-delimited fields deep, there is no protoc here, and the hot path then
costs one pass over the bytes with no intermediate message objects.

Wire layout (spec pyroscope-protocol.md §2.1):
    PushRequest       1: repeated RawProfileSeries series
    RawProfileSeries  1: repeated LabelPair labels, 2: repeated RawSample samples,
                      3: repeated ProfileAnnotation annotations
    LabelPair         1: string name, 2: string value   (ProfileAnnotation: key, value)
    RawSample         1: bytes raw_profile, 2: string ID
    PushResponse      empty

The Connect JSON form (protojson) uses the names `series`, `labels`, `samples`,
`annotations`, `name`, `value`, `rawProfile` (base64) and `ID`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from alloylite.components.pyroscope.appendable import RawSample
from alloylite.components.pyroscope.memo import Memo, pairs_bytes

CONTENT_TYPE_PROTO = "application/proto"
CONTENT_TYPE_JSON = "application/json"
PUSH_PATH = "/push.v1.PusherService/Push"


# Most series, labels, samples and annotations one push may hold, counted together.
# Each costs a few hundred bytes of Python objects however few bytes it takes on the
# wire (an empty series is 2 bytes), so without a count a small gzipped push could
# decode into gigabytes. A real SDK sends a few series of a few dozen labels.
MAX_PUSH_ELEMENTS = 100_000
# The JSON form is parsed whole before it can be counted, so its objects and arrays
# (`{`, `[`) are counted on the raw bytes first: a series takes up to 4 of them.
MAX_JSON_STRUCTURES = 4 * MAX_PUSH_ELEMENTS


class DecodeError(ValueError):
    """The bytes or JSON are not a valid PushRequest (Connect answers invalid_argument)."""


class TooManyElements(Exception):
    """A push holds more elements than MAX_PUSH_ELEMENTS (Connect: resource_exhausted)."""

    def __init__(self) -> None:
        super().__init__(
            f"push request has more than {MAX_PUSH_ELEMENTS} series, labels, samples "
            "and annotations"
        )


class _Budget:
    """The elements a decode may still create; refuses the push once spent."""

    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = MAX_PUSH_ELEMENTS

    def take(self, n: int = 1) -> None:
        self.left -= n
        if self.left < 0:
            raise TooManyElements


@dataclass(slots=True)
class Series:
    """One `RawProfileSeries`: labels in wire order (duplicates possible), samples, annotations."""

    labels: list[tuple[str, str]]
    samples: list[RawSample]
    annotations: list[tuple[str, str]] = field(default_factory=list)


# --- binary encoding ------------------------------------------------------------


def _varint(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _field(tag: int, payload: bytes) -> bytes:
    return bytes((tag,)) + _varint(len(payload)) + payload


def _pair(name: str, value: str) -> bytes:
    out = b""
    if name:
        out += _field(0x0A, name.encode("utf-8", "surrogateescape"))
    if value:
        out += _field(0x12, value.encode("utf-8", "surrogateescape"))
    return out


def encode_series(series: Series) -> bytes:
    """One RawProfileSeries message body (without its outer tag)."""
    parts: list[bytes] = []
    for name, value in series.labels:
        parts.append(_field(0x0A, _pair(name, value)))
    for sample in series.samples:
        body = b""
        if sample.raw_profile:
            body += _field(0x0A, sample.raw_profile)
        if sample.id:
            body += _field(0x12, sample.id.encode("utf-8", "surrogateescape"))
        parts.append(_field(0x12, body))
    for key, value in series.annotations:
        parts.append(_field(0x1A, _pair(key, value)))
    return b"".join(parts)


def encode_push_request(series: list[Series]) -> bytes:
    """A serialized PushRequest (proto3 binary)."""
    return b"".join(_field(0x0A, encode_series(s)) for s in series)


def encode_single_series(labels: tuple[tuple[str, str], ...], samples: list[RawSample]) -> bytes:
    """The PushRequest pyroscope.write sends: exactly one series (spec §2.3 step 5).

    The same bytes as `encode_push_request([Series(list(labels), samples)])`,
    built on the forwarding hot path with one copy of each profile: headers
    are computed from the lengths and everything is joined once, and the
    label block (the same few label sets again and again) is cached.
    """
    parts: list[bytes] = [b"", _labels_block(labels)]
    size = len(parts[1])
    for sample in samples:
        raw = sample.raw_profile
        sid = sample.id.encode("utf-8", "surrogateescape") if sample.id else b""
        inner = 0
        raw_head = sid_head = b""
        if raw:
            raw_head = b"\x0a" + _varint(len(raw))
            inner += len(raw_head) + len(raw)
        if sid:
            sid_head = b"\x12" + _varint(len(sid))
            inner += len(sid_head) + len(sid)
        head = b"\x12" + _varint(inner)
        parts += (head, raw_head, raw, sid_head, sid)
        size += len(head) + inner
    parts[0] = b"\x0a" + _varint(size)
    return b"".join(parts)


_LABEL_BLOCKS: Memo[tuple[tuple[str, str], ...], bytes] = Memo()


def _labels_block(labels: tuple[tuple[str, str], ...]) -> bytes:
    block = _LABEL_BLOCKS.get(labels)
    if block is None:
        block = b"".join(_field(0x0A, _pair(name, value)) for name, value in labels)
        _LABEL_BLOCKS.put(labels, block, pairs_bytes(labels) + len(block))
    return block


# --- binary decoding ------------------------------------------------------------


def _read_varint(buf: bytes | memoryview, pos: int, end: int) -> tuple[int, int]:
    result = 0
    shift = 0
    while True:
        if pos >= end:
            raise DecodeError("proto: truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise DecodeError("proto: varint overflow")


def _fields(buf: bytes, pos: int, end: int) -> Iterator[tuple[int, int, int]]:
    """(field number, start, end) of each length-delimited field; other wire types
    are skipped as unknown fields, as protobuf's parsers do. A generator, so that
    a message of millions of fields never becomes a list of millions of tuples."""
    while pos < end:
        key, pos = _read_varint(buf, pos, end)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise DecodeError("proto: invalid field number 0")
        if wire == 2:
            length, pos = _read_varint(buf, pos, end)
            if length > end - pos:
                raise DecodeError("proto: truncated length-delimited field")
            yield number, pos, pos + length
            pos += length
            continue
        if wire == 0:
            _, pos = _read_varint(buf, pos, end)
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        else:
            raise DecodeError(f"proto: unsupported wire type {wire}")
        if pos > end:
            raise DecodeError("proto: truncated fixed-width field")
        yield number, -1, -1


def _text(buf: bytes, start: int, end: int, strict: bool) -> str:
    raw = buf[start:end]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        if strict:
            raise DecodeError("proto: string field contains invalid UTF-8") from None
        return raw.decode("utf-8", "surrogateescape")


def _expect_bytes(number: int, start: int, known: set[int]) -> None:
    # A known field with the wrong wire type is what protobuf reports as
    # "wrong wireType"; unknown numbers are fine in any wire type.
    if number in known and start < 0:
        raise DecodeError(f"proto: wrong wireType for field {number}")


def _decode_pair(buf: bytes, start: int, end: int, strict: bool) -> tuple[str, str]:
    name = value = ""
    for number, s, e in _fields(buf, start, end):
        _expect_bytes(number, s, {1, 2})
        if number == 1:
            name = _text(buf, s, e, strict)
        elif number == 2:
            value = _text(buf, s, e, strict)
    return name, value


def _decode_sample(buf: bytes, start: int, end: int, strict: bool) -> RawSample:
    raw = b""
    sample_id = ""
    for number, s, e in _fields(buf, start, end):
        _expect_bytes(number, s, {1, 2})
        if number == 1:
            raw = buf[s:e]
        elif number == 2:
            sample_id = _text(buf, s, e, strict)
    return RawSample(id=sample_id, raw_profile=raw)


def decode_push_request(data: bytes, *, strict_utf8: bool = True) -> list[Series]:
    """Parse a serialized PushRequest.

    With `strict_utf8` (protobuf's proto3 rule) a string with invalid UTF-8 is a
    DecodeError; without it such bytes survive as lone surrogates, so that
    label validation can report them instead. More than MAX_PUSH_ELEMENTS
    elements raise TooManyElements, so the objects built stay bounded.
    """
    data = bytes(data)
    budget = _Budget()
    series: list[Series] = []
    for number, s, e in _fields(data, 0, len(data)):
        _expect_bytes(number, s, {1})
        if number != 1:
            continue
        budget.take()
        one = Series([], [])
        for n2, s2, e2 in _fields(data, s, e):
            _expect_bytes(n2, s2, {1, 2, 3})
            budget.take()
            if n2 == 1:
                one.labels.append(_decode_pair(data, s2, e2, strict_utf8))
            elif n2 == 2:
                one.samples.append(_decode_sample(data, s2, e2, strict_utf8))
            elif n2 == 3:
                one.annotations.append(_decode_pair(data, s2, e2, strict_utf8))
        series.append(one)
    return series


# --- Connect JSON (protojson) ---------------------------------------------------


def _json_pair(key: str, value: str, key_name: str = "name") -> dict[str, str]:
    out: dict[str, str] = {}
    if key:
        out[key_name] = key
    if value:
        out["value"] = value
    return out


def series_to_json(series: list[Series]) -> dict[str, Any]:
    """A PushRequest as protojson would print it (default values omitted)."""
    out: list[dict[str, Any]] = []
    for s in series:
        item: dict[str, Any] = {}
        if s.labels:
            item["labels"] = [_json_pair(n, v) for n, v in s.labels]
        if s.samples:
            samples = []
            for sample in s.samples:
                entry: dict[str, str] = {}
                if sample.raw_profile:
                    entry["rawProfile"] = base64.b64encode(sample.raw_profile).decode("ascii")
                if sample.id:
                    entry["ID"] = sample.id
                samples.append(entry)
            item["samples"] = samples
        if s.annotations:
            item["annotations"] = [_json_pair(k, v, "key") for k, v in s.annotations]
        out.append(item)
    return {"series": out} if out else {}


def encode_push_request_json(series: list[Series]) -> bytes:
    return json.dumps(series_to_json(series), separators=(",", ":")).encode("utf-8")


def _get(obj: dict[str, Any], *names: str) -> Any:
    """protojson accepts both the JSON name and the proto field name."""
    for name in names:
        if name in obj:
            return obj[name]
    return None


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise DecodeError(f"json: {what} must be an array")
    return value


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DecodeError(f"json: {what} must be an object")
    return value


def _str(value: Any, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DecodeError(f"json: {what} must be a string")
    return value


def _b64(value: Any) -> bytes:
    text = _str(value, "rawProfile")
    if not text:
        return b""
    # protojson accepts standard and URL-safe alphabets, padded or not.
    text = text.replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise DecodeError("json: rawProfile is not valid base64") from None


def _json_pairs(items: Any, what: str, key_names: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for item in _list(items, what):
        obj = _obj(item, what)
        out.append(
            (_str(_get(obj, *key_names), f"{what} name"), _str(obj.get("value"), f"{what} value"))
        )
    return out


def decode_push_request_json(data: bytes) -> list[Series]:
    """Parse a protojson PushRequest (`application/json` on the Connect route).

    Bounded like the binary form: too many objects and arrays are refused before
    parsing (TooManyElements), and nesting too deep for the parser is invalid."""
    if data.count(b"{") + data.count(b"[") > MAX_JSON_STRUCTURES:
        raise TooManyElements
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise DecodeError("json: body is not valid JSON") from None
    except RecursionError:
        raise DecodeError("json: body is nested too deeply") from None
    doc = _obj(doc, "request")
    budget = _Budget()
    series: list[Series] = []
    for raw_series in _list(doc.get("series"), "series"):
        obj = _obj(raw_series, "series")
        budget.take(
            1
            + len(_list(obj.get("labels"), "labels"))
            + len(_list(obj.get("samples"), "samples"))
            + len(_list(obj.get("annotations"), "annotations"))
        )
        samples = []
        for raw_sample in _list(obj.get("samples"), "samples"):
            s = _obj(raw_sample, "sample")
            samples.append(
                RawSample(
                    id=_str(s.get("ID"), "ID"),
                    raw_profile=_b64(_get(s, "rawProfile", "raw_profile")),
                )
            )
        series.append(
            Series(
                labels=_json_pairs(obj.get("labels"), "labels", ("name",)),
                samples=samples,
                annotations=_json_pairs(obj.get("annotations"), "annotations", ("key",)),
            )
        )
    return series
