"""receive_http's listener: reload, graceful shutdown, conn_limit, timeouts, TLS, metrics."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry, generate_latest

from alloylite.components.pyroscope.receive_http import TLSArguments
from alloylite.components.pyroscope.receive_http.server_tls import (
    TLSConfigError,
    build_server_context,
)
from alloylite.eval.values import Secret
from tests.components.pyroscope.receive_http_support import (
    make_args,
    run,
    running,
    seconds,
)
from tests.components.pyroscope.recorder import Recorder
from tests.integration.agent import free_port
from tests.waiting import until


def ingest_url(port: int, scheme: str = "http") -> str:
    return f"{scheme}://127.0.0.1:{port}/ingest?name=app"


async def raw_request(port: int, data: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    return reader, writer


async def read_status(reader: asyncio.StreamReader) -> int:
    line = await reader.readline()
    return int(line.split()[1])


def test_update_with_identical_http_block_keeps_the_server() -> None:
    async def main() -> None:
        first, second = Recorder(), Recorder()
        args = make_args([first])
        async with running(args) as c, httpx.AsyncClient() as client:
            port, server = c.port, c._server
            await c.update(replace(args, forward_to=[second]))
            assert c._server is server and c.port == port
            assert (await client.post(ingest_url(port), content=b"x")).status_code == 200
            assert len(first.ingests) == 0 and len(second.ingests) == 1
            # graceful_shutdown_timeout alone does not restart it either
            await c.update(replace(args, forward_to=[second], graceful_shutdown_timeout=seconds(5)))
            assert c._server is server

    run(main())


def test_update_with_new_port_moves_the_listener_and_finishes_accepted_requests() -> None:
    async def main() -> None:
        gate = asyncio.Event()
        rec = Recorder(gate=gate)
        args = make_args([rec])
        async with running(args) as c, httpx.AsyncClient() as client:
            old_port = c.port
            in_flight = asyncio.create_task(client.post(ingest_url(old_port), content=b"a"))
            await until(lambda: rec.entered >= 1)
            new_http = replace(args.http, listen_port=0, conn_limit=100)
            await c.update(replace(args, http=new_http))
            assert c.port != old_port
            gate.set()
            assert (await in_flight).status_code == 200
            assert (await client.post(ingest_url(c.port), content=b"b")).status_code == 200
            await asyncio.gather(*c._retired)
            with pytest.raises(httpx.ConnectError):
                await client.post(ingest_url(old_port), content=b"c")
            assert [p.raw_body for p, _ in rec.ingests] == [b"a", b"b"]

    run(main())


def test_update_on_the_same_fixed_port_restarts_it() -> None:
    async def main() -> None:
        port = free_port()
        rec = Recorder()
        args = make_args([rec], http_listen_port=port)
        async with running(args) as c, httpx.AsyncClient() as client:
            server = c._server
            await c.update(replace(args, http=replace(args.http, conn_limit=10)))
            assert c._server is not server and c.port == port
            assert (await client.post(ingest_url(port), content=b"x")).status_code == 200

    run(main())


def test_workers_share_the_port_and_a_second_agent_does_not() -> None:
    async def main() -> None:
        port = free_port()
        a, b = Recorder(), Recorder()
        workers = {"workers": 2, "worker_index": 0}
        args_a = make_args([a], http_listen_port=port)
        async with running(args_a, extra=workers) as ca:
            async with running(make_args([b], http_listen_port=port), extra=workers):
                async with httpx.AsyncClient() as client:
                    for _ in range(4):
                        resp = await client.post(ingest_url(port), content=b"x")
                        assert resp.status_code == 200
            # A shared port restarts by binding the new listener first.
            old = ca._server
            await ca.update(replace(args_a, http=replace(args_a.http, conn_limit=5)))
            assert ca._server is not old and ca.port == port
            await asyncio.gather(*ca._retired)
        assert len(a.ingests) + len(b.ingests) == 4
        async with running(make_args([a], http_listen_port=port)):
            with pytest.raises(OSError):
                async with running(make_args([b], http_listen_port=port)):
                    pass

    run(main())


def test_a_failed_restart_is_retried_by_the_next_update() -> None:
    async def main() -> None:
        port = free_port()
        rec = Recorder()
        args = make_args([rec], http_listen_port=port)
        async with running(args) as c:
            broken = TLSArguments(cert_file="/nonexistent/cert.pem", key_file="/nonexistent/key")
            with pytest.raises(ValueError, match="failed to load the server certificate"):
                await c.update(replace(args, http=replace(args.http, tls=broken)))
            fixed = replace(args, http=replace(args.http, conn_limit=7))
            await c.update(fixed)
            async with httpx.AsyncClient() as client:
                assert (await client.post(ingest_url(port), content=b"x")).status_code == 200

    run(main())


def test_graceful_shutdown_finishes_accepted_requests_and_refuses_new_ones() -> None:
    async def main() -> None:
        gate = asyncio.Event()
        rec = Recorder(gate=gate)
        async with httpx.AsyncClient() as client, contextlib.AsyncExitStack() as stack:
            c = await stack.enter_async_context(running(make_args([rec])))
            port = c.port
            in_flight = asyncio.create_task(client.post(ingest_url(port), content=b"x"))
            await until(lambda: rec.entered >= 1)
            closing = asyncio.create_task(stack.aclose())  # cancels run(): shutdown starts
            await until(lambda: c._server is None)
            with pytest.raises(httpx.ConnectError):
                async with httpx.AsyncClient() as other:
                    await other.post(ingest_url(port), content=b"y")
            assert not closing.done()
            gate.set()
            resp = await in_flight
            assert resp.status_code == 200
            await closing
            assert len(rec.ingests) == 1

    run(main())


def test_graceful_shutdown_gives_up_after_the_timeout() -> None:
    async def main() -> None:
        rec = Recorder(gate=asyncio.Event())  # never opens
        args = make_args([rec], graceful_shutdown_timeout=seconds(0.2))
        async with contextlib.AsyncExitStack() as stack:
            c = await stack.enter_async_context(running(args))
            in_flight = asyncio.create_task(raw_request(c.port, _post(b"x")))
            reader, writer = await in_flight
            await until(lambda: rec.entered >= 1)
            await stack.aclose()  # returns although the request never completes
            assert await reader.read() == b""  # the connection was dropped
            writer.close()

    run(main())


def _post(body: bytes, path: str = "/ingest?name=app", extra: str = "") -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
    ).encode()
    return head + body


def test_conn_limit_makes_extra_connections_wait_instead_of_failing() -> None:
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec], http_conn_limit=1)) as c:
            r1, w1 = await raw_request(c.port, _post(b"1"))
            assert await read_status(r1) == 200
            await r1.readuntil(b"\r\n\r\n")
            # The first connection stays open (keep-alive), so the second waits.
            r2, w2 = await raw_request(c.port, _post(b"2"))
            second = asyncio.create_task(read_status(r2))
            w1.write(_post(b"3"))
            assert await read_status(r1) == 200
            await r1.readuntil(b"\r\n\r\n")
            assert not second.done()
            assert [p.raw_body for p, _ in rec.ingests] == [b"1", b"3"]
            w1.close()
            assert await second == 200
            assert [p.raw_body for p, _ in rec.ingests] == [b"1", b"3", b"2"]
            w2.close()

    run(main())


def test_body_over_the_limit_gets_413_before_it_is_read() -> None:
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec], max_request_body_size=1000)) as c:
            # Declares 10 MB but sends only the headers: the answer cannot wait for the body.
            reader, writer = await raw_request(
                c.port,
                b"POST /ingest?name=app HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n",
            )
            assert await read_status(reader) == 413
            writer.close()
            async with httpx.AsyncClient() as client:
                resp = await client.post(ingest_url(c.port), content=b"x" * 1000)
                assert resp.status_code == 200

                async def chunks():  # no Content-Length: chunked transfer
                    for _ in range(20):
                        yield b"y" * 100

                resp = await client.post(ingest_url(c.port), content=chunks())
                assert resp.status_code == 413
            assert len(rec.ingests) == 1

    run(main())


def test_a_stalled_body_times_out_with_408_and_is_counted_as_408() -> None:
    async def main() -> None:
        rec = Recorder()
        registry = CollectorRegistry()
        args = make_args([rec], http_server_read_timeout=seconds(0.3))
        async with running(args, registry) as c:
            reader, writer = await raw_request(
                c.port,
                b"POST /ingest?name=app HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc",
            )
            assert await read_status(reader) == 408
            writer.close()
            assert rec.entered == 0
            counted = (
                'pyroscope_receive_http_request_duration_seconds_count{method="POST",'
                'route="ingest",status_code="408",ws="false"} 1.0'
            )
            # The handler saw a disconnect; the metric must say what the client got.
            await until(lambda: 'route="ingest",status_code=' in generate_latest(registry).decode())
            assert counted in generate_latest(registry).decode()

    run(main())


def test_write_timeout_bounds_a_stuck_forward() -> None:
    async def main() -> None:
        rec = Recorder(gate=asyncio.Event())  # never opens
        async with running(make_args([rec], http_server_write_timeout=seconds(0.3))) as c:
            async with httpx.AsyncClient() as client:
                resp = await client.post(ingest_url(c.port), content=b"x")
                assert resp.status_code == 500

    run(main())


def test_a_client_that_hangs_up_stops_the_forwarding() -> None:
    class Watch(Recorder):
        cancelled = 0

        async def append_ingest(self, profile, deadline=None):  # type: ignore[override]
            try:
                await super().append_ingest(profile, deadline)
            except asyncio.CancelledError:
                self.cancelled += 1
                raise

    async def main() -> None:
        rec = Watch(gate=asyncio.Event())  # never opens: a backend retrying forever
        async with running(make_args([rec])) as c:
            reader, writer = await raw_request(c.port, _post(b"x"))
            await until(lambda: rec.entered >= 1)
            writer.close()
            await until(lambda: rec.cancelled >= 1)
            async with httpx.AsyncClient() as client:  # and the agent carries on
                rec.gate = None
                assert (await client.post(ingest_url(c.port), content=b"y")).status_code == 200

    run(main())


def test_metrics_count_requests_and_connections() -> None:
    async def main() -> None:
        registry = CollectorRegistry()
        async with running(make_args([Recorder()]), registry) as c:
            async with httpx.AsyncClient() as client:
                await client.post(ingest_url(c.port), content=b"x")
                await client.get(ingest_url(c.port))
                text = generate_latest(registry).decode()
                assert 'pyroscope_receive_http_tcp_connections{protocol="http"} 1.0' in text
                limit = 'pyroscope_receive_http_tcp_connections_limit{protocol="http"} 16384.0'
                assert limit in text
                assert (
                    'pyroscope_receive_http_request_duration_seconds_count{method="POST",'
                    'route="ingest",status_code="200",ws="false"} 1.0'
                ) in text
                assert 'status_code="405"' in text

    run(main())


# ---------------------------------------------------------------------- TLS


def test_tls_with_files(pki: Path) -> None:
    tls = TLSArguments(cert_file=str(pki / "server.pem"), key_file=str(pki / "server.key"))

    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec], http_tls=tls)) as c:
            async with httpx.AsyncClient(
                verify=ssl.create_default_context(cafile=str(pki / "ca.pem"))
            ) as client:
                resp = await client.post(ingest_url(c.port, "https"), content=b"x")
                assert resp.status_code == 200
            async with httpx.AsyncClient() as plain:
                with pytest.raises(httpx.HTTPError):
                    await plain.post(ingest_url(c.port, "http"), content=b"x")
        assert len(rec.ingests) == 1

    run(main())


def test_mtls_with_inline_pem_requires_a_client_certificate(pki: Path) -> None:
    tls = TLSArguments(
        cert_pem=(pki / "server.pem").read_text(),
        key_pem=Secret((pki / "server.key").read_text()),
        client_auth_type="RequireAndVerifyClientCert",
        client_ca=(pki / "ca.pem").read_text(),
        min_version="TLS13",
    )

    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec], http_tls=tls)) as c:
            with_cert = ssl.create_default_context(cafile=str(pki / "ca.pem"))
            with_cert.load_cert_chain(str(pki / "client.pem"), str(pki / "client.key"))
            async with httpx.AsyncClient(verify=with_cert) as client:
                resp = await client.post(ingest_url(c.port, "https"), content=b"x")
                assert resp.status_code == 200
            without = ssl.create_default_context(cafile=str(pki / "ca.pem"))
            async with httpx.AsyncClient(verify=without) as client:
                with pytest.raises(httpx.HTTPError):
                    await client.post(ingest_url(c.port, "https"), content=b"x")
            old = ssl.create_default_context(cafile=str(pki / "ca.pem"))
            old.load_cert_chain(str(pki / "client.pem"), str(pki / "client.key"))
            old.maximum_version = ssl.TLSVersion.TLSv1_2
            async with httpx.AsyncClient(verify=old) as client:
                with pytest.raises(httpx.HTTPError):
                    await client.post(ingest_url(c.port, "https"), content=b"x")
        assert len(rec.ingests) == 1

    run(main())


def test_tls_errors_never_show_the_key(pki: Path) -> None:
    key = "-----BEGIN PRIVATE KEY-----\nTOPSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n"
    tls = TLSArguments(cert_pem=(pki / "server.pem").read_text(), key_pem=Secret(key))
    with pytest.raises(TLSConfigError) as info:
        build_server_context(tls)
    assert "TOPSECRET" not in str(info.value)
    with pytest.raises(ValueError, match="at most one of cert_pem and cert_file"):
        TLSArguments(cert_pem="x", cert_file="y", key_file="z").validate()
    with pytest.raises(ValueError, match="client_auth_type"):
        TLSArguments(cert_file="x", key_file="y", client_auth_type="Bogus").validate()
