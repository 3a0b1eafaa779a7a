"""Two agents chained, as Alloy's docs describe for gateways:
SDK -> edge alloylite (receive_http -> write) -> gateway alloylite
(receive_http -> write) -> fake Pyroscope.

The edge's write talks Connect to the gateway's receive_http (with
Connect-Timeout-Ms), and forwards /ingest with its rebuilt `name`; both tiers'
external labels arrive, bodies stay byte for byte, and a backend status comes
back through both hops.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import httpx

from alloylite.components.pyroscope.appendable import RawSample
from alloylite.components.pyroscope.labels import parse_name
from alloylite.components.pyroscope.push import Series, encode_push_request
from tests.integration.agent import free_port, start_agent
from tests.integration.fake_pyroscope import FakePyroscope, Reply
from tests.integration.profiles import cpu_pprof, go_multipart

TIER = """
pyroscope.receive_http "in" {{
  http {{
    listen_address = "127.0.0.1"
    listen_port    = {port}
  }}
  forward_to = [pyroscope.write.out.receiver]
}}

pyroscope.write "out" {{
  endpoint {{
    url                 = "{upstream}"
    min_backoff_period  = "10ms"
    max_backoff_period  = "20ms"
    max_backoff_retries = 2
  }}
  external_labels = {{ "{label}" = "{value}" }}
}}
"""


def test_edge_to_gateway_to_backend(tmp_path: Path) -> None:
    gateway_port, edge_port = free_port(), free_port()
    (tmp_path / "gw").mkdir()
    (tmp_path / "edge").mkdir()
    with FakePyroscope() as fake:
        gateway = start_agent(
            TIER.format(port=gateway_port, upstream=fake.url, label="tier", value="gateway"),
            tmp_path / "gw",
        )
        edge = start_agent(
            TIER.format(port=edge_port, upstream=f"http://127.0.0.1:{gateway_port}",
                        label="node", value="edge-1"),
            tmp_path / "edge",
        )
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{edge_port}", timeout=60) as client:
                # /ingest through both hops
                ctype, body = go_multipart(gzip.compress(cpu_pprof()), None)
                resp = client.post(
                    "/ingest?name=chain.app%7Benv%3Ddev%7D&spyName=gospy&from=1&until=2",
                    content=body,
                    headers={"Content-Type": ctype},
                )
                assert resp.status_code == 200
                req = fake.requests[-1]
                assert req.body == body
                assert req.header_values("content-type") == [ctype]
                assert parse_name(req.query["name"]) == {
                    "__name__": "chain.app",
                    "service_name": "chain.app",
                    # the gateway's receive_http sees service_name already set (Alloy's rule)
                    "app_name": "chain.app",
                    "env": "dev",
                    "node": "edge-1",
                    "tier": "gateway",
                }
                assert (req.query["spyName"], req.query["from"]) == ("gospy", "1")

                # push through both hops
                raw = gzip.compress(cpu_pprof())
                push = encode_push_request(
                    [Series([("__name__", "process_cpu"), ("service_name", "svc")],
                            [RawSample("abc", raw)])]
                )
                resp = client.post(
                    "/push.v1.PusherService/Push",
                    content=push,
                    headers={"Content-Type": "application/proto"},
                )
                assert resp.status_code == 200
                req = fake.requests[-1]
                assert req.series is not None
                assert req.series[0].samples == [RawSample("abc", raw)]
                labels = req.labels()
                assert labels["node"] == "edge-1" and labels["tier"] == "gateway"
                assert labels["service_name"] == "svc"

                # a backend 4xx comes back to the SDK through both hops
                fake.script(Reply(400, b"nope"))
                resp = client.post("/ingest?name=chain.app", content=b"x",
                                   headers={"Content-Type": "text/plain"})
                assert resp.status_code == 400
        finally:
            assert edge.stop() == 0
            assert gateway.stop() == 0
