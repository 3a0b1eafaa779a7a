"""pyroscope.receive_http against real sockets, with recording Appendables.

Modelled on Alloy's receive_http_test.go (TestForwardsProfilesIngest,
TestForwardsProfilesPushV1, TestUpdateArgs) plus alloylite's own promises.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import random

import httpx
import pytest

from alloylite.components.pyroscope.appendable import RawSample
from alloylite.components.pyroscope.labels import labels_string
from alloylite.components.pyroscope.push import (
    Series,
    encode_push_request,
    encode_push_request_json,
)
from alloylite.components.pyroscope.receive_http import REGISTRATION
from alloylite.runtime.component import Stability
from tests.components.pyroscope.receive_http_support import (
    make_args,
    run,
    running,
    status_error,
)
from tests.components.pyroscope.recorder import Recorder
from tests.waiting import until

PUSH = "/push.v1.PusherService/Push"


def url(component, path: str = "/ingest") -> str:
    return f"http://127.0.0.1:{component.port}{path}"


def test_registration_is_generally_available_as_in_alloy() -> None:
    assert REGISTRATION.name == "pyroscope.receive_http"
    assert REGISTRATION.stability is Stability.GENERALLY_AVAILABLE
    assert REGISTRATION.exports is None


# ------------------------------------------------------------------ /ingest


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
@pytest.mark.parametrize("size", [1024, 1024 * 1024])
def test_ingest_forwards_body_content_types_and_query(loop: str, size: int) -> None:
    body = random.Random(size).randbytes(size)

    async def main() -> None:
        a, b = Recorder(), Recorder()
        async with running(make_args([a, b])) as c, httpx.AsyncClient() as client:
            query = (
                "name=test.app%7Benv%3Dprod%2Cregion%3Dus-east%7D&from=1795606102"
                "&until=1795606112&format=pprof&sampleRate=100&spyName=gospy"
                "&units=&aggregationType=&custom=v%2Fx"
            )
            headers = [
                ("Content-Type", "multipart/form-data; boundary=abc"),
                ("Content-Type", "application/octet-stream"),
                ("Content-Type", "text/plain"),
                ("Authorization", "Basic dXNlcjpwYXNz"),
                ("X-Scope-OrgID", "tenant-a"),
            ]
            resp = await client.post(url(c) + "?" + query, content=body, headers=headers)
            assert resp.status_code == 200
            assert resp.content == b""
            for rec in (a, b):
                assert len(rec.ingests) == 1
                profile, deadline = rec.ingests[0]
                assert profile.raw_body == body
                assert profile.content_type == (
                    "multipart/form-data; boundary=abc",
                    "application/octet-stream",
                    "text/plain",
                )
                assert profile.url == "/ingest?" + query
                assert dict(profile.labels) == {
                    "__name__": "test.app",
                    "env": "prod",
                    "region": "us-east",
                    "service_name": "test.app",
                }
                assert deadline is not None

    run(main(), loop)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("test_app", {"__name__": "test_app", "service_name": "test_app"}),
        (
            "test.app{service_name=my-service}",
            {"__name__": "test.app", "service_name": "my-service", "app_name": "test.app"},
        ),
        ("test.app{invalid-label-syntax}", {"__name__": "test.app", "service_name": "test.app"}),
        ("ns/app{a=1}junk", {"__name__": "ns/app", "service_name": "ns/app", "a": "1"}),
        ("app{a-b=1}", {}),  # a bad key fails the whole parse: empty labels, still 200
        ("bad name{a=1}", {}),
        (None, {}),
    ],
)
def test_ingest_name_is_parsed_leniently(name: str | None, expected: dict[str, str]) -> None:
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec])) as c, httpx.AsyncClient() as client:
            params = {"name": name} if name is not None else {}
            resp = await client.post(url(c), params=params, content=b"x")
            assert resp.status_code == 200
            assert dict(rec.ingests[0][0].labels) == expected

    run(main())


def test_wrong_method_and_unknown_paths() -> None:
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec])) as c, httpx.AsyncClient() as client:
            assert (await client.get(url(c))).status_code == 405
            assert (await client.get(url(c) + "?name=junk{")).status_code == 405
            assert (await client.put(url(c), content=b"x")).status_code == 405
            assert (await client.get(url(c, PUSH))).status_code == 405
            for path in ("/", "/invalid", "/ingest/", "/pyroscope/ingest"):
                resp = await client.post(url(c, path), content=b"x")
                assert resp.status_code == 404, path
                assert resp.text == "404 page not found\n"
            resp = await client.post(
                url(c, "/push.v1.PusherService/Other"),
                content=b"",
                headers={"Content-Type": "application/proto"},
            )
            assert resp.status_code == 404
            assert rec.entered == 0

    run(main())


def test_ingest_all_targets_fail_gives_500_and_every_target_was_called() -> None:
    async def main() -> None:
        a, b = Recorder(fail=RuntimeError("boom")), Recorder(fail=RuntimeError("bang"))
        async with running(make_args([a, b])) as c, httpx.AsyncClient() as client:
            resp = await client.post(url(c) + "?name=app", content=b"x")
            assert resp.status_code == 500
            assert resp.text == "Failed to process request\n"
            assert len(a.ingests) == 1 and len(b.ingests) == 1

    run(main())


def test_ingest_partial_failure_returns_the_failure_and_the_good_target_got_it() -> None:
    async def main() -> None:
        good, bad = Recorder(), Recorder(fail=RuntimeError("down"))
        async with running(make_args([good, bad])) as c, httpx.AsyncClient() as client:
            resp = await client.post(url(c) + "?name=app", content=b"x")
            assert resp.status_code == 500
            assert len(good.ingests) == 1 and len(bad.ingests) == 1

    run(main())


@pytest.mark.parametrize(
    ("code", "body"),
    [
        (400, "Bad Request\n"),
        (401, "Unauthorized\n"),
        (429, "Too Many Requests\n"),
        (503, "Service Unavailable\n"),
        (413, "Request Entity Too Large\n"),
        (599, "\n"),
    ],
)
def test_ingest_passes_the_backend_status_through(code: int, body: str) -> None:
    async def main() -> None:
        rec = Recorder(fail=status_error(code))
        async with running(make_args([rec])) as c, httpx.AsyncClient() as client:
            resp = await client.post(url(c) + "?name=app", content=b"x")
            assert resp.status_code == code
            assert resp.text == body
            assert resp.headers["content-type"] == "text/plain; charset=utf-8"

    run(main())


def test_ingest_backend_204_is_passed_through_without_a_body() -> None:
    async def main() -> None:
        rec = Recorder(fail=status_error(204))
        async with running(make_args([rec])) as c, httpx.AsyncClient() as client:
            resp = await client.post(url(c) + "?name=app", content=b"x")
            assert resp.status_code == 204
            assert resp.content == b""

    run(main())


def test_ingest_status_error_wins_over_a_plain_error() -> None:
    async def main() -> None:
        plain, status = Recorder(fail=RuntimeError("net")), Recorder(fail=status_error(400))
        async with running(make_args([plain, status])) as c, httpx.AsyncClient() as client:
            resp = await client.post(url(c) + "?name=app", content=b"x")
            assert resp.status_code == 400

    run(main())


def test_empty_forward_to_succeeds() -> None:
    async def main() -> None:
        async with running(make_args([])) as c, httpx.AsyncClient() as client:
            assert (await client.post(url(c) + "?name=app", content=b"x")).status_code == 200
            resp = await client.post(
                url(c, PUSH),
                content=encode_push_request([Series([("__name__", "a")], [RawSample("1", b"p")])]),
                headers={"Content-Type": "application/proto"},
            )
            assert resp.status_code == 200

    run(main())


def test_targets_are_called_concurrently() -> None:
    # Each target waits until every target has been entered: sequential calls
    # would never complete.
    async def main() -> None:
        gate = asyncio.Event()
        recs = [Recorder(gate=gate) for _ in range(3)]

        async def opener() -> None:
            await until(lambda: sum(r.entered for r in recs) >= 3)
            gate.set()

        async with running(make_args(recs)) as c, httpx.AsyncClient() as client:
            resp, _ = await asyncio.gather(
                client.post(url(c) + "?name=app", content=b"x"), opener()
            )
            assert resp.status_code == 200
            assert all(len(r.ingests) == 1 for r in recs)

    run(main())


# --------------------------------------------------------------------- push


def _series(n_series: int, n_samples: int) -> list[Series]:
    out = []
    for i in range(n_series):
        samples = [
            RawSample(id=f"id-{i}-{j}", raw_profile=os.urandom(100 + j)) for j in range(n_samples)
        ]
        out.append(Series([("__name__", "process_cpu"), ("app", f"app-{i}")], samples))
    return out


@pytest.mark.parametrize("codec", ["proto", "json"])
@pytest.mark.parametrize("gzipped", [False, True])
@pytest.mark.parametrize("shape", [(1, 1), (2, 2)])
@pytest.mark.parametrize("targets", [1, 2])
@pytest.mark.parametrize("version_header", [False, True])
def test_push_forwards_series_and_samples(
    codec: str, gzipped: bool, shape: tuple[int, int], targets: int, version_header: bool
) -> None:
    series = _series(*shape)

    async def main() -> None:
        recs = [Recorder() for _ in range(targets)]
        async with running(make_args(recs)) as c, httpx.AsyncClient() as client:
            if codec == "proto":
                body, ctype = encode_push_request(series), "application/proto"
            else:
                body, ctype = encode_push_request_json(series), "application/json"
            headers = {"Content-Type": ctype}
            if gzipped:
                body = gzip.compress(body)
                headers["Content-Encoding"] = "gzip"
            if version_header:
                headers["Connect-Protocol-Version"] = "1"
            resp = await client.post(url(c, PUSH), content=body, headers=headers)
            assert resp.status_code == 200, resp.text
            assert resp.headers["content-type"] == ctype
            assert resp.content == (b"{}" if codec == "json" else b"")
            for rec in recs:
                assert len(rec.pushes) == len(series)
                got = sorted(rec.pushes, key=lambda p: dict(p[0])["app"])
                for (labels, samples, _), want in zip(got, series, strict=True):
                    assert labels == (
                        ("__name__", "process_cpu"),
                        ("app", dict(want.labels)["app"]),
                        ("service_name", "process_cpu"),
                    )
                    assert samples == want.samples

    run(main())


def test_push_service_name_rule_and_label_building() -> None:
    series = [
        Series(
            [
                ("service_name", "svc"),
                ("__name__", "process_cpu"),
                ("a", "1"),
                ("a", "2"),
                ("empty", ""),
            ],
            [RawSample("x", b"p")],
        )
    ]

    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec])) as c, httpx.AsyncClient() as client:
            resp = await client.post(
                url(c, PUSH),
                content=encode_push_request(series),
                headers={"Content-Type": "application/proto"},
            )
            assert resp.status_code == 200
            assert rec.pushes[0][0] == (
                ("__name__", "process_cpu"),
                ("a", "2"),
                ("app_name", "process_cpu"),
                ("service_name", "svc"),
            )

    run(main())


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("app-0", '"app-0"'),
        # Printed as Alloy prints it (strconv.Quote): a TAB or a control byte escaped.
        ("a\tb\x01", '"a\\tb\\x01"'),
    ],
)
def test_push_failure_is_connect_internal_naming_series_and_appendable(
    value: str, shown: str
) -> None:
    series = [Series([("app", value)], [RawSample("1", b"p")])]

    async def main() -> None:
        good, bad = Recorder(), Recorder(fail=status_error(400))
        async with running(make_args([good, bad])) as c, httpx.AsyncClient() as client:
            resp = await client.post(
                url(c, PUSH),
                content=encode_push_request(series),
                headers={"Content-Type": "application/proto"},
            )
            assert resp.status_code == 500
            assert resp.headers["content-type"] == "application/json"
            err = json.loads(resp.content)
            assert err["code"] == "internal"
            assert err["message"].startswith(
                f"unable to append series {{app={shown}}} to appendable 1: "
            )
            assert len(good.pushes) == 1 and len(bad.pushes) == 1

    run(main())


def test_push_one_failed_series_does_not_stop_the_others() -> None:
    class FailFirst(Recorder):
        async def append(self, labels, samples, deadline=None):  # type: ignore[override]
            await super().append(labels, samples, deadline)
            if len(self.pushes) == 1:
                raise RuntimeError("first fails")

    async def main() -> None:
        rec = FailFirst()
        async with running(make_args([rec])) as c, httpx.AsyncClient() as client:
            resp = await client.post(
                url(c, PUSH),
                content=encode_push_request(_series(3, 1)),
                headers={"Content-Type": "application/proto"},
            )
            assert resp.status_code == 500
            assert len(rec.pushes) == 3

    run(main())


def test_push_connect_timeout_becomes_the_deadline() -> None:
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec])) as c, httpx.AsyncClient() as client:
            loop_now = asyncio.get_running_loop().time()
            resp = await client.post(
                url(c, PUSH),
                content=encode_push_request(_series(1, 1)),
                headers={"Content-Type": "application/proto", "Connect-Timeout-Ms": "2500"},
            )
            assert resp.status_code == 200
            deadline = rec.pushes[0][2]
            assert deadline is not None
            # The write timeout is 30 s: the 2.5 s Connect timeout must be the bound.
            assert deadline - loop_now <= 2.5 + 1.0

    run(main())


def test_push_past_its_connect_timeout_answers_internal_instead_of_hanging() -> None:
    async def main() -> None:
        rec = Recorder(gate=asyncio.Event())  # a downstream that never answers
        async with running(make_args([rec])) as c, httpx.AsyncClient() as client:
            resp = await client.post(
                url(c, PUSH),
                content=encode_push_request(_series(1, 1)),
                headers={"Content-Type": "application/proto", "Connect-Timeout-Ms": "200"},
            )
            assert resp.status_code == 500
            err = json.loads(resp.content)
            assert err["code"] == "internal"
            assert "deadline exceeded" in err["message"]

    run(main())


def test_push_rejects_other_content_types_with_415() -> None:
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec])) as c, httpx.AsyncClient() as client:
            for ctype in ("text/plain", "application/grpc-web-text", "", "application/x-protobuf"):
                resp = await client.post(url(c, PUSH), content=b"", headers={"Content-Type": ctype})
                assert resp.status_code == 415, ctype
                assert "application/proto" in resp.headers["accept-post"]
            assert rec.entered == 0

    run(main())


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ('x"y', '"x\\"y"'),
        ("tab\there", '"tab\\there"'),
        ("\x01", '"\\x01"'),
        ("line\u2028sep", '"line\\u2028sep"'),
        ("caf\u00e9", '"caf\u00e9"'),
    ],
)
def test_labels_string_quotes_values_as_prometheus(value: str, quoted: str) -> None:
    """Values are quoted as Go's strconv.Quote does (Prometheus' labels.String()): a TAB
    or a control byte is escaped, printable non-ASCII stays as written."""
    assert labels_string((("a", value), ("b", "z"))) == "{a=" + quoted + ', b="z"}'
