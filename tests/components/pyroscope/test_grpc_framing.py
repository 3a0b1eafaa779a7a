"""grpc.py and tenant.py as data: framing, timeouts, encodings, tenant rules."""

from __future__ import annotations

import gzip
import struct

import pytest

from alloylite.components.pyroscope import grpc, tenant
from alloylite.components.pyroscope.connect import ConnectError


def env(payload: bytes, flags: int = 0) -> bytes:
    return struct.pack(">BI", flags, len(payload)) + payload


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("1S", 1.0), ("500m", 0.5), ("2M", 120.0), ("3H", 10800.0), ("7u", 7e-6), ("9n", 9e-9)],
)
def test_timeouts(raw: str, seconds: float) -> None:
    assert grpc.parse_timeout(raw) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("10x", "protocol error: timeout has invalid unit 'x'"),
        ("S", 'protocol error: invalid timeout "S"'),
        ("-1S", 'protocol error: invalid timeout "-1S"'),
        ("1.5S", 'protocol error: invalid timeout "1.5S"'),
        ("123456789m", 'protocol error: timeout "123456789m" is too long'),
    ],
)
def test_bad_timeouts(raw: str, message: str) -> None:
    with pytest.raises(ConnectError) as err:
        grpc.parse_timeout(raw)
    assert (err.value.code, err.value.message) == ("invalid_argument", message)


def test_hours_beyond_a_go_duration_mean_no_deadline() -> None:
    assert grpc.parse_timeout("99999999H") is None


@pytest.mark.parametrize(
    ("ctype", "grpc_like", "web", "codec"),
    [
        ("application/grpc", True, False, "application/proto"),
        ("Application/GRPC", True, False, "application/proto"),
        ("application/grpc+json; charset=UTF-8", True, False, "application/json"),
        ("application/grpc-web+proto", True, True, "application/proto"),
        ("application/grpc-web-text", False, None, None),
        ("application/grpc+xml", False, None, None),
        ("application/proto", False, None, None),
    ],
)
def test_content_types(ctype: str, grpc_like: bool, web: bool | None, codec: str | None) -> None:
    assert grpc.is_grpc(ctype) is grpc_like
    if grpc_like:
        call = grpc.negotiate({"content-type": ctype})
        assert (call.web, call.codec, call.content_type) == (web, codec, ctype)


def test_accept_encoding_and_encoding_choose_gzip_replies() -> None:
    assert not grpc.negotiate({"content-type": "application/grpc"}).gzip_response
    accepts = {"content-type": "application/grpc", "grpc-accept-encoding": "identity, gzip"}
    assert grpc.negotiate(accepts).gzip_response
    sends = {"content-type": "application/grpc", "grpc-encoding": "gzip"}
    assert grpc.negotiate(sends).gzip_response


def test_envelope_reader_takes_bytes_in_any_split() -> None:
    body = env(b"hello")
    for cut in range(len(body) + 1):
        reader = grpc.EnvelopeReader(0)
        reader.feed(body[:cut])
        reader.feed(body[cut:])
        assert reader.finish() == (0, b"hello")


def test_envelope_limit_is_checked_on_the_header() -> None:
    reader = grpc.EnvelopeReader(10)
    with pytest.raises(ConnectError, match="message size 11 is larger than configured max 10"):
        reader.feed(struct.pack(">BI", 0, 11))


def test_compressed_payload_needs_grpc_encoding() -> None:
    call = grpc.negotiate({"content-type": "application/grpc", "grpc-encoding": "gzip"})
    assert grpc.payload(call, 1, gzip.compress(b"abc"), 0) == b"abc"
    plain = grpc.negotiate({"content-type": "application/grpc"})
    with pytest.raises(ConnectError) as err:
        grpc.payload(plain, 1, gzip.compress(b"abc"), 0)
    assert err.value.code == "internal"


def test_percent_encoding_of_grpc_message() -> None:
    assert grpc.percent_encode("plain text") == "plain text"
    assert grpc.percent_encode("100% ü\n") == "100%25 %C3%BC%0A"


def test_grpc_reply_forms() -> None:
    call = grpc.negotiate({"content-type": "application/grpc"})
    ok = grpc.response(call, None, can_trail=True)
    assert (ok.body, ok.trailers) == (env(b""), [(b"grpc-status", b"0")])
    failed = grpc.response(call, ConnectError("internal", "x%"), can_trail=True)
    assert failed.body == b""
    assert failed.trailers == [(b"grpc-status", b"13"), (b"grpc-message", b"x%25")]
    # An HTTP/1.1 server without trailers gives the status in headers.
    no_trailers = grpc.response(call, None, can_trail=False)
    assert no_trailers.trailers is None and (b"grpc-status", b"0") in no_trailers.headers


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("team-a", None),
        ("a|b", None),
        ("tenant:metadata/with/slashes", None),
        ("", "no org id"),
        (".", "tenant ID is '.' or '..'"),
        ("x" * 151, "tenant ID is too long: max 150 characters"),
        ("a b", "tenant ID 'a b' contains unsupported character ' '"),
    ],
)
def test_tenant_rules(value: str, error: str | None) -> None:
    if error is None:
        assert tenant.validate(value) == value
    else:
        with pytest.raises(tenant.TenantError, match=error.replace("|", r"\|").replace(".", r"\.")):
            tenant.validate(value)


def test_tenant_label_round_trip() -> None:
    labels = (("__name__", "cpu"), ("service_name", "s"))
    with_t = tenant.with_tenant(labels, "t1")
    assert with_t == (("__name__", "cpu"), ("__tenant_id__", "t1"), ("service_name", "s"))
    assert tenant.split(with_t) == (labels, "t1")
    assert tenant.split(labels) == (labels, None)


def test_tenant_headers_override_or_fall_back() -> None:
    static = [(b"X-Scope-OrgID", b"static"), (b"A", b"1")]
    assert tenant.headers_for(static, "t", "override") == [(b"A", b"1"), (b"X-Scope-OrgID", b"t")]
    assert tenant.headers_for(static, "t", "fallback") == static
    assert tenant.headers_for([(b"A", b"1")], "t", "fallback") == [
        (b"A", b"1"),
        (b"X-Scope-OrgID", b"t"),
    ]
    assert tenant.headers_for(static, "t", "") == static
    assert tenant.headers_for(static, None, "override") == static
