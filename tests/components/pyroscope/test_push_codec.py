"""The hand-written push codec against real protobuf (descriptors built in Python)
and against protojson's rules for the Connect JSON form."""

from __future__ import annotations

import base64
import json

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from hypothesis import given
from hypothesis import strategies as st

from alloylite.components.pyroscope.appendable import RawSample
from alloylite.components.pyroscope.connect import code_from_http_status, parse_error
from alloylite.components.pyroscope.push import (
    DecodeError,
    Series,
    decode_push_request,
    decode_push_request_json,
    encode_push_request,
    encode_push_request_json,
    encode_single_series,
)


def _reference_classes() -> tuple[type, type]:
    """PushRequest as protobuf itself sees it, from the field table of spec §2.1."""
    f = descriptor_pb2.FileDescriptorProto(
        name="push_test.proto", package="push.v1", syntax="proto3"
    )
    t = descriptor_pb2.FieldDescriptorProto
    rep, opt = t.LABEL_REPEATED, t.LABEL_OPTIONAL

    def msg(name: str, fields: list[tuple[str, int, int, int, str]]) -> None:
        m = f.message_type.add(name=name)
        for fname, num, label, ftype, type_name in fields:
            fd = m.field.add(name=fname, number=num, label=label, type=ftype)
            if type_name:
                fd.type_name = type_name
            if fname == "ID":
                fd.json_name = "ID"

    msg("LabelPair", [("name", 1, opt, t.TYPE_STRING, ""), ("value", 2, opt, t.TYPE_STRING, "")])
    msg(
        "ProfileAnnotation",
        [("key", 1, opt, t.TYPE_STRING, ""), ("value", 2, opt, t.TYPE_STRING, "")],
    )
    msg("RawSample", [("raw_profile", 1, opt, t.TYPE_BYTES, ""), ("ID", 2, opt, t.TYPE_STRING, "")])
    msg(
        "RawProfileSeries",
        [
            ("labels", 1, rep, t.TYPE_MESSAGE, ".push.v1.LabelPair"),
            ("samples", 2, rep, t.TYPE_MESSAGE, ".push.v1.RawSample"),
            ("annotations", 3, rep, t.TYPE_MESSAGE, ".push.v1.ProfileAnnotation"),
        ],
    )
    msg("PushRequest", [("series", 1, rep, t.TYPE_MESSAGE, ".push.v1.RawProfileSeries")])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    req = message_factory.GetMessageClass(pool.FindMessageTypeByName("push.v1.PushRequest"))
    series = message_factory.GetMessageClass(pool.FindMessageTypeByName("push.v1.RawProfileSeries"))
    return req, series


PushRequestPB, _ = _reference_classes()

text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
series_strategy = st.lists(
    st.builds(
        Series,
        labels=st.lists(st.tuples(text, text), max_size=4),
        samples=st.lists(
            st.builds(RawSample, id=text, raw_profile=st.binary(max_size=40)), max_size=3
        ),
        annotations=st.lists(st.tuples(text, text), max_size=2),
    ),
    max_size=3,
)


def _to_pb(series: list[Series]):  # noqa: ANN202
    msg = PushRequestPB()
    for s in series:
        out = msg.series.add()
        for n, v in s.labels:
            out.labels.add(name=n, value=v)
        for sample in s.samples:
            out.samples.add(raw_profile=sample.raw_profile, ID=sample.id)
        for k, v in s.annotations:
            out.annotations.add(key=k, value=v)
    return msg


@given(series_strategy)
def test_encoding_matches_protobuf(series: list[Series]) -> None:
    ours = encode_push_request(series)
    assert ours == _to_pb(series).SerializeToString(deterministic=True)
    assert decode_push_request(ours) == series


@given(series_strategy)
def test_json_round_trip_matches_protojson(series: list[Series]) -> None:
    ours = encode_push_request_json(series)
    assert decode_push_request_json(ours) == series
    # protobuf's own protojson output decodes to the same series
    theirs = json_format.MessageToJson(_to_pb(series)).encode()
    assert decode_push_request_json(theirs) == series


def test_single_series_wire_bytes() -> None:
    body = encode_single_series(
        (("__name__", "cpu"), ("service_name", "a")), [RawSample(id="u", raw_profile=b"\x1f\x8b")]
    )
    assert body == (
        b"\x0a\x2d"  # series
        b"\x0a\x0f\x0a\x08__name__\x12\x03cpu"
        b"\x0a\x11\x0a\x0cservice_name\x12\x01a"
        b"\x12\x07\x0a\x02\x1f\x8b\x12\x01u"
    )


def test_decode_skips_unknown_fields_of_every_wire_type() -> None:
    msg = _to_pb([Series([("a", "b")], [RawSample("i", b"p")])]).SerializeToString()
    extra = b"\x10\x96\x01" + b"\x19" + b"\x00" * 8 + b"\x25" + b"\x00" * 4 + b"\x22\x01z"
    assert decode_push_request(msg + extra) == [Series([("a", "b")], [RawSample("i", b"p")])]


@pytest.mark.parametrize(
    "data",
    [
        b"\x0a",  # truncated length
        b"\x0a\x05\x0a\x01",  # length past the end
        b"\x0a\x80",  # truncated varint
        b"\x08\x01",  # series with varint wire type
        b"\x0a\x02\x08\x01",  # labels with varint wire type
        b"\x0b",  # group wire type
        b"\x00\x00",  # field number 0
        b"\x0a\x04\x0a\x02\x0a\xff",  # truncated label name
        b"\x0a\x05\x0a\x03\x0a\x01\xff",  # invalid UTF-8 name
    ],
)
def test_decode_rejects_malformed(data: bytes) -> None:
    with pytest.raises(DecodeError):
        decode_push_request(data)


def test_non_strict_utf8_keeps_bytes_as_surrogates() -> None:
    data = b"\x0a\x07\x0a\x05\x0a\x01a\x12\x00" + b"\x0a\x07\x0a\x05\x0a\x01b\x12\x00"
    assert decode_push_request(data)[0].labels == [("a", "")]
    bad = b"\x0a\x07\x0a\x05\x0a\x01a\x12\x00"[:0] + b"\x0a\x06\x0a\x04\x12\x02\xff\xfe"
    with pytest.raises(DecodeError):
        decode_push_request(bad)
    (series,) = decode_push_request(bad, strict_utf8=False)
    assert series.labels == [("", "\udcff\udcfe")]


def test_json_accepts_protojson_variants() -> None:
    raw = b"\x00\xff\xfe binary"
    doc = {
        "series": [
            {
                "labels": [{"name": "a", "value": "b"}, {"name": "c"}],
                "samples": [
                    {"raw_profile": base64.urlsafe_b64encode(raw).decode().rstrip("="), "ID": "x"},
                    {"rawProfile": base64.b64encode(raw).decode()},
                    {},
                ],
                "unknownField": 1,
            }
        ]
    }
    (series,) = decode_push_request_json(json.dumps(doc).encode())
    assert series.labels == [("a", "b"), ("c", "")]
    assert series.samples == [RawSample("x", raw), RawSample("", raw), RawSample("", b"")]
    assert decode_push_request_json(b"{}") == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"series": {}}',
        b'{"series": [1]}',
        b'{"series": [{"labels": [{"name": 1}]}]}',
        b'{"series": [{"samples": [{"rawProfile": "!!!"}]}]}',
        b'{"series": [{"samples": [{"ID": 5}]}]}',
        b"\xff\xfe",
    ],
)
def test_json_rejects_malformed(body: bytes) -> None:
    with pytest.raises(DecodeError):
        decode_push_request_json(body)


def test_connect_error_parsing() -> None:
    assert parse_error(400, b'{"code":"invalid_argument","message":"bad"}') == (
        "invalid_argument",
        "bad",
    )
    assert parse_error(503, b"<html>down</html>", "text/html") == ("unavailable", "HTTP status 503")
    assert parse_error(429, b"slow down") == ("unavailable", "HTTP status 429")
    assert parse_error(500, b'{"code":"nope"}') == ("unknown", "HTTP status 500")
    assert code_from_http_status(400) == "internal"
    assert code_from_http_status(418) == "unknown"
