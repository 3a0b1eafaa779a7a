"""A blackhole Pyroscope server: 200 to every POST, counts requests and bytes per path.

It is an asyncio Protocol with httptools on uvloop, not a web framework, so that it costs
as little CPU per request as Python allows (spec performance-facts.md: starlette+uvicorn
costs ~56 µs per request here; this one is meant to be cheaper) and the sink is never what
limits the forwarders it measures. It runs in its own process:

    python -m bench.forward.sink --port 4040

`GET /__stats` answers JSON {"requests": {path: n}, "bytes": {path: n}}; `POST /__reset`
clears the counters. Push requests get `Content-Type: application/proto` and an empty body
(an empty PushResponse), `/ingest` gets an empty 200, as Pyroscope answers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from collections.abc import Coroutine
from typing import Any

import httptools

PUSH_PREFIX = b"/push.v1.PusherService/"
OK_INGEST = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
OK_PUSH = b"HTTP/1.1 200 OK\r\nContent-Type: application/proto\r\nContent-Length: 0\r\n\r\n"
OK_CLOSE = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class Counters:
    def __init__(self) -> None:
        self.requests: dict[str, int] = {}
        self.bytes: dict[str, int] = {}

    def add(self, path: str, size: int) -> None:
        self.requests[path] = self.requests.get(path, 0) + 1
        self.bytes[path] = self.bytes.get(path, 0) + size

    def as_json(self) -> bytes:
        return json.dumps({"requests": self.requests, "bytes": self.bytes}).encode()


class SinkProtocol(asyncio.Protocol):
    """One connection; httptools calls the on_* callbacks while data_received feeds it."""

    def __init__(self, counters: Counters) -> None:
        self.counters = counters
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.url = b""
        self.size = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            if self.transport is not None:
                self.transport.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                self.transport.close()

    def on_message_begin(self) -> None:
        self.url = b""
        self.size = 0

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_body(self, body: bytes) -> None:
        self.size += len(body)  # a blackhole: count, never keep

    def on_message_complete(self) -> None:
        assert self.transport is not None
        path = self.url.split(b"?", 1)[0]
        method = self.parser.get_method()
        if method == b"GET" and path == b"/__stats":
            body = self.counters.as_json()
            self.transport.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + str(len(body)).encode()
                + b"\r\n\r\n"
                + body
            )
        elif path == b"/__reset":
            self.counters.__init__()  # type: ignore[misc]
            self.transport.write(OK_INGEST)
        else:
            self.counters.add(path.decode("latin-1"), self.size)
            if not self.parser.should_keep_alive():
                self.transport.write(OK_CLOSE)
                self.transport.close()
            else:
                self.transport.write(OK_PUSH if path.startswith(PUSH_PREFIX) else OK_INGEST)


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    counters = Counters()
    server = await loop.create_server(lambda: SinkProtocol(counters), host, port, backlog=2048)
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set_result, None)
    print(f"sink listening on {host}:{port}", flush=True)
    async with server:
        await stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    run_fast(serve(args.host, args.port))


def run_fast(coro: Coroutine[Any, Any, None]) -> None:
    """asyncio.run on uvloop when it is installed (it is, with uvicorn[standard])."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(coro)
    else:
        uvloop.run(coro)


if __name__ == "__main__":
    main()
