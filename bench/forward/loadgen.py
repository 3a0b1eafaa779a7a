"""Open-loop load at a fixed rate, for latency: requests leave on a schedule whether or not
earlier ones were answered, and each latency is measured from the request's *scheduled*
time (so a stall shows up as latency of everything queued behind it, instead of hiding it as
a closed-loop generator does: "coordinated omission"). The one exception is the
generator's own timer slack: libuv timers have millisecond granularity, so requests leave in
small bursts, and each one's clock starts when the scheduler dispatches it (up to 1 ms after
its slot); waiting for a free connection still counts.

It runs in its own process, speaks raw HTTP/1.1 over asyncio Protocols with httptools and
uvloop (about 15-30 µs CPU per request), and reports its own CPU so a reader can check it was
not the bottleneck:

    python -m bench.forward.loadgen --url http://127.0.0.1:8080 --payload ingest-12k \
        --rate 1000 --seconds 5 --warmup 1

Output: one JSON line with sent, ok, errors, achieved rate, p50/p90/p99/max latency in ms
(requests scheduled during the warm-up are not counted) and the generator's CPU seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from collections import deque
from urllib.parse import urlsplit

import httptools

from bench.common import percentile
from bench.forward.payloads import build_payloads, http_request_bytes


class ClientConn(asyncio.Protocol):
    """One keep-alive connection; one request in flight at a time."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[int] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("connection lost"))

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            if self.waiter is not None and not self.waiter.done():
                self.waiter.set_exception(exc)

    def on_message_complete(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(self.parser.get_status_code())

    async def send(self, request: bytes) -> int:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self.waiter


class Pool:
    """Idle connections (LIFO), new ones up to `limit`, then requests wait their turn."""

    def __init__(self, host: str, port: int, limit: int) -> None:
        self.host, self.port, self.limit = host, port, limit
        self.idle: list[ClientConn] = []
        self.open = 0
        self.waiting: deque[asyncio.Future[ClientConn]] = deque()

    async def acquire(self) -> ClientConn:
        while self.idle:
            conn = self.idle.pop()
            if not conn.closed:
                return conn
            self.open -= 1
        if self.open < self.limit:
            self.open += 1
            try:
                _, conn = await asyncio.get_running_loop().create_connection(
                    ClientConn, self.host, self.port
                )
            except BaseException:
                self.open -= 1
                raise
            return conn
        waiter: asyncio.Future[ClientConn] = asyncio.get_running_loop().create_future()
        self.waiting.append(waiter)
        return await waiter

    def release(self, conn: ClientConn) -> None:
        if conn.closed:
            self.open -= 1
            if self.waiting and self.open < self.limit:
                # Let a waiter open a fresh connection instead.
                waiter = self.waiting.popleft()
                task = asyncio.ensure_future(self.acquire())
                task.add_done_callback(lambda t: _pass_on(t, waiter))
            return
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        self.idle.append(conn)


def _pass_on(task: asyncio.Future[ClientConn], waiter: asyncio.Future[ClientConn]) -> None:
    if waiter.done():
        return
    if task.exception() is not None:
        waiter.set_exception(task.exception())  # type: ignore[arg-type]
    else:
        waiter.set_result(task.result())


async def run(
    url: str, request: bytes, rate: float, seconds: float, warmup: float, connections: int
) -> dict[str, float | int]:
    parts = urlsplit(url)
    pool = Pool(parts.hostname or "127.0.0.1", parts.port or 80, connections)
    clock = time.perf_counter  # uvloop's loop.time() is libuv's cached millisecond clock
    latencies: list[float] = []
    counts = {"sent": 0, "ok": 0, "errors": 0}
    total = int(rate * (warmup + seconds))
    start = clock() + 0.05
    measure_from = start + warmup

    async def one(scheduled: float, dispatched: float) -> None:
        try:
            conn = await pool.acquire()
            try:
                status = await conn.send(request)
            finally:
                pool.release(conn)
        except Exception:  # noqa: BLE001 - counted, the run goes on
            if scheduled >= measure_from:
                counts["errors"] += 1
            return
        if scheduled >= measure_from:
            if 200 <= status < 300:
                counts["ok"] += 1
                latencies.append(clock() - dispatched)
            else:
                counts["errors"] += 1

    tasks: set[asyncio.Task[None]] = set()
    i = 0
    while i < total:
        now = clock()
        due = start + i / rate
        if due > now:
            # Timers below a millisecond round to zero in libuv and would spin; sleeping
            # at least 1 ms sends a small burst instead.
            await asyncio.sleep(max(due - now, 0.001))
            now = clock()
        while i < total and start + i / rate <= now:
            scheduled = start + i / rate
            if scheduled >= measure_from:
                counts["sent"] += 1
            task = asyncio.ensure_future(one(scheduled, now))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            i += 1
    if tasks:
        await asyncio.wait(tasks, timeout=30)
    latencies.sort()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        **counts,
        "rate": counts["ok"] / seconds,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p90_ms": percentile(latencies, 90) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": (latencies[-1] if latencies else float("nan")) * 1000,
        "connections": pool.open,
        "cpu_s": usage.ru_utime + usage.ru_stime,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="open-loop fixed-rate HTTP load")
    parser.add_argument("--url", required=True, help="base URL, e.g. http://127.0.0.1:8080")
    parser.add_argument("--payload", required=True)
    parser.add_argument("--rate", type=float, required=True, help="requests per second")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--connections", type=int, default=256)
    args = parser.parse_args()
    payload = build_payloads([args.payload])[args.payload]
    parts = urlsplit(args.url)
    request = http_request_bytes(payload, parts.netloc)
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    coro = run(args.url, request, args.rate, args.seconds, args.warmup, args.connections)
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(coro)
    else:
        result = uvloop.run(coro)
    # The payload build (pprof generation) is not part of the load.
    result["cpu_s"] = float(result["cpu_s"]) - (cpu_before.ru_utime + cpu_before.ru_stime)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
