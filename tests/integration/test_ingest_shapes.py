"""Every /ingest body shape the SDKs send, through `alloylite run` into the fake
Pyroscope: Go multipart (cpu, mutex with sample_type_config), Java JFR
multipart, Node 0.6.1 multipart, old Python raw pprof, folded text. Bodies,
Content-Types (with their boundary) and every query parameter but `name`
arrive unchanged; `name` is rebuilt with the external labels. Backend failures
come back to the SDK with Alloy's status codes.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import httpx
import pytest

from alloylite.components.pyroscope.appendable import RawSample
from alloylite.components.pyroscope.labels import parse_name
from alloylite.components.pyroscope.push import Series, encode_push_request
from tests.integration.agent import Agent, free_port, start_agent
from tests.integration.fake_pyroscope import FakePyroscope, Reply, decode_pprof
from tests.integration.profiles import cpu_pprof, go_multipart, java_jfr_multipart, make_pprof

CONFIG = """
pyroscope.receive_http "default" {{
  http {{
    listen_address = "127.0.0.1"
    listen_port    = {port}
  }}
  forward_to = [pyroscope.write.backend.receiver]
}}

pyroscope.write "backend" {{
  endpoint {{
    url                 = "{backend}"
    bearer_token        = "backend-token"
    headers             = {{ "X-Scope-OrgID" = "tenant-1" }}
    min_backoff_period  = "10ms"
    max_backoff_period  = "20ms"
    max_backoff_retries = 2
  }}
  external_labels = {{ "cluster" = "ci" }}
}}
"""


class Setup:
    def __init__(self, fake: FakePyroscope, agent: Agent, port: int) -> None:
        self.fake, self.agent, self.port = fake, agent, port
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)

    def ingest(self, query: str, body: bytes, content_type: str) -> httpx.Response:
        return self.client.post(
            "/ingest?" + query,
            content=body,
            headers={"Content-Type": content_type, "Authorization": "Basic c2RrOnNkaw=="},
        )

    def last(self):
        return self.fake.requests[-1]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    port = free_port()
    with FakePyroscope() as fake:
        agent = start_agent(
            CONFIG.format(port=port, backend=fake.url), tmp_path_factory.mktemp("agent")
        )
        s = Setup(fake, agent, port)
        try:
            yield s
        finally:
            s.client.close()
            assert agent.stop() == 0


def _check_forwarded(s: Setup, query: str, body: bytes, ctype: str) -> dict[str, str]:
    req = s.last()
    assert req.path == "/ingest"
    assert req.body == body
    assert req.header_values("content-type") == [ctype]
    assert req.header("authorization") == "Bearer backend-token"
    assert req.header_values("x-scope-orgid") == ["tenant-1"]
    sent = httpx.QueryParams(query)
    got = dict(req.query)
    assert {k: v for k, v in got.items() if k != "name"} == {
        k: v for k, v in sent.items() if k != "name"
    }
    labels = parse_name(got["name"])
    assert labels is not None
    return labels


def test_go_cpu_multipart(setup: Setup) -> None:
    ctype, body = go_multipart(gzip.compress(cpu_pprof()), None)
    query = (
        "aggregationType=sum&from=1795606102000000000"
        "&name=alloylite.test.go%7B__session_id__%3D77e425ea48b3919f%2Cenv%3Dcapture%2C"
        "region%3Dus-east%7D&sampleRate=100&spyName=gospy&units=samples"
        "&until=1795606112000000000"
    )
    resp = setup.ingest(query, body, ctype)
    assert resp.status_code == 200 and resp.content == b""
    labels = _check_forwarded(setup, query, body, ctype)
    assert labels == {
        "__name__": "alloylite.test.go",
        "__session_id__": "77e425ea48b3919f",  # no `__` filtering on the ingest path
        "env": "capture",
        "region": "us-east",
        "service_name": "alloylite.test.go",
        "cluster": "ci",
    }
    parts = setup.last().parts()
    assert [(p.name, p.filename) for p in parts] == [("profile", "profile.pprof")]
    assert decode_pprof(parts[0].data).type_names == ["samples", "cpu"]


def test_go_mutex_multipart_with_sample_type_config_and_empty_params(setup: Setup) -> None:
    mutex = make_pprof(
        [("contentions", "count"), ("delay", "nanoseconds")],
        [(["sync.(*Mutex).Lock", "main.main"], [2, 5000])],
        period=("contentions", "count", 1),
    )
    config = {
        "contentions": {"units": "lock_samples", "display-name": "mutex_count"},
        "delay": {"units": "lock_nanoseconds", "display-name": "mutex_duration"},
    }
    ctype, body = go_multipart(gzip.compress(mutex), config)
    query = (
        "aggregationType=&from=1795606102000000000&name=alloylite.test.go%7B%7D"
        "&sampleRate=0&spyName=gospy&units=&until=1795606112000000000"
    )
    assert setup.ingest(query, body, ctype).status_code == 200
    _check_forwarded(setup, query, body, ctype)
    names = [p.name for p in setup.last().parts()]
    assert names == ["profile", "sample_type_config"]


def test_java_jfr_multipart(setup: Setup) -> None:
    ctype, body, jfr, labels_part = java_jfr_multipart()
    query = (
        "name=alloylite.test.java%7Bregion%3Dus-east%7D&units=samples&aggregationType=sum"
        "&from=1795606102&until=1795606112&spyName=javaspy&sampleRate=100&format=jfr"
    )
    assert setup.ingest(query, body, ctype).status_code == 200
    labels = _check_forwarded(setup, query, body, ctype)
    assert labels["service_name"] == "alloylite.test.java"
    parts = {p.name: p.data for p in setup.last().parts()}
    assert parts == {"jfr": jfr, "labels": labels_part}


def test_node_061_multipart(setup: Setup) -> None:
    ctype, body = go_multipart(gzip.compress(cpu_pprof()), None)
    body = body.replace(b'filename="profile.pprof"', b'filename="profile"')
    query = "from=1795606102&name=app.node%7Ba%3D1%7D&spyName=nodespy&until=1795606112"
    assert setup.ingest(query, body, ctype).status_code == 200
    _check_forwarded(setup, query, body, ctype)


def test_old_python_raw_pprof(setup: Setup) -> None:
    body = cpu_pprof()  # uncompressed, as pyroscope-io <= 0.8 sent it
    query = (
        "name=app.py.cpu%7Bx%3Dy%7D&from=1795606102&until=1795606112&format=pprof"
        "&sampleRate=100&spyName=pyspy"
    )
    assert setup.ingest(query, body, "binary/octet-stream").status_code == 200
    _check_forwarded(setup, query, body, "binary/octet-stream")


def test_folded_text(setup: Setup) -> None:
    body = b"main;work;fib 10\nmain;idle 3\n"
    query = "name=app.cpu&from=1795606102&until=1795606112&format=folded&sampleRate=100"
    assert setup.ingest(query, body, "text/plain").status_code == 200
    labels = _check_forwarded(setup, query, body, "text/plain")
    assert labels == {"__name__": "app.cpu", "service_name": "app.cpu", "cluster": "ci"}


def test_backend_4xx_is_passed_back_and_not_retried(setup: Setup) -> None:
    before = len(setup.fake.requests)
    setup.fake.script(Reply(400, b"bad profile"))
    resp = setup.ingest("name=app", b"x", "application/octet-stream")
    assert resp.status_code == 400
    assert resp.text == "Bad Request\n"
    assert len(setup.fake.requests) == before + 1


def test_backend_5xx_then_200_arrives_and_succeeds(setup: Setup) -> None:
    before = len(setup.fake.requests)
    setup.fake.script(Reply(503))
    resp = setup.ingest("name=app", b"retry-me", "application/octet-stream")
    assert resp.status_code == 200
    assert [r.body for r in setup.fake.requests[before:]] == [b"retry-me", b"retry-me"]


def test_backend_5xx_exhausted_returns_that_status(setup: Setup) -> None:
    before = len(setup.fake.requests)
    setup.fake.script(Reply(503), Reply(503))
    resp = setup.ingest("name=app", b"x", "application/octet-stream")
    assert resp.status_code == 503
    assert len(setup.fake.requests) == before + 2  # max_backoff_retries = total attempts


def test_missing_name_is_refused_by_write_with_500(setup: Setup) -> None:
    before = len(setup.fake.requests)
    resp = setup.ingest("format=pprof", b"x", "application/octet-stream")
    assert resp.status_code == 500
    assert resp.text == "Failed to process request\n"
    assert len(setup.fake.requests) == before


def test_push_failure_downstream_is_connect_internal(setup: Setup) -> None:
    before = len(setup.fake.requests)
    setup.fake.script(Reply(400, connect_code="invalid_argument"))
    raw = gzip.compress(cpu_pprof())
    body = encode_push_request(
        [Series([("__name__", "process_cpu"), ("service_name", "svc")], [RawSample("id-1", raw)])]
    )
    headers = {"Content-Type": "application/proto"}
    resp = setup.client.post("/push.v1.PusherService/Push", content=body, headers=headers)
    assert resp.status_code == 500
    assert resp.json()["code"] == "internal"
    assert len(setup.fake.requests) == before + 1  # invalid_argument is never retried
    assert setup.fake.requests[-1].header("authorization") == "Bearer backend-token"
    # The next push goes through, with the exact sample bytes and ID.
    resp = setup.client.post("/push.v1.PusherService/Push", content=body, headers=headers)
    assert resp.status_code == 200
    series = setup.fake.requests[-1].series
    assert series is not None
    assert series[0].samples == [RawSample("id-1", raw)]
    assert dict(series[0].labels) == {
        "__name__": "process_cpu",
        "app_name": "process_cpu",
        "cluster": "ci",
        "service_name": "svc",
    }


def test_agent_is_still_healthy(setup: Setup) -> None:
    assert httpx.get(f"{setup.agent.api}/-/ready").status_code == 200
