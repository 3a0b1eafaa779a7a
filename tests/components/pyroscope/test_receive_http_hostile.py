"""Hostile input against receive_http (issue 10): memory amplification by push decoding,
memos keyed by attacker-chosen text, chunked trailers, silent connections, deep JSON,
and a reload whose new port is taken. Each bound is the one docs/reliability.md states."""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import threading
import tracemalloc
from datetime import timedelta

import pytest
from prometheus_client import CollectorRegistry

from alloylite.components.pyroscope import push as push_codec
from alloylite.components.pyroscope.appendable import RawSample
from alloylite.components.pyroscope.memo import ENTRY_OVERHEAD, MAX_BYTES, MAX_ITEM_BYTES, Memo
from alloylite.components.pyroscope.push import (
    MAX_PUSH_ELEMENTS,
    Series,
    TooManyElements,
    decode_push_request,
    decode_push_request_json,
    encode_push_request,
)
from alloylite.components.pyroscope.receive_http import push_route
from alloylite.components.pyroscope.receive_http.ingest import (
    _NAMES,
    LOGGED_NAME_CHARS,
    ingest_labels,
)
from tests.components.pyroscope.receive_http_support import make_args, run, running
from tests.components.pyroscope.recorder import Recorder
from tests.components.pyroscope.test_receive_http_bad_input import exchange, http, push

EMPTY_SERIES = b"\x0a\x00"


# -- 1. push decoding is bounded and a large decode leaves the loop


def test_a_push_of_too_many_empty_series_is_refused() -> None:
    with pytest.raises(TooManyElements):
        decode_push_request(EMPTY_SERIES * (MAX_PUSH_ELEMENTS + 1))
    assert len(decode_push_request(EMPTY_SERIES * MAX_PUSH_ELEMENTS)) == MAX_PUSH_ELEMENTS


def test_too_many_labels_or_samples_are_counted_too() -> None:
    label = b"\x0a\x00"  # an empty LabelPair inside a series
    many = label * MAX_PUSH_ELEMENTS
    body = b"\x0a" + push_codec._varint(len(many)) + many
    with pytest.raises(TooManyElements):
        decode_push_request(body)


def test_a_json_push_of_many_objects_is_refused_before_parsing() -> None:
    doc = b'{"series":[' + b",".join([b"{}"] * (push_codec.MAX_JSON_STRUCTURES + 1)) + b"]}"
    tracemalloc.start()
    try:
        with pytest.raises(TooManyElements):
            decode_push_request_json(doc)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < len(doc)  # nothing was parsed


def test_decoding_memory_is_bounded_by_the_element_limit() -> None:
    # The worst case the limit allows: every element an empty series.
    body = EMPTY_SERIES * MAX_PUSH_ELEMENTS
    tracemalloc.start()
    try:
        decode_push_request(body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # docs/reliability.md: at most about 30 MB of objects per push in flight.
    assert peak < 30 * 1024 * 1024, peak


def test_a_gzipped_push_bomb_of_empty_series_gets_resource_exhausted() -> None:
    body = gzip.compress(EMPTY_SERIES * (MAX_PUSH_ELEMENTS + 10))
    assert len(body) < 4096

    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec])) as c:
            answer = await exchange(c.port, push(body, Content_Encoding="gzip"), False)
            assert b" 429 " in answer.split(b"\r\n", 1)[0], answer[:200]
            assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["code"] == "resource_exhausted"
            assert rec.entered == 0

    run(main())


def test_a_large_push_is_decoded_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[threading.Thread] = []
    decode = push_route.decode

    def spy(*args: object) -> list[Series]:
        threads.append(threading.current_thread())
        return decode(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(push_route, "decode", spy)
    big = encode_push_request([Series([("service_name", "a")], [RawSample("1", b"x" * 64 * 1024)])])
    small = encode_push_request([Series([("service_name", "a")], [RawSample("1", b"x")])])

    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec])) as c:
            for body in (small, big):
                answer = await exchange(c.port, push(body), False)
                assert b" 200 " in answer.split(b"\r\n", 1)[0], answer[:200]

    run(main())
    assert threads[0] is threading.main_thread()
    assert threads[1] is not threading.main_thread()


# -- 5. deep JSON is invalid_argument, not a 500 with a traceback


def test_deeply_nested_json_push_is_invalid_argument() -> None:
    body = b"[" * 100_000 + b"]" * 100_000

    async def main() -> None:
        registry = CollectorRegistry()
        async with running(make_args([Recorder()]), registry) as c:
            answer = await exchange(c.port, push(body, "application/json"), False)
            assert b" 400 " in answer.split(b"\r\n", 1)[0], answer[:200]
            doc = json.loads(answer.split(b"\r\n\r\n", 1)[1])
            assert doc["code"] == "invalid_argument"
            assert "nested too deeply" in doc["message"]
        counted = registry.get_sample_value(
            "pyroscope_receive_http_request_duration_seconds_count",
            {
                "method": "POST",
                "route": "push_v1_pusherservice",
                "status_code": "400",
                "ws": "false",
            },
        )
        assert counted == 1

    run(main())


# -- 2. memos are bounded by bytes


def test_memo_never_keeps_a_large_item_and_stays_within_its_budget() -> None:
    memo: Memo[str, str] = Memo()
    memo.put("big", "v", MAX_ITEM_BYTES + 1)
    assert memo.get("big") is None
    for i in range(100_000):
        memo.put(f"k{i}", "v", 1000)
        assert memo.counted_bytes <= MAX_BYTES
    assert 0 < len(memo) <= MAX_BYTES // (1000 + ENTRY_OVERHEAD)


def test_an_ingest_name_with_a_huge_value_is_not_memoised() -> None:
    huge = b"name=app%7Bk%3D" + b"v" * 100_000 + b"%7D"
    labels = ingest_labels(huge, None)
    assert ("k", "v" * 100_000) in labels
    assert all(len(key) < MAX_ITEM_BYTES for key in _NAMES._entries)


class _Warnings:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def warning(self, message: str, *args: object) -> None:
        self.lines.append(message % args)


def test_a_huge_unparsable_ingest_name_is_logged_cut_and_quoted() -> None:
    logger = _Warnings()
    assert ingest_labels(b"name=%7Bk%3D%0A" + b"v" * 1_000_000, logger) == ()
    [line] = logger.lines
    assert len(line) < LOGGED_NAME_CHARS + 200
    assert line.startswith('failed to parse the ingest name "{k=\\n' + "v" * 10)
    assert line.endswith("... (1000004 characters); forwarding without labels")
    short = _Warnings()
    ingest_labels(b"name=%7Bk%3Dv%7D", short)
    assert short.lines == ['failed to parse the ingest name "{k=v}"; forwarding without labels']


def test_huge_pushed_label_values_are_not_memoised() -> None:
    before = push_route._SERIES.counted_bytes
    push_route.series_labels([("service_name", "x" * 1_000_000)])
    assert push_route._SERIES.counted_bytes == before
    assert push_codec._LABEL_BLOCKS.counted_bytes <= MAX_BYTES


# -- 3. chunked trailers


def _chunked(path: str, body: bytes, trailer: bytes, headers: dict[str, str]) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode() + b"%x\r\n%s\r\n0\r\n%s\r\n" % (len(body), body, trailer)


def test_trailer_fields_never_become_request_headers() -> None:
    data = _chunked(
        "/ingest?name=app", b"pprof", b"Content-Type: evil/x\r\n", {"Content-Type": "a/b"}
    )

    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec])) as c:
            answer = await exchange(c.port, data, False)
            assert b" 200 " in answer.split(b"\r\n", 1)[0], answer[:200]
        assert rec.ingested[0].content_type == ("a/b",)

    run(main())


def test_a_trailer_section_over_the_head_limit_gets_431() -> None:
    trailer = b"X-Big: " + b"a" * (1 << 20) + b"\r\n"
    data = _chunked("/ingest?name=app", b"pprof", trailer, {})

    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec])) as c:
            answer = await exchange(c.port, data, False)
            assert b" 431 " in answer.split(b"\r\n", 1)[0], answer[:200]
        assert rec.ingested == []

    run(main())


def test_an_ingest_name_with_10000_labels_is_served_within_the_head_limit() -> None:
    # About 150 KiB of URL: over httptools.parse_url's 64 KiB, under the 1 MiB head.
    labels = ",".join(f"l{i}=v{i}" for i in range(10_000))
    url = f"/ingest?name=app{{{labels}}}&spyName=x"

    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec])) as c:
            answer = await exchange(c.port, http("POST", url, b"pprof"), False)
            assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
        [profile] = rec.ingested
        assert profile.url == url
        assert profile.raw_body == b"pprof"
        assert len(profile.labels) >= 10_000

    run(main())


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/ingest?name=" + "a" * (1 << 20), b" 431 "),  # a query past the head limit
        ("/" + "a" * (1 << 16), b" 414 "),  # a path parse_url cannot take
    ],
)
def test_urls_past_what_is_served_get_414_or_431(url: str, status: bytes) -> None:
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec])) as c:
            answer = await exchange(c.port, http("POST", url, b"pprof"), False)
            assert status in answer.split(b"\r\n", 1)[0], answer[:200]
            # and the listener carries on
            ok = await exchange(c.port, http("POST", "/ingest?name=app", b"p"), False)
            assert ok.startswith(b"HTTP/1.1 200 "), ok[:200]
        assert len(rec.ingested) == 1

    run(main())


# -- 4. a connection that never sends a byte is closed after server_read_timeout


@pytest.mark.parametrize("loop", ["uvloop", "asyncio"])
def test_a_silent_connection_is_closed_after_the_read_timeout(loop: str) -> None:
    async def main() -> None:
        args = make_args([Recorder()], http_server_read_timeout=timedelta(seconds=0.3))
        async with running(args) as c:
            reader, writer = await asyncio.open_connection("127.0.0.1", c.port)
            try:
                # The server closes it: EOF within a generous bound.
                assert await asyncio.wait_for(reader.read(), 10) == b""
            finally:
                writer.close()
            assert c._server is not None and c._server.open_connections == 0

    run(main(), loop)


def test_a_silent_connection_frees_its_conn_limit_slot() -> None:
    async def main() -> None:
        args = make_args(
            [Recorder()], http_conn_limit=1, http_server_read_timeout=timedelta(seconds=0.3)
        )
        async with running(args) as c:
            _r, silent = await asyncio.open_connection("127.0.0.1", c.port)
            try:
                good = http("POST", "/ingest?name=app", b"x")
                answer = await asyncio.wait_for(exchange(c.port, good, False), 10)
                assert b" 200 " in answer.split(b"\r\n", 1)[0]
            finally:
                silent.close()

    run(main())


# -- 6. a reload to a taken port keeps the old arguments and is tried again


def test_a_failed_move_keeps_the_old_port_and_the_next_reload_retries() -> None:
    async def main() -> None:
        blocker = socket.socket()
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        taken = blocker.getsockname()[1]
        rec = Recorder()
        async with running(make_args([rec])) as c:
            first = c.port
            moved = make_args([rec], http_listen_port=taken)
            with pytest.raises(OSError):
                await c.update(moved)
            assert c.port == first
            assert c.args.http.listen_port == 0  # the arguments were not applied
            blocker.close()
            await c.update(moved)  # the same arguments again: the move is retried
            assert c.port == taken
            answer = await exchange(taken, http("POST", "/ingest?name=app", b"x"), False)
            assert b" 200 " in answer.split(b"\r\n", 1)[0]

    run(main())
