"""pyroscope.write's transport: TLS (CA, server_name, skip-verify, client certificates),
HTTP/1.1 over TLS, redirects, proxies and connection reuse under concurrency."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

import h2.config
import h2.connection
import h2.events
import pytest

from alloylite.components.pyroscope.appendable import IncomingProfile, RawSample, WriteStatusError
from alloylite.components.pyroscope.write.arguments import TLSConfig
from alloylite.components.pyroscope.write.component import WriteError
from alloylite.eval.values import Secret

from .write_support import Backend, Reply, endpoint, make_write, run

PROFILE = IncomingProfile(
    raw_body=b"\x1f\x8bbody",
    content_type=("application/octet-stream",),
    url="/ingest?format=pprof",
    labels=(("__name__", "app"), ("service_name", "app")),
)


def server_context(pki: Path, require_client_cert: bool = False) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki / "server.pem", pki / "server.key")
    if require_client_cert:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(pki / "ca.pem")
    return ctx


@pytest.mark.parametrize("http2", [False, True])
def test_https_with_ca_pem_speaks_http11(pki: Path, http2: bool) -> None:
    async def main() -> None:
        async with Backend(ssl_context=server_context(pki)) as b:
            tls = TLSConfig(ca_pem=(pki / "ca.pem").read_text())
            h = make_write([endpoint(b.url, tls_config=tls, enable_http2=http2)])
            await h.receiver.append_ingest(PROFILE)
            (req,) = b.requests
            assert req.version == "HTTP/1.1"
            assert req.body == PROFILE.raw_body

    run(main)


def test_https_unknown_ca_fails_without_delivering(pki: Path) -> None:
    async def main() -> None:
        async with Backend(ssl_context=server_context(pki)) as b:
            h = make_write([endpoint(b.url, max_backoff_retries=1)])
            with pytest.raises(WriteError, match="(?i)certificate"):
                await h.receiver.append_ingest(PROFILE)
            assert b.requests == []

    run(main)


def test_insecure_skip_verify(pki: Path) -> None:
    async def main() -> None:
        async with Backend(ssl_context=server_context(pki)) as b:
            tls = TLSConfig(insecure_skip_verify=True)
            h = make_write([endpoint(b.url, tls_config=tls)])
            await h.receiver.append_ingest(PROFILE)
            assert len(b.requests) == 1

    run(main)


def test_server_name_is_verified(pki: Path) -> None:
    async def main() -> None:
        async with Backend(ssl_context=server_context(pki)) as b:
            ca = str(pki / "ca.pem")
            good = make_write(
                [endpoint(b.url, tls_config=TLSConfig(ca_file=ca, server_name="pyroscope.test"))]
            )
            await good.receiver.append_ingest(PROFILE)
            bad = make_write(
                [
                    endpoint(
                        b.url,
                        max_backoff_retries=1,
                        tls_config=TLSConfig(ca_file=ca, server_name="other.test"),
                    )
                ]
            )
            with pytest.raises(WriteError):
                await bad.receiver.append_ingest(PROFILE)
            assert len(b.requests) == 1

    run(main)


def test_client_certificate_for_mtls(pki: Path) -> None:
    async def main() -> None:
        async with Backend(ssl_context=server_context(pki, require_client_cert=True)) as b:
            ca = (pki / "ca.pem").read_text()
            with_cert = TLSConfig(
                ca_pem=ca,
                cert_pem=(pki / "client.pem").read_text(),
                key_pem=Secret((pki / "client.key").read_text()),
            )
            h = make_write([endpoint(b.url, tls_config=with_cert)])
            await h.receiver.append_ingest(PROFILE)
            from_files = TLSConfig(
                ca_pem=ca, cert_file=str(pki / "client.pem"), key_file=str(pki / "client.key")
            )
            h2 = make_write([endpoint(b.url, tls_config=from_files)])
            await h2.receiver.append_ingest(PROFILE)
            without = make_write(
                [endpoint(b.url, max_backoff_retries=1, tls_config=TLSConfig(ca_pem=ca))]
            )
            with pytest.raises(WriteError):
                await without.receiver.append_ingest(PROFILE)
            assert len(b.requests) == 2

    run(main)


# ------------------------------------------------------------------ redirects


def test_307_resends_the_body_and_keeps_auth_on_the_same_origin() -> None:
    async def main() -> None:
        script = [Reply(307, [("Location", "/elsewhere/ingest?x=1")]), Reply(200)]
        async with Backend(script) as b:
            h = make_write([endpoint(b.url, bearer_token=Secret("tok"))])
            await h.receiver.append_ingest(PROFILE)
            first, second = b.requests
            assert second.method == "POST" and second.target == "/elsewhere/ingest?x=1"
            assert second.body == PROFILE.raw_body
            assert second.header("Authorization") == "Bearer tok"

    run(main)


def test_cross_origin_redirect_drops_credentials() -> None:
    async def main() -> None:
        async with Backend() as target:
            async with Backend([Reply(308, [("Location", target.url + "/ingest")])]) as b:
                h = make_write([endpoint(b.url, bearer_token=Secret("tok"))])
                await h.receiver.append_ingest(PROFILE)
            (req,) = target.requests
            assert req.body == PROFILE.raw_body
            assert req.header("Authorization") is None

    run(main)


def test_cross_origin_redirect_drops_every_http_headers_value() -> None:
    async def main() -> None:
        headers = {"X-Api-Token": [Secret("s3cret")], "Cookie": [Secret("c")]}
        async with Backend() as target:
            async with Backend(
                [
                    Reply(307, [("Location", "/again/ingest")]),
                    Reply(308, [("Location", target.url + "/ingest")]),
                ]
            ) as b:
                h = make_write([endpoint(b.url, http_headers=headers)])
                await h.receiver.append_ingest(PROFILE)
                assert b.requests[1].header("X-Api-Token") == "s3cret"  # same origin: kept
            (req,) = target.requests
            assert req.body == PROFILE.raw_body
            assert req.header("X-Api-Token") is None
            assert req.header("Cookie") is None

    run(main)


def test_follow_redirects_false_makes_3xx_final() -> None:
    async def main() -> None:
        async with Backend([Reply(307, [("Location", "/x")])]) as b:
            h = make_write([endpoint(b.url, follow_redirects=False)])
            with pytest.raises(WriteStatusError) as err:
                await h.receiver.append_ingest(PROFILE)
            assert err.value.status_code == 307
            assert len(b.requests) == 1

    run(main)


# --------------------------------------------------------------------- proxy


def test_proxy_url_receives_the_absolute_form_request() -> None:
    async def main() -> None:
        async with Backend() as proxy:
            ep = endpoint("http://pyroscope.invalid:4040/base", proxy_url=proxy.url)
            h = make_write([ep])
            await h.receiver.append_ingest(PROFILE)
            (req,) = proxy.requests
            assert req.target.startswith("http://pyroscope.invalid:4040/base/ingest?")
            assert req.body == PROFILE.raw_body

    run(main)


# --------------------------------------------------------------- concurrency


def test_concurrent_appends_each_arrive_once_and_connections_are_reused() -> None:
    async def main() -> None:
        async with Backend() as b:
            h = make_write([endpoint(b.url)])
            for round_ in range(2):
                profiles = [
                    IncomingProfile(
                        f"body-{round_}-{i}".encode(),
                        PROFILE.content_type,
                        PROFILE.url,
                        PROFILE.labels,
                    )
                    for i in range(40)
                ]
                await asyncio.gather(*(h.receiver.append_ingest(p) for p in profiles))
            bodies = sorted(r.body for r in b.requests)
            assert bodies == sorted(f"body-{r}-{i}".encode() for r in range(2) for i in range(40))
            assert b.connections <= 40

    run(main)


def test_no_proxy_bypasses_and_connect_headers_reach_the_proxy() -> None:
    async def main() -> None:
        async with Backend() as proxy, Backend() as direct:
            bypassed = endpoint(direct.url, proxy_url=proxy.url, no_proxy="10.0.0.0/8,127.0.0.1")
            proxied = endpoint(
                "http://pyroscope.invalid:4040",
                proxy_url=proxy.url,
                no_proxy=".example.com",
                proxy_connect_header={"X-Proxy-Token": [Secret("pt")]},
            )
            h = make_write([bypassed, proxied])
            await h.receiver.append_ingest(PROFILE)
            assert len(direct.requests) == 1
            (req,) = proxy.requests
            assert req.target.startswith("http://pyroscope.invalid:4040/ingest?")
            assert req.header("X-Proxy-Token") == "pt"

    run(main)


def test_proxy_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    async def main() -> None:
        async with Backend() as proxy, Backend() as direct:
            monkeypatch.setenv("HTTP_PROXY", proxy.url)
            monkeypatch.setenv("NO_PROXY", "skip.invalid")
            h = make_write(
                [
                    endpoint("http://pyroscope.invalid:4040", proxy_from_environment=True),
                    # loopback never goes through an environment proxy (as in Go)
                    endpoint(direct.url, proxy_from_environment=True),
                ]
            )
            await h.receiver.append_ingest(PROFILE)
            assert len(proxy.requests) == 1 and len(direct.requests) == 1
            assert proxy.requests[0].target.startswith("http://pyroscope.invalid:4040/")

    run(main)


def test_http_headers_are_added_on_both_paths() -> None:
    async def main() -> None:
        async with Backend() as b:
            ep = endpoint(
                b.url,
                headers={"X-A": "1"},
                http_headers={"X-A": [Secret("2")], "X-B": [Secret("3")]},
            )
            h = make_write([ep])
            await h.receiver.append_ingest(PROFILE)
            await h.receiver.append((("service_name", "s"),), [RawSample("i", b"p")])
            for req in b.requests:
                assert req.headers_named("X-A") == ["1", "2"]
                assert req.header("X-B") == "3"

    run(main)


# ---------------------------------------------------------------------- HTTP/2


class _H2Backend:
    """A minimal HTTP/2-over-TLS server (ALPN h2) built on the h2 library: it
    answers 200 to every stream and records (headers, body)."""

    def __init__(self, ctx: ssl.SSLContext) -> None:
        ctx.set_alpn_protocols(["h2"])
        self._ctx = ctx
        self.streams: list[tuple[dict[str, str], bytes]] = []
        self._server: asyncio.AbstractServer | None = None
        self.port = 0

    async def __aenter__(self) -> _H2Backend:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self._ctx)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        conn.initiate_connection()
        writer.write(conn.data_to_send())
        headers: dict[int, dict[str, str]] = {}
        bodies: dict[int, bytes] = {}
        try:
            while data := await reader.read(65536):
                for event in conn.receive_data(data):
                    if isinstance(event, h2.events.RequestReceived):
                        headers[event.stream_id] = {
                            k.decode(): v.decode() for k, v in event.headers
                        }
                    elif isinstance(event, h2.events.DataReceived):
                        bodies[event.stream_id] = bodies.get(event.stream_id, b"") + event.data
                        conn.acknowledge_received_data(
                            event.flow_controlled_length, event.stream_id
                        )
                    elif isinstance(event, h2.events.StreamEnded):
                        sid = event.stream_id
                        self.streams.append((headers[sid], bodies.get(sid, b"")))
                        conn.send_headers(
                            sid, [(":status", "200"), ("content-length", "0")], end_stream=True
                        )
                writer.write(conn.data_to_send())
                await writer.drain()
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()


def test_enable_http2_negotiates_h2_over_tls(pki: Path) -> None:
    async def main() -> None:
        async with _H2Backend(server_context(pki)) as b:
            tls = TLSConfig(ca_pem=(pki / "ca.pem").read_text())
            h = make_write([endpoint(f"https://127.0.0.1:{b.port}", tls_config=tls)])
            await h.receiver.append_ingest(PROFILE)
            await h.receiver.append((("service_name", "s"),), [RawSample("i", b"p")])
            (ingest_headers, ingest_body), (push_headers, _) = b.streams
            assert ingest_headers[":path"].startswith("/ingest?")
            assert ingest_body == PROFILE.raw_body
            assert push_headers[":path"] == "/push.v1.PusherService/Push"
            assert push_headers["content-type"] == "application/proto"

    run(main)


def test_bad_tls_material_fails_the_build_with_a_clean_message(pki: Path) -> None:
    from alloylite.components.pyroscope.write.errors import ClientError

    with pytest.raises(ClientError, match="unable to load tls_config ca_file /nonexistent"):
        make_write([endpoint("https://127.0.0.1:1", tls_config=TLSConfig(ca_file="/nonexistent"))])
    with pytest.raises(ClientError, match="unable to load tls_config ca_pem"):
        make_write([endpoint("https://127.0.0.1:1", tls_config=TLSConfig(ca_pem="junk"))])
    key = Secret("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    bad_key = TLSConfig(cert_pem=(pki / "client.pem").read_text(), key_pem=key)
    with pytest.raises(ClientError) as err:
        make_write([endpoint("https://127.0.0.1:1", tls_config=bad_key)])
    assert "not a key" not in str(err.value)
