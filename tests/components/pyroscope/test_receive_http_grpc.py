"""gRPC, gRPC-Web and HTTP/2 on receive_http's push route, with real clients.

grpcio (Google's C-core client) over h2c and over TLS, httpx over h2c (prior
knowledge) and HTTP/1.1, raw sockets where the bytes matter (gRPC's chunked
HTTP/1.1 trailers among them; spec alloy-profiling-components.md §5).
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import ssl
import struct
import threading
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc as grpcio
import httpx
import pytest

from alloylite.components.pyroscope.appendable import RawSample
from alloylite.components.pyroscope.push import (
    MAX_PUSH_ELEMENTS,
    Series,
    encode_push_request,
    encode_push_request_json,
)
from alloylite.components.pyroscope.receive_http import (
    HTTP2Arguments,
    TLSArguments,
    grpc_push,
    http1_trailers,
)
from tests.components.pyroscope.receive_http_support import make_args, run, running
from tests.components.pyroscope.recorder import Recorder

PUSH = "/push.v1.PusherService/Push"
SERIES = [
    Series(
        labels=[("__name__", "process_cpu"), ("service_name", "svc")],
        samples=[RawSample(id="", raw_profile=b"\x1f\x8bprofile")],
    )
]
BODY = encode_push_request(SERIES)
H2C = {"http_http2": HTTP2Arguments(enabled=True)}


def envelope(payload: bytes, flags: int = 0) -> bytes:
    return struct.pack(">BI", flags, len(payload)) + payload


def url(component: Any) -> str:
    return f"http://127.0.0.1:{component.port}{PUSH}"


async def grpcio_push(target: str, body: bytes, **kwargs: Any) -> tuple[Any, Any]:
    """A Push through grpcio's asyncio client; (status code, details)."""
    async with grpcio.aio.insecure_channel(target) as channel:
        call = channel.unary_unary(PUSH)
        try:
            await call(body, **kwargs)
        except grpcio.aio.AioRpcError as err:
            return err.code(), err.details()
        return grpcio.StatusCode.OK, ""


@pytest.mark.parametrize("compression", [None, grpcio.Compression.Gzip])
def test_grpcio_over_h2c_forwards_the_series(compression: Any) -> None:
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec], **H2C)) as c:
            code, _ = await grpcio_push(f"127.0.0.1:{c.port}", BODY, compression=compression)
            assert code == grpcio.StatusCode.OK
            assert len(rec.pushed) == 1
            assert dict(rec.pushed[0])["service_name"] == "svc"
            assert rec.pushes[0][1] == SERIES[0].samples

    run(main())


def test_grpcio_sees_the_backend_failure_as_internal_with_the_alloy_message() -> None:
    async def main() -> None:
        rec = Recorder(fail=RuntimeError("wtf ü 100%"))
        async with running(make_args([rec], **H2C)) as c:
            code, details = await grpcio_push(f"127.0.0.1:{c.port}", BODY)
            assert code == grpcio.StatusCode.INTERNAL
            assert details.startswith('unable to append series {__name__="process_cpu", ')
            assert details.endswith(' service_name="svc"} to appendable 0: wtf ü 100%')

    run(main())


def test_grpc_timeout_becomes_the_deadline_of_the_forward() -> None:
    async def main() -> None:
        rec = Recorder(gate=asyncio.Event())
        async with running(make_args([rec], **H2C)) as c:
            before = time.monotonic()
            code, _ = await grpcio_push(f"127.0.0.1:{c.port}", BODY, timeout=0.5)
            # The client's own timer and the server's answer at the deadline (Alloy's
            # `internal` for receivers still busy) race; either proves the deadline held.
            assert code in (grpcio.StatusCode.DEADLINE_EXCEEDED, grpcio.StatusCode.INTERNAL)
            rec.gate.set()  # type: ignore[union-attr]
            # The forward was given the caller's deadline, not the server's 30 s.
            assert rec.entered == 1

        assert time.monotonic() - before < 10

    run(main())


def test_grpc_timeout_reaches_the_appendable() -> None:
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec], **H2C)) as c:
            before = time.monotonic()
            code, _ = await grpcio_push(f"127.0.0.1:{c.port}", BODY, timeout=5)
            assert code == grpcio.StatusCode.OK
            deadline = rec.pushes[0][2]
            assert deadline is not None and before < deadline <= before + 5.5

    run(main())


@pytest.mark.parametrize("codec", ["proto", "json"])
def test_httpx_h2c_prior_knowledge_grpc_with_trailers(codec: str) -> None:
    async def main() -> None:
        rec = Recorder()
        body = encode_push_request(SERIES) if codec == "proto" else encode_push_request_json(SERIES)
        ctype = "application/grpc" if codec == "proto" else "application/grpc+json"
        async with (
            running(make_args([rec], **H2C)) as c,
            httpx.AsyncClient(http1=False, http2=True) as client,
        ):
            resp = await client.post(
                url(c), content=envelope(body), headers={"content-type": ctype}
            )
            assert resp.http_version == "HTTP/2"
            assert resp.status_code == 200
            assert resp.headers["content-type"] == ctype
            assert resp.headers["grpc-accept-encoding"] == "gzip"
            assert resp.content == envelope(b"{}" if codec == "json" else b"")
            assert "grpc-status" not in resp.headers  # it is a trailer
            assert len(rec.pushes) == 1

    run(main())


def test_connect_over_h2c_works_too() -> None:
    async def main() -> None:
        rec = Recorder()
        async with (
            running(make_args([rec], **H2C)) as c,
            httpx.AsyncClient(http1=False, http2=True) as client,
        ):
            headers = {"content-type": "application/proto"}
            resp = await client.post(url(c), content=BODY, headers=headers)
            assert (resp.http_version, resp.status_code) == ("HTTP/2", 200)
            assert len(rec.pushes) == 1

    run(main())


@pytest.mark.parametrize("accept_gzip", [False, True])
def test_grpc_web_over_http1_success_has_a_trailer_envelope(accept_gzip: bool) -> None:
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec])) as c, httpx.AsyncClient() as client:
            headers = {"content-type": "application/grpc-web+proto"}
            if accept_gzip:
                headers["grpc-accept-encoding"] = "gzip"
            resp = await client.post(url(c), content=envelope(BODY), headers=headers)
            assert resp.status_code == 200
            assert resp.headers["content-type"] == "application/grpc-web+proto"
            trailer = envelope(b"grpc-status: 0\r\n", 0x80)
            if accept_gzip:
                assert resp.headers["grpc-encoding"] == "gzip"
                first_len = struct.unpack(">I", resp.content[1:5])[0]
                assert resp.content[0] == 1
                assert gzip.decompress(resp.content[5 : 5 + first_len]) == b""
                assert resp.content[5 + first_len :] == trailer
            else:
                assert resp.content == envelope(b"") + trailer
            assert len(rec.pushes) == 1

    run(main())


@pytest.mark.parametrize(
    ("body", "headers", "status", "message"),
    [
        (b"", {}, "12", "unary request has zero messages"),
        (envelope(BODY) * 2, {}, "12", "unary request has multiple messages"),
        (
            envelope(BODY)[:-3],
            {},
            "3",
            "protocol error: promised {n} bytes in enveloped message, got {m} bytes",
        ),
        (b"\x00\x00", {}, "3", "protocol error: incomplete envelope: unexpected EOF"),
        (
            envelope(gzip.compress(BODY), 1),
            {},
            "13",
            "protocol error: sent compressed message without compression support",
        ),
        (
            envelope(BODY),
            {"grpc-encoding": "br"},
            "12",
            'unknown compression "br": supported encodings are gzip',
        ),
        (
            envelope(BODY),
            {"grpc-timeout": "5x"},
            "3",
            "protocol error: timeout has invalid unit 'x'",
        ),
        (
            envelope(BODY),
            {"grpc-timeout": "123456789S"},
            "3",
            'protocol error: timeout "123456789S" is too long',
        ),
        (envelope(b"\xff\xff"), {}, "3", None),
    ],
)
def test_grpc_web_errors_are_trailers_only_headers(
    body: bytes, headers: dict[str, str], status: str, message: str | None
) -> None:
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec])) as c, httpx.AsyncClient() as client:
            sent = {"content-type": "application/grpc-web", **headers}
            resp = await client.post(url(c), content=body, headers=sent)
            assert resp.status_code == 200
            assert resp.content == b""
            assert resp.headers["grpc-status"] == status
            if message is not None:
                expected = message.format(n=len(BODY), m=len(BODY) - 3).replace("'", "'")
                assert resp.headers["grpc-message"] == expected
            else:
                assert resp.headers["grpc-message"].startswith("unmarshal message: ")
            assert rec.pushes == []

    run(main())


def _grpc_http1_request(body: bytes, version: str = "1.1") -> bytes:
    return (
        f"POST {PUSH} HTTP/{version}\r\nHost: x\r\nContent-Type: application/grpc\r\n"
        f"TE: trailers\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


async def _read_responses(port: int, data: bytes, count: int) -> bytes:
    """Send `data` on one connection and read until `count` chunked responses ended."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    seen = b""
    while seen.count(b"\r\n0\r\n") < count or not seen.endswith(b"\r\n\r\n"):
        chunk = await asyncio.wait_for(reader.read(65536), 10)
        assert chunk, f"connection closed after {seen!r}"
        seen += chunk
    writer.close()
    return seen


def test_grpc_over_http1_sends_its_status_in_chunked_trailers() -> None:
    # As Go's server under connect-go: HTTP 200, a chunked body, and grpc-status
    # (and grpc-message) in the trailer section of the last chunk, also when there
    # is no message; the connection stays usable (two requests pipelined).
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec])) as c:
            data = _grpc_http1_request(envelope(BODY)) + _grpc_http1_request(b"")
            seen = await _read_responses(c.port, data, 2)
            head = (
                b"HTTP/1.1 200 OK\r\ncontent-type: application/grpc\r\n"
                b"grpc-accept-encoding: gzip\r\ntransfer-encoding: chunked\r\n\r\n"
            )
            ok = head + b"5\r\n" + envelope(b"") + b"\r\n0\r\ngrpc-status: 0\r\n\r\n"
            failed = (
                head + b"0\r\ngrpc-status: 12\r\n"
                b"grpc-message: unary request has zero messages\r\n\r\n"
            )
            assert seen == ok + failed
            assert len(rec.pushes) == 1

    run(main())


def test_grpc_over_http1_0_keeps_its_status_in_headers() -> None:
    # HTTP/1.0 has no chunked coding, so no trailers: the status goes in the
    # headers (Go's server would lose it).
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec])) as c:
            data = _grpc_http1_request(envelope(BODY), version="1.0")
            reply = await asyncio.to_thread(_raw_exchange, c.port, data)
            head, _, body = reply.partition(b"\r\n\r\n")
            assert b"grpc-status: 0" in head.split(b"\r\n")
            assert b"transfer-encoding" not in head.lower()
            assert body == envelope(b"")
            assert len(rec.pushes) == 1

    run(main())


class _Cycle:
    """The parts of uvicorn's request cycle http1_trailers.py uses."""

    def __init__(self, version: str, method: str) -> None:
        self.scope: dict[str, Any] = {"http_version": version, "method": method}
        self.disconnected = False
        self.chunked_encoding = True
        self.sent: list[dict[str, Any]] = []
        self.written: list[bytes] = []
        self.transport = self
        self.flow = self
        self.write_paused = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)


def test_trailer_fields_that_would_split_the_response_are_refused() -> None:
    async def main() -> None:
        cycle = _Cycle("1.1", "POST")
        http1_trailers.install(cycle)
        assert cycle.scope["extensions"] == {"http.response.trailers": {}}
        start = {"type": "http.response.start", "status": 200, "trailers": True}
        await cycle.send({**start, "headers": [(b"Content-Length", b"5")]})
        assert cycle.sent[0]["headers"] == [(b"transfer-encoding", b"chunked")]
        smuggled = [(b"x", b"1\r\n\r\nHTTP/1.1 200 OK")]
        with pytest.raises(RuntimeError, match="Invalid HTTP trailer field"):
            await cycle.send({"type": "http.response.trailers", "headers": smuggled})
        assert cycle.written == []

    run(main())


@pytest.mark.parametrize(("version", "method"), [("1.0", "POST"), ("1.1", "HEAD")])
def test_http1_0_and_head_requests_are_offered_no_trailers(version: str, method: str) -> None:
    cycle = _Cycle(version, method)
    http1_trailers.install(cycle)
    assert "extensions" not in cycle.scope


def test_gzip_envelope_with_grpc_encoding_is_inflated() -> None:
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec])) as c, httpx.AsyncClient() as client:
            headers = {"content-type": "application/grpc-web", "grpc-encoding": "gzip"}
            resp = await client.post(
                url(c), content=envelope(gzip.compress(BODY), 1), headers=headers
            )
            assert resp.headers.get("grpc-status") is None
            assert resp.content.endswith(envelope(b"grpc-status: 0\r\n", 0x80))
            assert rec.pushes[0][1] == SERIES[0].samples

    run(main())


def test_a_declared_gigabyte_is_refused_from_its_header() -> None:
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec])) as c:
            reader, writer = await asyncio.open_connection("127.0.0.1", c.port)
            head = struct.pack(">BI", 0, 1 << 30)
            # Chunked, and only the 5-byte envelope header is ever sent.
            writer.write(
                f"POST {PUSH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/grpc-web\r\n"
                "Transfer-Encoding: chunked\r\n\r\n5\r\n".encode()
                + head
                + b"\r\n"
            )
            await writer.drain()
            reply = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 20)
            writer.close()
            assert reply.startswith(b"HTTP/1.1 200 ")
            assert b"grpc-status: 8\r\n" in reply
            limit = 256 * 1024 * 1024
            message = f"message size {1 << 30} is larger than configured max {limit}"
            assert f"grpc-message: {message}\r\n".encode() in reply
            assert rec.entered == 0

    run(main())


def test_ten_thousand_messages_are_refused_as_multiple() -> None:
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec])) as c, httpx.AsyncClient() as client:
            body = envelope(BODY) * 10_000
            headers = {"content-type": "application/grpc-web"}
            resp = await client.post(url(c), content=body, headers=headers)
            assert resp.headers["grpc-status"] == "12"
            assert resp.headers["grpc-message"] == "unary request has multiple messages"
            assert rec.pushes == []

    run(main())


def test_unknown_content_type_gets_415_with_every_accepted_type() -> None:
    async def main() -> None:
        async with running(make_args([])) as c, httpx.AsyncClient() as client:
            resp = await client.post(
                url(c), content=b"", headers={"content-type": "application/grpc-web-text"}
            )
            assert resp.status_code == 415
            accepted = resp.headers["accept-post"].split(", ")
            assert accepted == sorted(accepted)
            for ctype in ("application/grpc", "application/grpc-web+json", "application/proto"):
                assert ctype in accepted

    run(main())


def _raw_exchange(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


def test_preface_without_h2c_gets_alloys_redirect_and_close() -> None:
    async def main() -> None:
        async with running(make_args([])) as c:
            preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
            reply = await asyncio.to_thread(_raw_exchange, c.port, preface)
            head = reply.split(b"\r\n")
            assert head[0] == b"HTTP/1.1 301 Moved Permanently"
            assert b"Location: /%2A" in head
            assert b"Content-Length: 0" in head
            assert b"Connection: close" in head

    run(main())


def test_http1_still_served_when_h2c_is_on() -> None:
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec], **H2C)) as c, httpx.AsyncClient() as client:
            resp = await client.post(
                url(c), content=BODY, headers={"content-type": "application/proto"}
            )
            assert (resp.http_version, resp.status_code) == ("HTTP/1.1", 200)

    run(main())


def test_http2_block_settings_are_announced() -> None:
    async def main() -> None:
        block = replace(HTTP2Arguments(enabled=True), max_concurrent_streams=7)
        async with running(make_args([], http_http2=block)) as c:
            import h2.connection
            import h2.settings

            conn = h2.connection.H2Connection()
            conn.initiate_connection()
            reader, writer = await asyncio.open_connection("127.0.0.1", c.port)
            writer.write(conn.data_to_send())
            await writer.drain()
            data = await asyncio.wait_for(reader.read(65536), 10)
            conn.receive_data(data)
            assert conn.remote_settings.max_concurrent_streams == 7
            writer.close()

    run(main())


def test_grpcio_over_tls_negotiates_h2_by_alpn_without_the_http2_block(pki: Path) -> None:
    tls = TLSArguments(cert_file=str(pki / "server.pem"), key_file=str(pki / "server.key"))

    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec], http_tls=tls)) as c:
            creds = grpcio.ssl_channel_credentials((pki / "ca.pem").read_bytes())
            async with grpcio.aio.secure_channel(f"127.0.0.1:{c.port}", creds) as channel:
                await channel.unary_unary(PUSH)(BODY, timeout=20)
            assert len(rec.pushes) == 1
            # HTTP/1.1 over TLS is still served.
            ctx = ssl.create_default_context(cafile=str(pki / "ca.pem"))
            async with httpx.AsyncClient(verify=ctx) as client:
                resp = await client.post(
                    f"https://127.0.0.1:{c.port}{PUSH}",
                    content=BODY,
                    headers={"content-type": "application/proto"},
                )
                assert (resp.http_version, resp.status_code) == ("HTTP/1.1", 200)

    run(main())


def test_tenant_from_grpc_metadata_becomes_the_tenant_label() -> None:
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec], forward_tenant=True, **H2C)) as c:
            target = f"127.0.0.1:{c.port}"
            code, _ = await grpcio_push(target, BODY, metadata=(("x-scope-orgid", "team-a"),))
            assert code == grpcio.StatusCode.OK
            assert dict(rec.pushed[0])["__tenant_id__"] == "team-a"
            code, details = await grpcio_push(target, BODY, metadata=(("x-scope-orgid", ".."),))
            assert code == grpcio.StatusCode.INVALID_ARGUMENT
            assert details == "tenant ID is '.' or '..'"
            assert len(rec.pushes) == 1

    run(main())


def test_without_forward_tenant_the_header_is_dropped_as_in_alloy() -> None:
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec], **H2C)) as c:
            target = f"127.0.0.1:{c.port}"
            code, _ = await grpcio_push(target, BODY, metadata=(("x-scope-orgid", "..."),))
            assert code == grpcio.StatusCode.OK
            assert "__tenant_id__" not in dict(rec.pushed[0])

    run(main())


async def _upgrade_push(
    port: int, body: bytes, ctype: str
) -> tuple[bytes, dict[bytes, bytes], bytes]:
    """An `Upgrade: h2c` request driven by the h2 package's client side: (101 head,
    HTTP/2 response headers and trailers of stream 1, its body)."""
    import h2.connection

    conn = h2.connection.H2Connection()
    settings = conn.initiate_upgrade_connection()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"POST {PUSH} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\n"
        f"Upgrade: h2c\r\nHTTP2-Settings: {settings.decode()}\r\nContent-Type: {ctype}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    fields, data = await _h2_response(conn, reader, writer)
    return head, fields, data


async def _h2_response(
    conn: Any, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> tuple[dict[bytes, bytes], bytes]:
    """Drive an h2 client connection until stream 1 ends: its headers and
    trailers, and its body."""
    import h2.events

    writer.write(conn.data_to_send())
    await writer.drain()
    fields: dict[bytes, bytes] = {}
    data = b""
    done = False
    while not done:
        chunk = await asyncio.wait_for(reader.read(65536), 10)
        assert chunk, "connection closed before the response ended"
        for event in conn.receive_data(chunk):
            if isinstance(event, (h2.events.ResponseReceived, h2.events.TrailersReceived)):
                fields.update(dict(event.headers))
            elif isinstance(event, h2.events.DataReceived):
                data += event.data
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                done = True
        writer.write(conn.data_to_send())
    writer.close()
    return fields, data


def test_a_tenant_header_of_a_megabyte_is_answered_on_every_protocol() -> None:
    # 1 MB is under Go's 1 MiB head limit on HTTP/1.1 and HTTP/2 alike, so the
    # request is served, and its tenant refused by Pyroscope's rules.
    tenant = "t" * 1_000_000
    refused = b"tenant ID is too long: max 150 characters"

    async def main() -> None:
        import h2.connection

        rec = Recorder()
        async with running(make_args([rec], forward_tenant=True, **H2C)) as c:
            async with httpx.AsyncClient() as client:
                headers = {"content-type": "application/proto", "x-scope-orgid": tenant}
                resp = await client.post(url(c), content=BODY, headers=headers)
                assert resp.status_code == 400
                assert resp.json() == {"code": "invalid_argument", "message": refused.decode()}
                headers["content-type"] = "application/grpc-web"
                resp = await client.post(url(c), content=envelope(BODY), headers=headers)
                assert (resp.headers["grpc-status"], resp.headers["grpc-message"]) == (
                    "3",
                    refused.decode(),
                )
            request = _grpc_http1_request(envelope(BODY)).replace(
                b"\r\n\r\n", f"\r\nX-Scope-OrgID: {tenant}\r\n\r\n".encode(), 1
            )
            seen = await _read_responses(c.port, request, 1)
            assert seen.endswith(b"0\r\ngrpc-status: 3\r\ngrpc-message: " + refused + b"\r\n\r\n")
            # HTTP/2 (prior knowledge): the header list crosses many CONTINUATION frames.
            conn = h2.connection.H2Connection()
            conn.initiate_connection()
            reader, writer = await asyncio.open_connection("127.0.0.1", c.port)
            request_headers = [
                (":method", "POST"),
                (":path", PUSH),
                (":scheme", "http"),
                (":authority", "127.0.0.1"),
                ("content-type", "application/grpc"),
                ("x-scope-orgid", tenant),
            ]
            conn.send_headers(1, request_headers)
            conn.send_data(1, envelope(BODY), end_stream=True)
            fields, _ = await _h2_response(conn, reader, writer)
            assert (fields[b"grpc-status"], fields[b"grpc-message"]) == (b"3", refused)
            assert rec.pushes == []

    run(main())


def test_upgrade_h2c_serves_the_request_over_http2() -> None:
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec], **H2C)) as c:
            head, fields, data = await _upgrade_push(c.port, envelope(BODY), "application/grpc")
            assert head.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
            assert fields[b":status"] == b"200"
            assert fields[b"grpc-status"] == b"0"
            assert data == envelope(b"")
            assert len(rec.pushes) == 1
            assert rec.pushes[0][1] == SERIES[0].samples

    run(main())


def test_a_grpc_push_of_too_many_elements_is_resource_exhausted_decoded_off_the_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Issue 10's bounds hold on the gRPC route too: the element count, and a large
    # message decoded in a worker thread.
    threads: list[threading.Thread] = []
    decode = grpc_push._decode

    def spy(*args: Any) -> list[Series]:
        threads.append(threading.current_thread())
        return decode(*args)

    monkeypatch.setattr(grpc_push, "_decode", spy)
    body = envelope(b"\x0a\x00" * (MAX_PUSH_ELEMENTS + 10))  # empty series

    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec])) as c, httpx.AsyncClient() as client:
            headers = {"content-type": "application/grpc-web"}
            resp = await client.post(url(c), content=body, headers=headers)
            assert resp.status_code == 200
            assert resp.headers["grpc-status"] == "8"  # resource_exhausted
            assert resp.headers["grpc-message"].startswith(
                f"push request has more than {MAX_PUSH_ELEMENTS} series"
            )
            assert rec.entered == 0

    run(main())
    assert len(threads) == 1 and threads[0] is not threading.main_thread()


def test_an_h2c_connection_outlives_the_http1_read_deadline() -> None:
    # The HTTP/1.1 read deadline starts at accept; a connection handed to HTTP/2 by
    # its preface must not be closed by it.
    async def main() -> None:
        rec = Recorder()
        args = make_args([rec], http_server_read_timeout=timedelta(seconds=0.2), **H2C)
        async with (
            running(args) as c,
            httpx.AsyncClient(http1=False, http2=True) as client,
        ):
            headers = {"content-type": "application/grpc"}
            first = await client.post(url(c), content=envelope(BODY), headers=headers)
            assert (first.http_version, first.status_code) == ("HTTP/2", 200)
            assert len(rec.pushes) == 1
            await asyncio.sleep(1.0)  # five read deadlines
            assert c._server is not None and c._server.open_connections == 1
            second = await client.post(url(c), content=envelope(BODY), headers=headers)
            assert second.status_code == 200
            assert len(rec.pushes) == 2

    run(main())
