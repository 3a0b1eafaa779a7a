"""The `http` > `tls` block's `min_version` is enforced: a client that cannot speak
it fails the handshake, and nothing is forwarded."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest

from alloylite.components.pyroscope.receive_http import TLSArguments
from tests.components.pyroscope.receive_http_support import make_args, run, running
from tests.components.pyroscope.recorder import Recorder


def client_context(ca: Path, version: ssl.TLSVersion) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(ca))
    ctx.minimum_version = version
    ctx.maximum_version = version
    return ctx


@pytest.mark.parametrize(
    ("min_version", "client", "accepted"),
    [
        ("TLS13", ssl.TLSVersion.TLSv1_3, True),
        ("TLS13", ssl.TLSVersion.TLSv1_2, False),
        ("TLS12", ssl.TLSVersion.TLSv1_2, True),
        ("", ssl.TLSVersion.TLSv1_2, True),  # Alloy's default minimum is TLS 1.2
    ],
)
def test_min_version(
    pki: Path,
    min_version: str,
    client: ssl.TLSVersion,  # noqa: F811
    accepted: bool,
) -> None:
    tls = TLSArguments(
        cert_file=str(pki / "server.pem"),
        key_file=str(pki / "server.key"),
        min_version=min_version,
    )

    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec], http_tls=tls)) as c:
            url = f"https://127.0.0.1:{c.port}/ingest?name=app"
            async with httpx.AsyncClient(verify=client_context(pki / "ca.pem", client)) as http:
                if accepted:
                    resp = await http.post(url, content=b"profile")
                    assert resp.status_code == 200
                else:
                    with pytest.raises(httpx.ConnectError):
                        await http.post(url, content=b"profile")
            # The server is unharmed by a refused handshake.
            good = client_context(pki / "ca.pem", ssl.TLSVersion.TLSv1_3)
            async with httpx.AsyncClient(verify=good) as http:
                assert (await http.post(url, content=b"next")).status_code == 200
        assert [i[0].raw_body for i in rec.ingests] == ([b"profile"] if accepted else []) + [
            b"next"
        ]

    run(main())
