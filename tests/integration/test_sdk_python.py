"""End to end with the real Python SDK (pyroscope-io, push API):

SDK -> tap -> `alloylite run` (receive_http -> write) -> fake Pyroscope.

Checks the labels (SDK tags, the service_name rule, external labels overriding),
the backend credentials and tenant from the config (never the SDK's), Alloy's
User-Agent, and that every raw pprof reaches the backend byte for byte.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.integration.agent import REPO, Tap, free_port, start_agent
from tests.integration.fake_pyroscope import FakePyroscope, decode_pprof

APP = Path(__file__).with_name("sdk_python_app.py")


def config(receive_port: int, backend: str) -> str:
    return f"""
pyroscope.receive_http "default" {{
  http {{
    listen_address = "127.0.0.1"
    listen_port    = {receive_port}
  }}
  forward_to = [pyroscope.write.backend.receiver]
}}

pyroscope.write "backend" {{
  endpoint {{
    url     = "{backend}"
    headers = {{ "X-Scope-OrgID" = "backend-tenant" }}
    basic_auth {{
      username = "backend-user"
      password = env("BACKEND_PASSWORD")
    }}
  }}
  external_labels = {{
    "env"     = "prod",
    "cluster" = "test",
  }}
}}
"""


def test_python_sdk_profiles_arrive_with_labels_credentials_and_exact_bytes(
    tmp_path: Path,
) -> None:
    receive_port = free_port()
    with FakePyroscope() as fake:
        agent = start_agent(
            config(receive_port, fake.url),
            tmp_path,
            env=dict(os.environ, BACKEND_PASSWORD="backend-password"),
        )
        try:
            with Tap(f"http://127.0.0.1:{receive_port}") as tap:
                env = dict(os.environ, PYTHONPATH=str(REPO))
                done = subprocess.run(
                    [sys.executable, str(APP), tap.url, "alloylite.test.py", "3"],
                    capture_output=True,
                    timeout=120,
                    env=env,
                )
                assert done.returncode == 0, done.stderr.decode(errors="replace")
                sent = [r for r in tap.requests if r.path == "/push.v1.PusherService/Push"]
            # The password never shows in the agent's metrics or component API.
            for path in ("/metrics", "/api/v0/web/components"):
                assert "backend-password" not in httpx.get(agent.api + path).text
        finally:
            assert agent.stop() == 0
        assert "backend-password" not in agent.log()
        assert sent, "the SDK sent nothing"
        received = fake.requests
        # One series per SDK upload, one downstream push per series.
        assert len(received) == len(sent)

        sdk_samples = {}
        for req in sent:
            # What the SDK itself sends (spec pyroscope-protocol.md §6).
            assert req.header("content-type") == "application/proto"
            assert req.header("content-encoding") == "gzip"
            for series in fake._decode_push(req):
                for sample in series.samples:
                    sdk_samples[sample.id] = sample.raw_profile

        expected_auth = "Basic " + base64.b64encode(b"backend-user:backend-password").decode()
        seen = set()
        for req in received:
            assert req.path == "/push.v1.PusherService/Push"
            assert req.header("content-type") == "application/proto"
            assert req.header("connect-protocol-version") == "1"
            assert req.header("authorization") == expected_auth
            assert req.header_values("x-scope-orgid") == ["backend-tenant"]
            assert (req.header("user-agent") or "").startswith("Alloy/")
            assert b"sdk-password" not in repr(req.headers).encode()
            assert req.series is not None and len(req.series) == 1
            labels = req.labels()
            assert labels["__name__"] == "process_cpu"
            assert labels["service_name"] == "alloylite.test.py"
            assert labels["region"] == "us-east"
            assert labels["env"] == "prod"  # the external label overrides the SDK tag
            assert labels["cluster"] == "test"
            # receive_http's service_name rule: the series already had service_name.
            assert labels["app_name"] == "process_cpu"
            assert labels["otel.scope.name"] == "com.grafana.pyroscope/python"
            assert list(labels) == sorted(labels)
            for sample in req.series[0].samples:
                assert sample.raw_profile == sdk_samples[sample.id]  # byte for byte
                seen.add(sample.id)
                profile = decode_pprof(sample.raw_profile)
                assert profile.sample_types == [("cpu", "nanoseconds")]
        assert seen == set(sdk_samples)
        tagged = [decode_pprof(raw).sample_labels for raw in sdk_samples.values()]
        assert any(("handler", "a") in labels for labels in tagged)
