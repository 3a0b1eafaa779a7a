"""The fake Pyroscope itself: decoding and scripted failures behave as documented."""

from __future__ import annotations

import gzip
import threading

import httpx
import pytest

from alloylite.components.pyroscope.appendable import RawSample
from alloylite.components.pyroscope.push import (
    Series,
    encode_push_request,
    encode_push_request_json,
)
from tests.integration.fake_pyroscope import FakePyroscope, Reply, decode_pprof
from tests.integration.profiles import cpu_pprof, go_multipart

PUSH = "/push.v1.PusherService/Push"
SERIES = [Series([("__name__", "process_cpu"), ("a", "b")], [RawSample("id", b"raw")])]


def test_decodes_push_in_every_encoding() -> None:
    with FakePyroscope() as fake, httpx.Client(base_url=fake.url) as client:
        proto = encode_push_request(SERIES)
        client.post(PUSH, content=proto, headers={"Content-Type": "application/proto"})
        client.post(
            PUSH,
            content=gzip.compress(proto),
            headers={"Content-Type": "application/proto", "Content-Encoding": "gzip"},
        )
        resp = client.post(
            PUSH,
            content=encode_push_request_json(SERIES),
            headers={"Content-Type": "application/json"},
        )
        assert resp.status_code == 200
        for req in fake.wait_for(3):
            assert req.series == SERIES
            assert req.labels() == {"__name__": "process_cpu", "a": "b"}


def test_decodes_ingest_multipart_and_pprof() -> None:
    with FakePyroscope() as fake, httpx.Client(base_url=fake.url) as client:
        ctype, body = go_multipart(gzip.compress(cpu_pprof({"handler": "a"})), {"cpu": {}})
        client.post("/ingest?name=a%7Bb%3Dc%7D&x=", content=body, headers={"Content-Type": ctype})
        req = fake.wait_for(1)[0]
        assert req.query == {"name": "a{b=c}", "x": ""}
        parts = req.parts()
        assert [p.name for p in parts] == ["profile", "sample_type_config"]
        profile = parts[0].data
        decoded = decode_pprof(profile)
        assert decoded.type_names == ["samples", "cpu"]
        assert ("handler", "a") in decoded.sample_labels


def test_scripted_replies_then_the_default() -> None:
    with FakePyroscope() as fake, httpx.Client(base_url=fake.url) as client:
        fake.script(Reply(503), Reply(400, b"bad"), Reply(429, connect_code="resource_exhausted"))
        assert client.post("/ingest", content=b"1").status_code == 503
        resp = client.post("/ingest", content=b"2")
        assert (resp.status_code, resp.content) == (400, b"bad")
        resp = client.post(PUSH, content=b"", headers={"Content-Type": "application/proto"})
        assert resp.status_code == 429 and resp.json()["code"] == "resource_exhausted"
        assert client.post("/ingest", content=b"4").status_code == 200


def test_reset_and_hang() -> None:
    with FakePyroscope() as fake:
        fake.script(Reply(reset=True), Reply(hang=True))
        with httpx.Client(base_url=fake.url) as client:
            with pytest.raises(httpx.HTTPError):
                client.post("/ingest", content=b"x")
        hung: list[BaseException] = []

        def call() -> None:
            try:
                httpx.post(fake.url + "/ingest", content=b"y", timeout=30)
            except httpx.HTTPError as exc:
                hung.append(exc)

        t = threading.Thread(target=call)
        t.start()
        fake.wait_for(2)
        assert t.is_alive()  # no answer while the fake runs
    t.join()  # stopping the fake ends the hang
    assert len(hung) == 1
