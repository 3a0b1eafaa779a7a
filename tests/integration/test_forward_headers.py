"""Opt-in forwarded headers (forward_headers.py) end to end: a client's `X-Custom`
travels through `alloylite run` on both routes; credentials named only on the
receiving side, and headers nobody named, never reach the backend."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import grpc

from alloylite.components.pyroscope.appendable import RawSample
from alloylite.components.pyroscope.push import PUSH_PATH, Series, encode_push_request
from tests.integration.agent import free_port, start_agent
from tests.integration.fake_pyroscope import FakePyroscope
from tests.integration.test_grpc_clients import PROFILE


def config(port: int, backend: str) -> str:
    return f"""
pyroscope.receive_http "default" {{
  http {{
    listen_address = "127.0.0.1"
    listen_port    = {port}
    http2 {{
      enabled = true
    }}
  }}
  forward_headers = ["X-Custom", "Authorization"]
  forward_to      = [pyroscope.write.backend.receiver]
}}

pyroscope.write "backend" {{
  endpoint {{
    url             = "{backend}"
    headers         = {{ "X-Custom" = "static" }}
    forward_headers = ["X-Custom"]
  }}
}}
"""


def test_named_headers_travel_on_push_and_ingest(tmp_path: Path) -> None:
    port = free_port()
    body = encode_push_request(
        [Series(labels=[("service_name", "hdr-push")], samples=[RawSample("", PROFILE)])]
    )
    with FakePyroscope() as fake:
        agent = start_agent(config(port, fake.url), tmp_path)
        try:
            with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
                metadata = (("x-custom", "from-push"), ("authorization", "Bearer client-secret"))
                assert channel.unary_unary(PUSH_PATH)(body, timeout=30, metadata=metadata) == b""
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/ingest?name=hdr-ingest&format=pprof",
                data=PROFILE,
                headers={"X-Custom": "from-ingest", "Authorization": "Bearer client-secret"},
            )
            with urllib.request.urlopen(request, timeout=30) as resp:
                assert resp.status == 200
            # Without the header the endpoint's static value is sent.
            bare = urllib.request.Request(
                f"http://127.0.0.1:{port}/ingest?name=hdr-bare&format=pprof", data=PROFILE
            )
            with urllib.request.urlopen(bare, timeout=30) as resp:
                assert resp.status == 200
        finally:
            assert agent.stop() == 0
    by_service = {}
    for req in fake.requests:
        name = req.labels()["service_name"] if req.is_push else req.query["name"]
        by_service[name.split("{")[0]] = req
    assert by_service["hdr-push"].header_values("X-Custom") == ["from-push"]
    assert by_service["hdr-ingest"].header_values("X-Custom") == ["from-ingest"]
    assert by_service["hdr-bare"].header_values("X-Custom") == ["static"]
    for req in fake.requests:
        assert req.header_values("Authorization") == []
        assert b"client-secret" not in req.body
        labels = req.labels() if req.is_push else {}
        assert not any(k.startswith("__header_") for k in labels)
