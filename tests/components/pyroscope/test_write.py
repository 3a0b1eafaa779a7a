"""pyroscope.write against real HTTP backends on 127.0.0.1: what arrives, retries,
faults, deadlines, fan-out, metrics and secrets."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import timedelta
from email.utils import formatdate
from urllib.parse import parse_qs, urlsplit

import pytest
from prometheus_client import generate_latest

from alloylite.components.pyroscope.appendable import IncomingProfile, RawSample, WriteStatusError
from alloylite.components.pyroscope.labels import LabelError
from alloylite.components.pyroscope.push import decode_push_request
from alloylite.components.pyroscope.write import component as write_module
from alloylite.components.pyroscope.write import endpoint as write_endpoint
from alloylite.components.pyroscope.write.arguments import BasicAuth
from alloylite.components.pyroscope.write.component import WriteError
from alloylite.eval.values import Secret

from .write_support import (
    CLOSE,
    GATE,
    HANG,
    RESET,
    Backend,
    Reply,
    dead_url,
    endpoint,
    make_write,
    run,
)

LABELS = (
    ("__name__", "process_cpu"),
    ("__type__", "drop-me"),
    ("foo", "bar"),
    ("job", "j"),
    ("service_name", "svc"),
)
SAMPLE = RawSample(id="0f2c3d4e", raw_profile=b"\x1f\x8b\x08\x00pprof-bytes\x00\xff")


def ingest_profile(body: bytes = b"--boundary\r\nprofile-bytes\x00\xff") -> IncomingProfile:
    return IncomingProfile(
        raw_body=body,
        content_type=("multipart/form-data; boundary=b", "application/extra"),
        url="/ingest?name=ignored&from=1700000000&until=1700000010&spyName=gospy&key=value&units=",
        labels=(("__name__", "test.app"), ("env", "staging"), ("service_name", "my-service")),
    )


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record retry delays instead of sleeping them (observes the choice, not the clock)."""
    recorded: list[float] = []

    async def fake_sleep(delay: float) -> None:
        recorded.append(delay)

    monkeypatch.setattr(write_endpoint, "_sleep", fake_sleep)
    return recorded


# --------------------------------------------------------------- what arrives


def test_push_exact_bytes_headers_and_auth() -> None:
    async def main() -> None:
        async with Backend() as b:
            ep = endpoint(
                b.url,
                headers={"X-Scope-OrgID": "tenant-a", "X-Custom": "1"},
                basic_auth=BasicAuth(username="user1", password=Secret("pass1")),
            )
            h = make_write([ep], external_labels={"foo": "buzz", "region": "eu"})
            await h.receiver.append(LABELS, [SAMPLE])
            (req,) = b.requests
            assert req.method == "POST"
            assert req.target == "/push.v1.PusherService/Push"
            assert req.header("Content-Type") == "application/proto"
            assert req.header("Connect-Protocol-Version") == "1"
            assert "Alloy/" in (req.header("User-Agent") or "")
            assert req.header("X-Alloy-Id") == "test-alloy-id"
            assert req.header("X-Scope-OrgID") == "tenant-a"
            assert req.header("Authorization") == "Basic dXNlcjE6cGFzczE="
            assert 0 < int(req.header("Connect-Timeout-Ms") or "0") <= 5000
            (series,) = decode_push_request(req.body)
            assert series.labels == [
                ("__name__", "process_cpu"),
                ("foo", "buzz"),
                ("job", "j"),
                ("region", "eu"),
                ("service_name", "svc"),
            ]
            assert series.samples == [SAMPLE]
            url = b.url
            assert h.metric("pyroscope_write_sent_profiles_total", endpoint=url) == 1
            assert h.metric("pyroscope_write_sent_bytes_total", endpoint=url) == len(
                SAMPLE.raw_profile
            )

    run(main)


def test_ingest_rebuilt_name_kept_query_path_join_and_body() -> None:
    async def main() -> None:
        async with Backend() as b:
            ep = endpoint(
                b.url + "/pyroscope/?dropped=1",
                headers={"Content-Type": "wrong/type", "X-Scope-OrgID": "t"},
                bearer_token=Secret("tok-123"),
            )
            h = make_write([ep], external_labels={"env": "prod"})
            profile = ingest_profile()
            await h.receiver.append_ingest(profile)
            (req,) = b.requests
            parts = urlsplit(req.target)
            assert parts.path == "/pyroscope/ingest"
            query = parse_qs(parts.query, keep_blank_values=True)
            assert query == {
                "from": ["1700000000"],
                "key": ["value"],
                "name": ["my-service{env=prod,service_name=my-service}"],
                "spyName": ["gospy"],
                "units": [""],
                "until": ["1700000010"],
            }
            # Go's Values.Encode: keys sorted, form encoding
            assert parts.query.startswith("from=1700000000&key=value&name=my-service%7Benv%3D")
            assert req.body == profile.raw_body
            assert req.headers_named("Content-Type") == list(profile.content_type)
            assert req.header("Authorization") == "Bearer tok-123"
            assert req.header("User-Agent") == "Go-http-client/1.1"
            assert req.header("X-Alloy-Id") == "test-alloy-id"
            assert h.metric("pyroscope_write_sent_bytes_total", endpoint=ep.url) == len(
                profile.raw_body
            )

    run(main)


def test_zero_endpoints_succeed_without_sending() -> None:
    async def main() -> None:
        h = make_write([])
        await h.receiver.append(LABELS, [SAMPLE])
        await h.receiver.append_ingest(ingest_profile())

    run(main)


def test_invalid_labels_are_rejected_before_sending() -> None:
    async def main() -> None:
        async with Backend() as b:
            h = make_write([endpoint(b.url)])
            with pytest.raises(LabelError, match="service name is required"):
                await h.receiver.append((), [SAMPLE])
            with pytest.raises(LabelError, match="invalid label name"):
                await h.receiver.append((("invalid-label", "x"),), [SAMPLE])
            bad = IncomingProfile(b"x", (), "/ingest", (("a", "1"), ("a", "2")))
            with pytest.raises(LabelError, match="duplicate"):
                await h.receiver.append_ingest(bad)
            assert b.requests == []
            assert h.metric("pyroscope_write_dropped_profiles_total", endpoint=b.url) == 3

    run(main)


def test_connections_are_reused() -> None:
    async def main() -> None:
        async with Backend() as b:
            h = make_write([endpoint(b.url)])
            for _ in range(5):
                await h.receiver.append(LABELS, [SAMPLE])
            assert len(b.requests) == 5
            assert b.connections == 1

    run(main)


# -------------------------------------------------------------------- retries


def test_503_503_200_arrives_exactly_once(sleeps: list[float]) -> None:
    async def main() -> None:
        script = [Reply(503), Reply(503), Reply(200)]
        async with Backend(script) as b:
            h = make_write([endpoint(b.url, max_backoff_retries=5)])
            await h.receiver.append_ingest(ingest_profile())
            assert len(b.requests) == 3
            assert len({r.body for r in b.requests}) == 1
            assert h.metric("pyroscope_write_retries_total", endpoint=b.url) == 2
            assert h.metric("pyroscope_write_sent_profiles_total", endpoint=b.url) == 1
            assert h.metric("pyroscope_write_dropped_profiles_total", endpoint=b.url) == 0
            assert len(sleeps) == 2

    run(main)


def test_400_is_never_retried_and_status_is_passed_back(sleeps: list[float]) -> None:
    async def main() -> None:
        async with Backend([Reply(400, body=b"bad profile")]) as b:
            h = make_write([endpoint(b.url, max_backoff_retries=5)])
            with pytest.raises(WriteStatusError) as err:
                await h.receiver.append_ingest(ingest_profile())
            assert err.value.status_code == 400
            assert "remote error: pyroscope write error: status=400 msg=bad profile" in str(
                err.value
            )
            assert f"failed to ingest to endpoint {b.url} (0 retries)" in str(err.value)
            assert len(b.requests) == 1
            assert sleeps == []
            assert h.metric("pyroscope_write_dropped_profiles_total", endpoint=b.url) == 1

    run(main)


@pytest.mark.parametrize("status", [204, 404, 413])
def test_other_non_200_statuses_are_final(status: int) -> None:
    async def main() -> None:
        async with Backend([Reply(status)]) as b:
            h = make_write([endpoint(b.url)])
            with pytest.raises(WriteStatusError) as err:
                await h.receiver.append_ingest(ingest_profile())
            assert err.value.status_code == status
            assert len(b.requests) == 1

    run(main)


@pytest.mark.parametrize("path", ["push", "ingest"])
def test_attempts_stop_at_max_backoff_retries(path: str, sleeps: list[float]) -> None:
    async def main() -> None:
        async with Backend([Reply(503)]) as b:
            h = make_write([endpoint(b.url, max_backoff_retries=3)])
            with pytest.raises(WriteStatusError if path == "ingest" else WriteError) as err:
                if path == "ingest":
                    await h.receiver.append_ingest(ingest_profile())
                else:
                    await h.receiver.append(LABELS, [SAMPLE])
            assert len(b.requests) == 3
            assert len(sleeps) == 2
            assert "(3 retries)" in str(err.value)
            assert h.metric("pyroscope_write_retries_total", endpoint=b.url) == 2
            assert h.metric("pyroscope_write_dropped_profiles_total", endpoint=b.url) == 1

    run(main)


def test_final_log_retries_agree_with_the_retries_metric(
    sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    # 3 attempts are 2 retries: the log's `retries=` must not count the last,
    # unretried attempt (the error keeps Alloy's "(3 retries)").
    async def main() -> None:
        async with Backend([Reply(503)]) as b:
            h = make_write([endpoint(b.url, max_backoff_retries=3)])
            with caplog.at_level(logging.ERROR), pytest.raises(WriteError):
                await h.receiver.append(LABELS, [SAMPLE])
            [final] = [r.getMessage() for r in caplog.records if "final error" in r.getMessage()]
            assert h.metric("pyroscope_write_retries_total", endpoint=b.url) == 2
            assert "retries=2" in final, final

    run(main)


def test_push_error_mapping() -> None:
    async def main() -> None:
        invalid = Reply(
            400,
            [("Content-Type", "application/json")],
            json.dumps({"code": "invalid_argument", "message": "no"}).encode(),
        )
        async with Backend([invalid]) as b:
            h = make_write([endpoint(b.url)])
            with pytest.raises(WriteError, match="invalid_argument: no"):
                await h.receiver.append(LABELS, [SAMPLE])
            assert len(b.requests) == 1
        # A plain-text 500 is connect "unknown" and retried.
        async with Backend([Reply(500, body=b"oops"), Reply(200)]) as b:
            h = make_write([endpoint(b.url)])
            await h.receiver.append(LABELS, [SAMPLE])
            assert len(b.requests) == 2

    run(main)


@pytest.mark.parametrize("path", ["push", "ingest"])
def test_429_respects_retry_on_http_429(path: str, sleeps: list[float]) -> None:
    async def main() -> None:
        body = json.dumps({"code": "resource_exhausted", "message": "slow down"}).encode()
        reply = Reply(429, [("Content-Type", "application/json")], body)
        for enabled, expected in ((False, 1), (True, 3)):
            async with Backend([reply]) as b:
                h = make_write([endpoint(b.url, retry_on_http_429=enabled)])
                with pytest.raises(Exception, match="slow down|status=429"):
                    if path == "ingest":
                        await h.receiver.append_ingest(ingest_profile())
                    else:
                        await h.receiver.append(LABELS, [SAMPLE])
                assert len(b.requests) == expected

    run(main)


def test_retry_after_seconds_is_honoured_and_capped(sleeps: list[float]) -> None:
    async def main() -> None:
        script = [
            Reply(429, [("Retry-After", "2")]),
            Reply(503, [("Retry-After", "3600")]),
            Reply(200),
        ]
        async with Backend(script) as b:
            ep = endpoint(b.url, max_backoff_period=timedelta(seconds=30), max_backoff_retries=5)
            h = make_write([ep])
            await h.receiver.append_ingest(ingest_profile())
            assert len(b.requests) == 3
            assert sleeps == [2.0, 30.0]

    run(main)


def test_retry_after_http_date_is_honoured(sleeps: list[float]) -> None:
    async def main() -> None:
        when = formatdate(time.time() + 20, usegmt=True)
        async with Backend([Reply(429, [("Retry-After", when)]), Reply(200)]) as b:
            ep = endpoint(b.url, max_backoff_period=timedelta(minutes=5))
            h = make_write([ep])
            await h.receiver.append(LABELS, [SAMPLE])
            (delay,) = sleeps
            assert 15.0 < delay <= 20.0

    run(main)


def test_backoff_is_jittered_exponential(sleeps: list[float]) -> None:
    async def main() -> None:
        async with Backend([Reply(503)]) as b:
            ep = endpoint(
                b.url,
                min_backoff_period=timedelta(seconds=1),
                max_backoff_period=timedelta(seconds=5),
                max_backoff_retries=6,
            )
            h = make_write([ep])
            with pytest.raises(WriteStatusError):
                await h.receiver.append_ingest(ingest_profile())
            ranges = [(1, 2), (2, 4), (4, 5), (4, 5), (4, 5)]
            assert len(sleeps) == 5
            for delay, (low, high) in zip(sleeps, ranges, strict=True):
                assert low <= delay <= high

    run(main)


# --------------------------------------------------------------------- faults


def test_connection_refused_is_retried_then_counted_and_logged_once(
    sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    async def main() -> None:
        url = dead_url()
        h = make_write([endpoint(url, max_backoff_retries=2)])
        with caplog.at_level(logging.ERROR):
            with pytest.raises(WriteError) as err:
                await h.receiver.append_ingest(ingest_profile())
        assert not isinstance(err.value, WriteStatusError)
        assert f"failed to ingest to endpoint {url} (2 retries)" in str(err.value)
        assert len(sleeps) == 1
        finals = [r for r in caplog.records if "final error" in r.getMessage()]
        assert len(finals) == 1
        assert url in finals[0].getMessage()
        assert h.metric("pyroscope_write_dropped_profiles_total", endpoint=url) == 1

    run(main)


def test_never_answering_backend_times_out_per_attempt(sleeps: list[float]) -> None:
    async def main() -> None:
        async with Backend([HANG]) as b:
            ep = endpoint(b.url, remote_timeout=timedelta(milliseconds=200), max_backoff_retries=2)
            h = make_write([ep])
            with pytest.raises(WriteError, match="deadline_exceeded: context deadline exceeded"):
                await h.receiver.append(LABELS, [SAMPLE])
            assert len(b.requests) == 2

    run(main)


@pytest.mark.parametrize("fault", [RESET, CLOSE])
def test_reset_mid_response_is_retried(fault: str, sleeps: list[float]) -> None:
    async def main() -> None:
        async with Backend([fault, Reply(200)]) as b:
            h = make_write([endpoint(b.url)])
            await h.receiver.append_ingest(ingest_profile())
            assert len(b.requests) == 2
            assert h.metric("pyroscope_write_sent_profiles_total", endpoint=b.url) == 1

    run(main)


def test_no_retry_sleep_past_the_callers_deadline(sleeps: list[float]) -> None:
    async def main() -> None:
        async with Backend([Reply(503)]) as b:
            ep = endpoint(
                b.url,
                min_backoff_period=timedelta(seconds=10),
                max_backoff_period=timedelta(seconds=60),
                max_backoff_retries=10,
            )
            h = make_write([ep])
            deadline = time.monotonic() + 5.0
            with pytest.raises(WriteStatusError, match="after the caller's deadline") as err:
                await h.receiver.append_ingest(ingest_profile(), deadline=deadline)
            assert err.value.status_code == 503
            assert len(b.requests) == 1
            assert sleeps == []

    run(main)


def test_deadline_already_passed_sends_nothing() -> None:
    async def main() -> None:
        async with Backend() as b:
            h = make_write([endpoint(b.url)])
            with pytest.raises(WriteError, match="deadline has passed"):
                await h.receiver.append(LABELS, [SAMPLE], deadline=time.monotonic() - 1)
            assert b.requests == []

    run(main)


def test_attempt_is_cut_at_the_callers_deadline(sleeps: list[float]) -> None:
    async def main() -> None:
        async with Backend([HANG]) as b:
            h = make_write([endpoint(b.url, remote_timeout=timedelta(seconds=30))])
            with pytest.raises(WriteError):
                await h.receiver.append(LABELS, [SAMPLE], deadline=time.monotonic() + 2.0)
            (req,) = b.requests
            assert int(req.header("Connect-Timeout-Ms") or "0") <= 2000

    run(main)


def test_several_endpoints_one_dead(sleeps: list[float]) -> None:
    async def main() -> None:
        async with Backend() as a, Backend() as c:
            dead = dead_url()
            h = make_write([endpoint(a.url), endpoint(dead), endpoint(c.url)])
            with pytest.raises(WriteError) as err:
                await h.receiver.append(LABELS, [SAMPLE])
            assert dead in str(err.value)
            assert a.url not in str(err.value)
            assert len(a.requests) == 1 and len(c.requests) == 1
            for url in (a.url, c.url):
                assert h.metric("pyroscope_write_sent_profiles_total", endpoint=url) == 1
            assert h.metric("pyroscope_write_dropped_profiles_total", endpoint=dead) == 1
            assert h.metric("pyroscope_write_latency_count", endpoint="-", type="push_total") == 1

    run(main)


def test_ingest_status_error_wins_over_network_error() -> None:
    async def main() -> None:
        async with Backend([Reply(400, body=b"nope")]) as a:
            h = make_write([endpoint(dead_url(), max_backoff_retries=1), endpoint(a.url)])
            with pytest.raises(WriteStatusError) as err:
                await h.receiver.append_ingest(ingest_profile())
            assert err.value.status_code == 400

    run(main)


# -------------------------------------------------------------------- secrets


def test_secrets_absent_from_logs_errors_and_metrics(
    sleeps: list[float], caplog: pytest.LogCaptureFixture, tmp_path: object
) -> None:
    async def main() -> None:
        secrets = ["s3cr3t-pass", "t0ken-xyz", "url-pa55"]
        async with Backend([Reply(401, body=b"unauthorized")]) as b:
            host = b.url.removeprefix("http://")
            eps = [
                endpoint(b.url, basic_auth=BasicAuth(username="u", password=Secret(secrets[0]))),
                endpoint(b.url, bearer_token=Secret(secrets[1])),
                endpoint(f"http://user:{secrets[2]}@{host}"),
                endpoint(dead_url(), bearer_token=Secret(secrets[1])),
            ]
            h = make_write(eps)
            texts: list[str] = []
            with caplog.at_level(logging.DEBUG):
                for call in (
                    lambda: h.receiver.append(LABELS, [SAMPLE]),
                    lambda: h.receiver.append_ingest(ingest_profile()),
                ):
                    with pytest.raises(Exception) as err:  # noqa: B017, PT011
                        await call()
                    texts.append(str(err.value))
            texts += [r.getMessage() for r in caplog.records]
            texts.append(generate_latest(h.registry).decode())
            texts.append(repr(h.receiver))
            blob = "\n".join(texts)
            assert "final error" in blob
            for secret in secrets:
                assert secret not in blob
            assert f"http://user:xxxxx@{host}" in blob
            # the credentials did reach the backend
            sent = [r.header("Authorization") for r in b.requests]
            assert "Bearer t0ken-xyz" in sent

    run(main)


def test_bearer_token_file_is_read_and_reread(tmp_path: pytest.TempPathFactory) -> None:
    async def main() -> None:
        token = tmp_path / "token"  # type: ignore[operator]
        token.write_text("first\n")
        async with Backend() as b:
            h = make_write([endpoint(b.url, bearer_token_file=str(token))])
            await h.receiver.append(LABELS, [SAMPLE])
            token.write_text("second-longer")
            await h.receiver.append(LABELS, [SAMPLE])
            assert [r.header("Authorization") for r in b.requests] == [
                "Bearer first",
                "Bearer second-longer",
            ]

    run(main)


# --------------------------------------------------------------------- update


def test_update_exports_a_new_receiver_and_old_calls_finish() -> None:
    async def main() -> None:
        async with Backend() as b:
            h = make_write([])
            first = h.receiver
            await first.append(LABELS, [SAMPLE])
            assert b.requests == []
            args = write_module.Arguments(endpoints=[endpoint(b.url)])
            await h.component.update(args)
            assert len(h.exports) == 2 and h.receiver is not first
            await h.receiver.append(LABELS, [SAMPLE])
            assert len(b.requests) == 1

    run(main)


def test_reused_connection_closed_by_the_server_is_resent_without_a_retry() -> None:
    async def main() -> None:
        async with Backend([Reply(200), CLOSE, Reply(200)]) as b:
            h = make_write([endpoint(b.url)])
            await h.receiver.append(LABELS, [SAMPLE])
            await h.receiver.append(LABELS, [SAMPLE])
            assert len(b.requests) == 3
            assert b.connections == 2
            assert h.metric("pyroscope_write_retries_total", endpoint=b.url) == 0
            assert h.metric("pyroscope_write_sent_profiles_total", endpoint=b.url) == 2

    run(main)


def test_idle_connections_closed_by_the_server_are_swept() -> None:
    async def main() -> None:
        async with Backend([Reply(close_after=True)]) as b:
            h = make_write([endpoint(b.url)])
            client = h.receiver._endpoints[0].client  # noqa: SLF001
            client._next_sweep = float("inf")  # sweep only when the test says so  # noqa: SLF001
            await asyncio.gather(*(h.receiver.append(LABELS, [SAMPLE]) for _ in range(3)))
            while b.closed_by_server < 3:
                await asyncio.sleep(0.01)
            assert sum(len(v) for v in client._idle.values()) == 3  # noqa: SLF001
            client._sweep()  # noqa: SLF001
            assert sum(len(v) for v in client._idle.values()) == 0  # noqa: SLF001
            await h.receiver.append(LABELS, [SAMPLE])
            assert len(b.requests) == 4

    run(main)


@pytest.mark.parametrize("via_proxy", [False, True])
def test_update_does_not_cut_a_request_in_flight(via_proxy: bool) -> None:
    async def main() -> None:
        async with Backend([GATE, Reply()]) as b:
            url = "http://pyroscope.invalid:4040" if via_proxy else b.url
            extra = {"proxy_url": b.url} if via_proxy else {}
            h = make_write([endpoint(url, **extra)])
            old = h.receiver
            call = asyncio.ensure_future(old.append(LABELS, [SAMPLE]))
            await b.waiting.wait()
            await h.component.update(write_module.Arguments(endpoints=[endpoint(url, **extra)]))
            await asyncio.sleep(0)  # let the retirement of the old receiver run
            b.gate.set()
            await call  # the old receiver's request completes after the update
            await h.receiver.append(LABELS, [SAMPLE])
            assert len(b.requests) == 2
            assert h.metric("pyroscope_write_sent_profiles_total", endpoint=url) == 2

    run(main)
