"""Every way pyroscope.write can finally fail, on both paths: which failures are
retried, and that each final drop is counted once in
`pyroscope_write_dropped_profiles_total` / `_dropped_bytes_total` and logged once,
at error level, naming the endpoint and the cause.

Statuses on /ingest are HTTP statuses: every 4xx but 408 and 429 is final.
Push answers are Connect errors: the code decides (spec alloy-pyroscope.md §2.5),
and a reply without a Connect body gets its code from the HTTP status the way
connect-go derives it (a bare 400 is `internal`, hence retried, as in Alloy).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest

from alloylite.components.pyroscope.appendable import IncomingProfile, RawSample, WriteStatusError
from alloylite.components.pyroscope.labels import LabelError
from alloylite.components.pyroscope.write import endpoint as write_endpoint
from alloylite.components.pyroscope.write.component import WriteError
from tests.waiting import until

from .write_support import CLOSE, HANG, RESET, Backend, Reply, Step, dead_url, endpoint, make_write
from .write_support import run as run_loop

# What a final failure raises: a backend status (ingest), any other write failure,
# or a label set rejected before sending.
FAILURES = (WriteStatusError, WriteError, LabelError)
ATTEMPTS = 3  # endpoint() in write_support: max_backoff_retries = 3 attempts
LABELS = (("__name__", "process_cpu"), ("service_name", "svc"))
SAMPLE = RawSample(id="s-1", raw_profile=b"\x1f\x8b" + b"p" * 100)
PROFILE = IncomingProfile(
    raw_body=b"i" * 250,
    content_type=("application/octet-stream",),
    url="/ingest?name=app&format=pprof",
    labels=(("__name__", "app"), ("service_name", "app")),
)


def connect_reply(status: int, code: str) -> Reply:
    body = json.dumps({"code": code, "message": f"scripted {code}"}).encode()
    return Reply(status, [("Content-Type", "application/json")], body)


@dataclass
class Case:
    id: str
    path: str  # "ingest" | "push"
    step: Step | None  # None: nothing listens (connection refused)
    attempts: int  # requests the backend sees
    cause: str  # a piece of the logged cause


INGEST_FINAL = [400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 451]
INGEST_RETRIED = [408, 429, 500, 502, 503, 504]
PUSH_FINAL = [
    (400, "invalid_argument"),
    (401, "unauthenticated"),
    (403, "permission_denied"),
    (404, "not_found"),
    (409, "already_exists"),
    (400, "failed_precondition"),
    (400, "out_of_range"),
    (501, "unimplemented"),
    (499, "canceled"),
]
PUSH_RETRIED = [
    (503, "unavailable"),
    (500, "internal"),
    (500, "unknown"),
    (504, "deadline_exceeded"),
    (500, "data_loss"),
    (409, "aborted"),
    (429, "resource_exhausted"),
]

CASES = (
    [Case(f"ingest-{s}", "ingest", Reply(s, body=b"nope"), 1, f"status={s}") for s in INGEST_FINAL]
    + [
        Case(f"ingest-{s}", "ingest", Reply(s, body=b"later"), ATTEMPTS, f"status={s}")
        for s in INGEST_RETRIED
    ]
    + [
        Case(f"push-{c}", "push", connect_reply(s, c), 1, f"{c}: scripted {c}")
        for s, c in PUSH_FINAL
    ]
    + [
        Case(f"push-{c}", "push", connect_reply(s, c), ATTEMPTS, f"{c}: scripted {c}")
        for s, c in PUSH_RETRIED
    ]
    + [
        # Without a Connect body the code comes from the HTTP status (connect-go).
        Case("push-bare-400", "push", Reply(400, body=b"x"), ATTEMPTS, "internal: HTTP status 400"),
        Case("push-bare-401", "push", Reply(401, body=b"x"), 1, "unauthenticated"),
        Case("push-bare-404", "push", Reply(404, body=b"x"), 1, "unimplemented"),
        Case("push-bare-503", "push", Reply(503, body=b"x"), ATTEMPTS, "unavailable"),
    ]
    + [Case(f"{p}-refused", p, None, 0, "connect") for p in ("ingest", "push")]
    + [Case(f"{p}-reset", p, RESET, ATTEMPTS, "") for p in ("ingest", "push")]
    + [Case(f"{p}-close", p, CLOSE, ATTEMPTS, "") for p in ("ingest", "push")]
    + [
        Case(f"{p}-hang", p, HANG, ATTEMPTS, "context deadline exceeded")
        for p in ("ingest", "push")
    ]
)


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_sleep(_delay: float) -> None:
        return None

    monkeypatch.setattr(write_endpoint, "_sleep", fake_sleep)


def final_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "final error sending profiles" in r.getMessage()]


def size_of(path: str) -> int:
    return len(PROFILE.raw_body) if path == "ingest" else len(SAMPLE.raw_profile)


async def send(h: object, path: str, deadline: float | None = None) -> None:
    receiver = h.receiver  # type: ignore[attr-defined]
    if path == "ingest":
        await receiver.append_ingest(PROFILE, deadline)
    else:
        await receiver.append(LABELS, [SAMPLE], deadline)


def assert_dropped_once(
    h: object, url: str, path: str, caplog: pytest.LogCaptureFixture, cause: str
) -> None:
    metric = h.metric  # type: ignore[attr-defined]
    assert metric("pyroscope_write_dropped_profiles_total", endpoint=url) == 1
    assert metric("pyroscope_write_dropped_bytes_total", endpoint=url) == size_of(path)
    assert metric("pyroscope_write_sent_profiles_total", endpoint=url) == 0
    (record,) = final_records(caplog)
    assert record.levelno == logging.ERROR
    text = record.getMessage()
    assert url in text and f"path={path!r}" in text
    assert cause.lower() in text.lower(), text


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_final_failure_is_counted_and_logged_once(
    case: Case, caplog: pytest.LogCaptureFixture
) -> None:
    async def main() -> None:
        if case.step is None:
            url = dead_url()
            h = make_write([endpoint(url)])
            with caplog.at_level(logging.DEBUG), pytest.raises(FAILURES):
                await send(h, case.path)
            assert_dropped_once(h, url, case.path, caplog, case.cause)
            assert h.metric("pyroscope_write_retries_total", endpoint=url) == ATTEMPTS - 1
            return
        async with Backend([case.step]) as b:
            ep = endpoint(b.url)
            if case.step == HANG:
                ep = endpoint(b.url, remote_timeout=timedelta(milliseconds=200))
            h = make_write([ep])
            with caplog.at_level(logging.DEBUG), pytest.raises(FAILURES):
                await send(h, case.path)
            assert len(b.requests) == case.attempts
            assert_dropped_once(h, b.url, case.path, caplog, case.cause)
            retries = h.metric("pyroscope_write_retries_total", endpoint=b.url)
            assert retries == case.attempts - 1

    run_loop(main)


@pytest.mark.parametrize("path", ["ingest", "push"])
def test_invalid_labels_are_a_drop_at_every_endpoint_without_sending(
    path: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def main() -> None:
        async with Backend() as a, Backend() as b:
            h = make_write([endpoint(a.url), endpoint(b.url)])
            bad = (("__name__", "app"), ("service_name", "app"), ("bad-label", "x"))
            with caplog.at_level(logging.DEBUG), pytest.raises(FAILURES):
                if path == "ingest":
                    await h.receiver.append_ingest(
                        IncomingProfile(PROFILE.raw_body, PROFILE.content_type, PROFILE.url, bad)
                    )
                else:
                    await h.receiver.append(bad, [SAMPLE])
            assert a.requests == [] and b.requests == []
            records = final_records(caplog)
            assert len(records) == 2
            for url, record in zip((a.url, b.url), records, strict=True):
                assert url in record.getMessage() and "bad-label" in record.getMessage()
                assert h.metric("pyroscope_write_dropped_profiles_total", endpoint=url) == 1

    run_loop(main)


@pytest.mark.parametrize("path", ["ingest", "push"])
def test_a_passed_deadline_is_a_drop(path: str, caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        async with Backend() as b:
            h = make_write([endpoint(b.url)])
            with caplog.at_level(logging.DEBUG), pytest.raises(FAILURES):
                await send(h, path, deadline=time.monotonic() - 1)
            assert b.requests == []
            assert_dropped_once(h, b.url, path, caplog, "deadline has passed")

    run_loop(main)


@pytest.mark.parametrize("path", ["ingest", "push"])
def test_a_caller_that_gives_up_is_a_drop(path: str, caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        async with Backend([HANG]) as b:
            h = make_write([endpoint(b.url)])
            with caplog.at_level(logging.DEBUG):
                task = asyncio.get_running_loop().create_task(send(h, path))
                await until(lambda: bool(b.requests))
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
            assert_dropped_once(h, b.url, path, caplog, "canceled by the caller")

    run_loop(main)


def test_one_failing_endpoint_drops_only_there(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        async with Backend() as good, Backend([Reply(400, body=b"no")]) as bad:
            h = make_write([endpoint(good.url), endpoint(bad.url)])
            with caplog.at_level(logging.DEBUG), pytest.raises(FAILURES):
                await h.receiver.append_ingest(PROFILE)
            assert h.metric("pyroscope_write_sent_profiles_total", endpoint=good.url) == 1
            assert h.metric("pyroscope_write_dropped_profiles_total", endpoint=good.url) == 0
            assert_dropped_once(h, bad.url, "ingest", caplog, "status=400")

    run_loop(main)
