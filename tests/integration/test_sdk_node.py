"""End to end with the real Node.js SDK (@pyroscope/nodejs, the /ingest API):

SDK -> tap -> `alloylite run` (receive_http -> write) -> fake Pyroscope.

.ci/run installs the SDK with `npm install` in tests/integration/node.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from alloylite.components.pyroscope.labels import parse_name
from tests.integration.agent import Tap, free_port, start_agent
from tests.integration.fake_pyroscope import FakePyroscope, decode_pprof
from tests.integration.test_sdk_python import config

NODE_DIR = Path(__file__).with_name("node")


def _node_ready() -> None:
    if shutil.which("node") is None:
        pytest.fail("node is not installed (see .ci/run)")
    if not (NODE_DIR / "node_modules" / "@pyroscope" / "nodejs").is_dir():
        pytest.skip("run npm install in tests/integration/node; .ci/run does")


def test_node_sdk_profiles_arrive_with_labels_credentials_and_exact_bytes(
    tmp_path: Path,
) -> None:
    _node_ready()
    receive_port = free_port()
    with FakePyroscope() as fake:
        agent = start_agent(
            config(receive_port, fake.url),
            tmp_path,
            env=dict(os.environ, BACKEND_PASSWORD="backend-password"),
        )
        try:
            with Tap(f"http://127.0.0.1:{receive_port}") as tap:
                done = subprocess.run(
                    ["node", "app.js", tap.url, "alloylite.test.node", "3"],
                    cwd=NODE_DIR,
                    capture_output=True,
                    timeout=120,
                )
                assert done.returncode == 0, done.stderr.decode(errors="replace")
                sent = [r for r in tap.requests if r.path == "/ingest"]
        finally:
            assert agent.stop() == 0
        assert sent, "the SDK sent nothing"
        received = fake.requests
        assert len(received) == len(sent)

        expected_auth = "Basic " + base64.b64encode(b"backend-user:backend-password").decode()
        by_body = {req.body: req for req in sent}
        kinds = set()
        for req in received:
            assert req.path == "/ingest"
            origin = by_body[req.body]  # the body arrived byte for byte
            assert req.header_values("content-type") == origin.header_values("content-type")
            assert req.header("authorization") == expected_auth
            assert req.header_values("x-scope-orgid") == ["backend-tenant"]
            assert req.header("user-agent") == "Go-http-client/1.1"
            # Every query parameter but `name` is kept as the SDK sent it.
            got, want = req.query, origin.query
            assert got.pop("name") and want.pop("name")
            assert got == want
            assert want["format"] == "pprof" and want["spyName"] == "nodespy"
            labels = parse_name(req.query["name"])
            assert labels == {
                "__name__": "alloylite.test.node",
                "service_name": "alloylite.test.node",
                "region": "us-east",
                "env": "prod",
                "cluster": "test",
                "otel.scope.name": "com.grafana.pyroscope/nodejs",
                "otel.scope.version": labels["otel.scope.version"],
                "process.runtime.name": "nodejs",
                "process.runtime.version": labels["process.runtime.version"],
            }
            profile = decode_pprof(req.body)
            kinds.add(tuple(profile.type_names))
        assert ("samples", "wall") in kinds
