"""The forwarding benchmark sends what it claims: valid gzip'd pprof of the stated sizes,
Go-style multipart bodies and push requests that Pyroscope would accept.

The pprof check uses a minimal protobuf wire decoder written here (not the encoder under
test) and checks the references inside a profile (string indices, location and function
ids), which a broken encoder would get wrong. No timing: the benchmark itself is run by hand.
"""

from __future__ import annotations

import email.parser
import email.policy
import gzip
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from alloylite.components.pyroscope.push import decode_push_request
from bench.forward.payloads import GO_CPU, NODE_HEAP, build_payloads, pprof_near_size

Fields = dict[int, list[int | bytes]]


def decode_message(buf: bytes) -> Fields:
    """Protobuf wire format: varint (0), 64-bit (1), length-delimited (2), 32-bit (5)."""
    out: Fields = {}
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            length, pos = _varint(buf, pos)
            assert pos + length <= len(buf), "length-delimited field runs past the end"
            value, pos = buf[pos : pos + length], pos + length
        elif wire == 1:
            value, pos = int.from_bytes(buf[pos : pos + 8], "little"), pos + 8
        elif wire == 5:
            value, pos = int.from_bytes(buf[pos : pos + 4], "little"), pos + 4
        else:
            raise AssertionError(f"bad wire type {wire}")
        assert number > 0
        out.setdefault(number, []).append(value)
    assert pos == len(buf)
    return out


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
        assert shift < 70, "varint too long"


def packed(values: list[int | bytes]) -> list[int]:
    out: list[int] = []
    for chunk in values:
        if isinstance(chunk, int):  # unpacked encoding is legal too
            out.append(chunk)
            continue
        pos = 0
        while pos < len(chunk):
            v, pos = _varint(chunk, pos)
            out.append(v)
    return out


def check_pprof(raw: bytes) -> Fields:
    """Decode a Profile and check it is internally consistent."""
    profile = decode_message(raw)
    strings = [s.decode() for s in profile[6]]  # type: ignore[union-attr]
    assert strings[0] == ""

    def string(idx: int | bytes) -> str:
        assert isinstance(idx, int) and 0 <= idx < len(strings)
        return strings[idx]

    sample_types = [decode_message(v) for v in profile[1]]  # type: ignore[arg-type]
    assert sample_types and all(string(t[1][0]) for t in sample_types)
    functions = {decode_message(f)[1][0]: decode_message(f) for f in profile[5]}  # type: ignore
    for fn in functions.values():
        assert string(fn[2][0]) and string(fn[4][0])
    locations = {}
    for loc_bytes in profile[4]:
        loc = decode_message(loc_bytes)  # type: ignore[arg-type]
        line = decode_message(loc[4][0])  # type: ignore[arg-type]
        assert line[1][0] in functions
        locations[loc[1][0]] = loc
    assert len(profile[2]) > 0
    for sample_bytes in profile[2]:
        sample = decode_message(sample_bytes)  # type: ignore[arg-type]
        assert all(loc_id in locations for loc_id in packed(sample[1]))
        assert len(packed(sample[2])) == len(sample_types)
    period_type = decode_message(profile[11][0])  # type: ignore[arg-type]
    assert string(period_type[1][0]) and string(period_type[2][0])
    assert profile[12][0] > 0 and profile[9][0] > 0
    return profile


@pytest.fixture(scope="module")
def payloads():
    return build_payloads()


@pytest.mark.parametrize(
    ("name", "size"), [("ingest-2k", 2048), ("ingest-12k", 12288), ("ingest-1m", 1 << 20)]
)
def test_raw_ingest_bodies_are_gzipped_pprof_of_the_stated_size(payloads, name, size):
    payload = payloads[name]
    assert payload.body[:2] == b"\x1f\x8b"
    assert abs(len(payload.body) - size) <= size * 0.06
    profile = check_pprof(gzip.decompress(payload.body))
    assert len(profile[2]) > (5 if name == "ingest-2k" else 100)
    query = parse_qs(urlsplit(payload.path).query)
    assert query["format"] == ["pprof"]
    assert query["name"] == ["bench.app{env=bench,region=us-east}"]


def test_multipart_body_is_go_style_with_the_profile_part(payloads):
    payload = payloads["multipart-12k"]
    content_type = dict(payload.headers)["Content-Type"]
    boundary = content_type.split("boundary=")[1]
    assert len(boundary) == 60
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + payload.body
    )
    parts = list(message.iter_parts())
    assert [p.get_param("name", header="content-disposition") for p in parts] == ["profile"]
    assert parts[0].get_filename() == "profile.pprof"
    assert parts[0].get_payload(decode=True) == payloads["ingest-12k"].body
    check_pprof(gzip.decompress(parts[0].get_payload(decode=True)))
    assert "format" not in parse_qs(urlsplit(payload.path).query)


def test_push_body_decodes_with_alloylites_codec_and_holds_a_pprof(payloads):
    payload = payloads["push-12k"]
    assert dict(payload.headers) == {
        "Content-Type": "application/proto",
        "Content-Encoding": "gzip",
    }
    series = decode_push_request(gzip.decompress(payload.body))
    assert len(series) == 1 and len(series[0].samples) == 1
    labels = dict(series[0].labels)
    assert labels["__name__"] == "process_cpu" and labels["service_name"] == "bench.app"
    sample = series[0].samples[0]
    assert uuid.UUID(sample.id).version == 4
    check_pprof(sample.raw_profile)  # uncompressed inside, as pyroscope-rs sends it
    # The hand-decoded wire form agrees with alloylite's decoder.
    request = decode_message(gzip.decompress(payload.body))
    assert len(request[1]) == 1


def test_builders_are_deterministic():
    first = pprof_near_size(GO_CPU, 12 * 1024, seed=12)
    assert pprof_near_size(GO_CPU, 12 * 1024, seed=12) == first
    assert pprof_near_size(GO_CPU, 12 * 1024, seed=13) != first
    heap = check_pprof(pprof_near_size(NODE_HEAP, 2048, seed=2)[0])
    assert len(heap[1]) == 4  # four heap sample types, like @pyroscope/nodejs
