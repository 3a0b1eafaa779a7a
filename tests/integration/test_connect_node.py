"""The Connect-ES Node transports (@connectrpc/connect-node) through `alloylite run`.

tests/integration/node/connect.js pushes one push.v1 profile with the gRPC-Web
transport over HTTP/1.1 and over h2c, with the gRPC and Connect transports over
h2c, and with the gRPC protocol over connect-node's HTTP/1.1 client (where the
status travels in chunked HTTP/1.1 trailers, as from Alloy's Go server): each push
arrives at the fake Pyroscope with its bytes, labels and tenant, each gRPC success
has its status where the protocol puts it (trailers, or gRPC-Web's trailer
envelope), and a backend failure reaches each transport as the Connect code
`internal`.

.ci/run installs the packages with `npm install` in tests/integration/node.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from alloylite.components.pyroscope.appendable import RawSample
from tests.integration.agent import free_port, start_agent
from tests.integration.fake_pyroscope import FakePyroscope, Reply
from tests.integration.test_grpc_clients import PROFILE, config

NODE_DIR = Path(__file__).with_name("node")

# (transport, HTTP version) as connect.js takes them.
CASES = [
    ("grpcweb", "1.1"),
    ("grpcweb", "2"),
    ("grpc", "1.1"),
    ("grpc", "2"),
    ("connect", "2"),
]


def _node_ready() -> None:
    if shutil.which("node") is None:
        pytest.fail("node is not installed (see .ci/run)")
    if not (NODE_DIR / "node_modules" / "@connectrpc" / "connect-node").is_dir():
        pytest.skip("run npm install in tests/integration/node; .ci/run does")


def connect_push(port: int, transport: str, http: str, service: str) -> tuple[int, dict[str, str]]:
    """Push once with connect.js; its exit code and its JSON reply ({} or code/message,
    and grpcStatus: where a gRPC status travelled)."""
    done = subprocess.run(
        ["node", "connect.js", f"http://127.0.0.1:{port}", transport, http, service]
        + [f"X-Scope-OrgID: tenant-{transport}-{http}"],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout, done.stderr
    reply: dict[str, str] = json.loads(done.stdout)
    return done.returncode, reply


def test_connect_node_transports_reach_the_backend(tmp_path: Path) -> None:
    _node_ready()
    port = free_port()
    with FakePyroscope() as fake:
        agent = start_agent(config(port, fake.url), tmp_path)
        try:
            for transport, http in CASES:
                code, reply = connect_push(port, transport, http, f"svc-{transport}-{http}")
                ok = {} if transport == "connect" else {"grpcStatus": "trailer"}
                assert (code, reply) == (0, ok), (transport, http)
            # A backend that refuses: every transport gets `internal` with Alloy's message.
            fake.default = Reply(status=400, connect_code="invalid_argument")
            for transport, http in CASES:
                code, reply = connect_push(port, transport, http, "svc-refused")
                assert code == 1
                assert reply["code"] == "Internal", (transport, http, reply)
                assert reply["message"].startswith("unable to append series {")
        finally:
            assert agent.stop() == 0
    arrived = {p.labels()["service_name"]: p for p in fake.requests if p.is_push}
    for transport, http in CASES:
        push = arrived[f"svc-{transport}-{http}"]
        assert push.series is not None
        assert push.series[0].samples == [RawSample(id="id-1", raw_profile=PROFILE)]
        assert push.header_values("X-Scope-OrgID") == [f"tenant-{transport}-{http}"]
