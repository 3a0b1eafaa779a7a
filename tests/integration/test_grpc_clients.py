"""Real gRPC, gRPC-Web and Connect clients through `alloylite run` to the fake Pyroscope.

The Buf CLI (`buf curl`, from the `buf-bin` package) in its three protocols, over
h2c prior knowledge and over HTTP/1.1, and grpcio over h2c; both over TLS (h2 by
ALPN): each pushes a profile that arrives with its bytes and labels (and, with
`forward_tenant`, its tenant), and a backend failure reaches each client as
gRPC/Connect `internal`. (`buf curl` never speaks gRPC over HTTP/1.1: its
`--protocol grpc` implies `--http2-prior-knowledge` on http:// URLs.)
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import grpc
import pytest

from alloylite.components.pyroscope.appendable import RawSample
from alloylite.components.pyroscope.push import PUSH_PATH, Series, encode_push_request
from tests.components.pyroscope.conftest import make_pki
from tests.integration.agent import free_port, start_agent
from tests.integration.fake_pyroscope import FakePyroscope, Reply

SCHEMA = Path(__file__).with_name("proto") / "push.proto"
PROFILE = b"\x1f\x8b\x08\x00fake-pprof"


H2C = """http2 {
      enabled = true
    }"""


def config(port: int, backend: str, listener: str = H2C) -> str:
    """The agent forwarding tenants; `listener` goes in the `http` block."""
    return f"""
pyroscope.receive_http "default" {{
  http {{
    listen_address = "127.0.0.1"
    listen_port    = {port}
    {listener}
  }}
  forward_tenant = true
  forward_to     = [pyroscope.write.backend.receiver]
}}

pyroscope.write "backend" {{
  endpoint {{
    url                 = "{backend}"
    tenant_from_label   = "override"
    max_backoff_retries = 1
  }}
}}
"""


def grpcio_body(service: str) -> bytes:
    series = Series(
        labels=[("__name__", "process_cpu"), ("service_name", service)],
        samples=[RawSample(id="", raw_profile=PROFILE)],
    )
    return encode_push_request([series])


def buf_push(
    port: int, protocol: str, http2: bool, service: str, *extra: str, scheme: str = "http"
) -> subprocess.CompletedProcess[str]:
    buf = shutil.which("buf")
    assert buf is not None, "the Buf CLI is missing: pip install buf-bin (the test extra)"
    request = {
        "series": [
            {
                "labels": [
                    {"name": "__name__", "value": "process_cpu"},
                    {"name": "service_name", "value": service},
                ],
                "samples": [{"rawProfile": base64.b64encode(PROFILE).decode(), "ID": "id-1"}],
            }
        ]
    }
    args = [buf, "curl", "--schema", str(SCHEMA), "--protocol", protocol, "-d", json.dumps(request)]
    args += ["-H", f"X-Scope-OrgID: tenant-{protocol}"]
    if http2:
        args.append("--http2-prior-knowledge")
    args += [*extra, f"{scheme}://127.0.0.1:{port}{PUSH_PATH}"]
    return subprocess.run(args, capture_output=True, text=True, timeout=60)


CASES = [
    ("connect", False),
    ("connect", True),
    ("grpc", True),
    ("grpcweb", False),
    ("grpcweb", True),
]


def test_buf_curl_every_protocol_reaches_the_backend(tmp_path: Path) -> None:
    port = free_port()
    with FakePyroscope() as fake:
        agent = start_agent(config(port, fake.url), tmp_path)
        try:
            for protocol, http2 in CASES:
                done = buf_push(port, protocol, http2, f"svc-{protocol}-{int(http2)}")
                assert done.returncode == 0, (protocol, http2, done.stderr)
                assert json.loads(done.stdout) == {}
            # A backend that refuses: every client gets `internal` with Alloy's message.
            fake.default = Reply(status=400, connect_code="invalid_argument")
            for protocol, http2 in CASES:
                done = buf_push(port, protocol, http2, "svc-refused")
                assert done.returncode != 0
                error = json.loads(done.stderr)
                assert error["code"] == "internal", (protocol, http2, done.stderr)
                assert error["message"].startswith("unable to append series {")
        finally:
            assert agent.stop() == 0
    pushes = [r for r in fake.requests if r.is_push]
    arrived = {p.labels()["service_name"]: p for p in pushes}
    for protocol, http2 in CASES:
        push = arrived[f"svc-{protocol}-{int(http2)}"]
        assert push.series is not None
        assert push.series[0].samples == [RawSample(id="id-1", raw_profile=PROFILE)]
        assert push.header_values("X-Scope-OrgID") == [f"tenant-{protocol}"]


@pytest.mark.parametrize("backend_status", [200, 503])
def test_grpcio_through_the_agent(tmp_path: Path, backend_status: int) -> None:
    port = free_port()
    body = grpcio_body("grpcio-app")
    with FakePyroscope() as fake:
        fake.default = Reply(status=backend_status)
        agent = start_agent(config(port, fake.url), tmp_path)
        try:
            with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
                call = channel.unary_unary(PUSH_PATH)
                metadata = (("x-scope-orgid", "grpc-tenant"),)
                if backend_status == 200:
                    assert call(body, timeout=30, metadata=metadata) == b""
                else:
                    with pytest.raises(grpc.RpcError) as err:
                        call(body, timeout=30, metadata=metadata)
                    assert err.value.code() == grpc.StatusCode.INTERNAL  # type: ignore[attr-defined]
        finally:
            assert agent.stop() == 0
    pushes = [r for r in fake.requests if r.is_push]
    assert pushes
    assert pushes[0].labels()["service_name"] == "grpcio-app"
    assert pushes[0].header_values("X-Scope-OrgID") == ["grpc-tenant"]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_pki(tmp_path_factory.mktemp("pki"))


def test_grpc_over_tls_negotiates_h2_by_alpn(tmp_path: Path, pki: Path) -> None:
    # grpcio (HTTP/2 only) and `buf curl --protocol grpc` over https, with no
    # `http2` block: both need h2 from ALPN, as in Alloy (§5.4). Each push lands
    # under its tenant, and a refusing backend reaches both as `internal`.
    port = free_port()
    tls = f'tls {{\n cert_file = "{pki / "server.pem"}"\n key_file = "{pki / "server.key"}"\n }}'
    creds = grpc.ssl_channel_credentials((pki / "ca.pem").read_bytes())
    buf_tls = ("-v", "--cacert", str(pki / "ca.pem"))

    def grpcio_push() -> None:
        with grpc.secure_channel(f"127.0.0.1:{port}", creds) as channel:
            metadata = (("x-scope-orgid", "tls-tenant"),)
            call = channel.unary_unary(PUSH_PATH)
            assert call(grpcio_body("grpcio-tls"), timeout=30, metadata=metadata) == b""

    with FakePyroscope() as fake:
        agent = start_agent(config(port, fake.url, tls), tmp_path)
        try:
            grpcio_push()
            done = buf_push(port, "grpc", False, "buf-tls", *buf_tls, scheme="https")
            assert done.returncode == 0, done.stderr
            assert "HTTP/2.0 200 OK" in done.stderr  # -v: the protocol ALPN chose
            fake.default = Reply(status=503)
            with pytest.raises(grpc.RpcError) as err:
                grpcio_push()
            assert err.value.code() == grpc.StatusCode.INTERNAL  # type: ignore[attr-defined]
            done = buf_push(port, "grpc", False, "buf-tls", *buf_tls, scheme="https")
            assert done.returncode != 0
            assert '"code": "internal"' in done.stdout + done.stderr
        finally:
            assert agent.stop() == 0
    arrived = {p.labels()["service_name"]: p for p in fake.requests if p.is_push}
    assert arrived["grpcio-tls"].header_values("X-Scope-OrgID") == ["tls-tenant"]
    assert arrived["buf-tls"].header_values("X-Scope-OrgID") == ["tenant-grpc"]
    series = arrived["buf-tls"].series
    assert series is not None and series[0].samples == [RawSample(id="id-1", raw_profile=PROFILE)]
