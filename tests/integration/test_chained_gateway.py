"""Two `alloylite run` processes chained as the Alloy docs describe for a gateway:

SDK -> edge (receive_http -> write) -> gateway (receive_http -> write) -> fake Pyroscope.

- a profile sent to the edge's /ingest and one sent to its push API each reach
  the backend exactly once, byte for byte, with the external labels of both tiers
  (the edge's write talks Connect to the gateway's receive_http and forwards
  /ingest with its rebuilt `name`);
- a 4xx of the backend on /ingest travels back through both tiers: the SDK gets
  that status, and nobody retried it;
- a 4xx of the backend on push becomes Connect `internal` at the gateway (as in
  Alloy: receive_http answers every push failure `internal`), which the edge
  retries like any `internal`: the backend sees one attempt per edge attempt,
  and the SDK gets 500 / internal.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import httpx

from alloylite.components.pyroscope.appendable import RawSample
from alloylite.components.pyroscope.labels import parse_name
from alloylite.components.pyroscope.push import Series, encode_push_request
from tests.integration.agent import Agent, free_port, start_agent
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
    url                 = "{downstream}"
    min_backoff_period  = "10ms"
    max_backoff_retries = {retries}
  }}
  external_labels = {{ {labels} }}
}}
"""

EDGE_RETRIES = 3


def start_chain(tmp: Path, backend: str) -> tuple[Agent, Agent, int]:
    """(gateway, edge, the edge's receive port); the gateway starts first."""
    gateway_port, edge_port = free_port(), free_port()
    (tmp / "gateway").mkdir()
    (tmp / "edge").mkdir()
    gateway = start_agent(
        TIER.format(
            port=gateway_port, downstream=backend, retries=3, labels='"region" = "gw-region"'
        ),
        tmp / "gateway",
    )
    try:
        edge = start_agent(
            TIER.format(
                port=edge_port,
                downstream=f"http://127.0.0.1:{gateway_port}",
                retries=EDGE_RETRIES,
                labels='"cluster" = "edge-1"',
            ),
            tmp / "edge",
        )
    except BaseException:
        gateway.stop()
        raise
    return gateway, edge, edge_port


def stop_chain(gateway: Agent, edge: Agent) -> None:
    codes = (edge.stop(), gateway.stop())
    assert codes == (0, 0), f"{edge.log()}\n{gateway.log()}"


def test_ingest_and_push_arrive_once_with_both_tiers_labels(tmp_path: Path) -> None:
    content_type, multipart = go_multipart(gzip.compress(cpu_pprof()), None)
    push_profile = cpu_pprof(labels={"thread": "main"})
    push_body = encode_push_request(
        [
            Series(
                [("__name__", "process_cpu"), ("service_name", "chained-push")],
                [RawSample("sample-1", push_profile)],
            )
        ]
    )
    with FakePyroscope() as fake:
        gateway, edge, port = start_chain(tmp_path, fake.url)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as sdk:
                ingest = sdk.post(
                    "/ingest?name=chained-ingest{team=a}&spyName=gospy&from=1&until=2",
                    content=multipart,
                    headers={"Content-Type": content_type},
                )
                push = sdk.post(
                    "/push.v1.PusherService/Push",
                    content=push_body,
                    headers={"Content-Type": "application/proto"},
                )
            assert (ingest.status_code, push.status_code) == (200, 200), (ingest.text, push.text)
        finally:
            stop_chain(gateway, edge)
    ingests = [r for r in fake.requests if r.path == "/ingest"]
    pushes = [r for r in fake.requests if r.is_push]
    assert len(fake.requests) == 2 and len(ingests) == 1 and len(pushes) == 1

    (got,) = ingests
    assert got.body == multipart  # byte for byte through two tiers
    assert got.header("content-type") == content_type
    assert got.header_values("content-type") == [content_type]
    query = got.query
    assert query["spyName"] == "gospy" and query["from"] == "1" and query["until"] == "2"
    name = query["name"]
    assert name.startswith("chained-ingest{")
    for pair in ("team=a", "cluster=edge-1", "region=gw-region"):
        assert pair in name, name
    assert parse_name(name) == {
        "__name__": "chained-ingest",
        "service_name": "chained-ingest",
        # the gateway's receive_http sees service_name already set (Alloy's rule)
        "app_name": "chained-ingest",
        "team": "a",
        "cluster": "edge-1",
        "region": "gw-region",
    }

    (series,) = pushes[0].series or []
    labels = dict(series.labels)
    assert labels["service_name"] == "chained-push"
    assert labels["cluster"] == "edge-1" and labels["region"] == "gw-region"
    assert [s.raw_profile for s in series.samples] == [push_profile]
    assert series.samples == [RawSample("sample-1", push_profile)]


def test_backend_4xx_on_ingest_reaches_the_sdk_through_both_tiers(tmp_path: Path) -> None:
    with FakePyroscope() as fake:
        fake.default = Reply(400, body=b"invalid profile")
        gateway, edge, port = start_chain(tmp_path, fake.url)
        try:
            resp = httpx.post(
                f"http://127.0.0.1:{port}/ingest?name=chained{{}}&format=pprof",
                content=gzip.compress(cpu_pprof()),
                timeout=60,
            )
        finally:
            stop_chain(gateway, edge)
    assert resp.status_code == 400
    assert resp.text == "Bad Request\n"
    assert len(fake.requests) == 1  # a 4xx is final at every tier
    # Each tier logged its final drop once, naming the endpoint it failed on.
    assert gateway.log().count("final error sending profiles to endpoint") == 1
    assert edge.log().count("final error sending profiles to endpoint") == 1
    assert "status=400" in gateway.log() and "status=400" in edge.log()


def test_backend_4xx_on_push_is_internal_at_the_sdk(tmp_path: Path) -> None:
    with FakePyroscope() as fake:
        fake.default = Reply(400, connect_code="invalid_argument")
        gateway, edge, port = start_chain(tmp_path, fake.url)
        try:
            body = encode_push_request(
                [
                    Series(
                        [("__name__", "process_cpu"), ("service_name", "chained")],
                        [RawSample("s", cpu_pprof())],
                    )
                ]
            )
            resp = httpx.post(
                f"http://127.0.0.1:{port}/push.v1.PusherService/Push",
                content=body,
                headers={"Content-Type": "application/proto"},
                timeout=60,
            )
        finally:
            stop_chain(gateway, edge)
    assert resp.status_code == 500
    error = json.loads(resp.text)
    assert error["code"] == "internal"
    assert "invalid_argument" in error["message"]  # the backend's verdict is in the text
    # The gateway never retries invalid_argument; the edge retries `internal`.
    assert len(fake.requests) == EDGE_RETRIES
    assert gateway.log().count("final error sending profiles to endpoint") == EDGE_RETRIES
    assert edge.log().count("final error sending profiles to endpoint") == 1
