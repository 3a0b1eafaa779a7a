"""A scripted HTTP/1.1 backend on 127.0.0.1 for pyroscope.write's tests.

Each request takes the next step of a script: answer with a status, hang
without answering, reset the connection mid-response, or close without a
word. Every request is recorded (method, target, headers, exact body bytes).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from prometheus_client import CollectorRegistry

from alloylite.components.pyroscope.write.arguments import Arguments, Endpoint
from alloylite.components.pyroscope.write.component import PyroscopeWrite, WriteReceiver
from alloylite.runtime.component import ComponentOptions
from alloylite.runtime.live.channel import LiveChannel
from tests.integration.agent import free_port


@dataclass
class Reply:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    close_after: bool = False  # close the connection after answering, without saying so


HANG = "hang"  # read the request, never answer
RESET = "reset"  # send part of a response, then abort the connection
CLOSE = "close"  # close the connection without any response
GATE = "gate"  # wait for `Backend.gate` to be set, then answer 200

Step = Reply | str


@dataclass
class Seen:
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes
    version: str = "HTTP/1.1"

    def header(self, name: str) -> str | None:
        values = self.headers_named(name)
        return values[0] if values else None

    def headers_named(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


class Backend:
    """`async with Backend([...]) as b:` serves on `b.url`; the last step repeats."""

    def __init__(
        self, script: list[Step] | None = None, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self.script = list(script or [Reply()])
        self._ssl = ssl_context
        self.requests: list[Seen] = []
        self.connections = 0
        self.closed_by_server = 0
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._stop = asyncio.Event()
        self.gate = asyncio.Event()
        self.waiting = asyncio.Event()  # set when a GATE step has a request waiting
        self.port = 0

    @property
    def url(self) -> str:
        scheme = "https" if self._ssl is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    async def __aenter__(self) -> Backend:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self._ssl)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        # End handlers by closing their connections (cancelling them makes asyncio's
        # stream callback log the cancellation as an error).
        self._stop.set()
        for writer in list(self._writers):
            writer.transport.abort()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        await self._server.wait_closed()

    def _next(self) -> Step:
        index = len(self.requests) - 1
        return self.script[min(index, len(self.script) - 1)]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, version = lines[0].split(" ", 2)
                headers = [
                    (k.strip(), v.strip())
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                ]
                length = next((int(v) for k, v in headers if k.lower() == "content-length"), 0)
                body = await reader.readexactly(length) if length else b""
                self.requests.append(Seen(method, target, headers, body, version))
                step = self._next()
                if step == HANG:
                    await self._stop.wait()
                    return
                if step == GATE:
                    self.waiting.set()
                    await self.gate.wait()
                    step = Reply()
                if step == CLOSE:
                    writer.close()
                    return
                if step == RESET:
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
                    await writer.drain()
                    writer.transport.abort()
                    return
                assert isinstance(step, Reply)
                out = [f"HTTP/1.1 {step.status} X", f"Content-Length: {len(step.body)}"]
                out += [f"{k}: {v}" for k, v in step.headers]
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + step.body)
                await writer.drain()
                if step.close_after:
                    writer.close()
                    await writer.wait_closed()
                    self.closed_by_server += 1
                    return
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            self._tasks.discard(task)
            self._writers.discard(writer)
            writer.close()


def dead_url() -> str:
    """A URL on a 127.0.0.1 port with no listener (connection refused)."""
    return f"http://127.0.0.1:{free_port()}"


def endpoint(url: str, **kw: Any) -> Endpoint:
    """An endpoint with fast retries for tests (the defaults would sleep for minutes)."""
    defaults: dict[str, Any] = {
        "min_backoff_period": timedelta(milliseconds=1),
        "max_backoff_period": timedelta(milliseconds=5),
        "max_backoff_retries": 3,
        "remote_timeout": timedelta(seconds=5),
    }
    defaults.update(kw)
    ep = Endpoint(url=url, **defaults)
    ep.validate()
    return ep


@dataclass
class Harness:
    component: PyroscopeWrite
    registry: CollectorRegistry
    exports: list[dict[str, Any]]
    logger: logging.Logger

    @property
    def receiver(self) -> WriteReceiver:
        return self.exports[-1]["receiver"]

    def metric(self, name: str, **labels: str) -> float:
        value = self.registry.get_sample_value(name, labels)
        return 0.0 if value is None else value


def make_write(
    endpoints: list[Endpoint],
    external_labels: dict[str, str] | None = None,
    live: LiveChannel | None = None,
) -> Harness:
    registry = CollectorRegistry()
    exports: list[dict[str, Any]] = []
    logger = logging.getLogger("tests.pyroscope.write")
    options = ComponentOptions(
        id="pyroscope.write.test",
        logger=logger,
        on_state_change=exports.append,
        registry=registry,
        extra={"alloy_id": "test-alloy-id"},
    )
    if live is not None:
        options.live = live
    args = Arguments(endpoints=endpoints, external_labels=dict(external_labels or {}))
    component = PyroscopeWrite(options, args)
    _OPEN.append(exports)
    return Harness(component, registry, exports, logger)


# Exports of every harness built in the current run(), closed when it ends (the
# runtime does this by cancelling run()).
_OPEN: list[list[dict[str, Any]]] = []


async def close_all() -> None:
    """Close every receiver built since the last call (tests on another runner call it)."""
    open_now = list(_OPEN)
    _OPEN.clear()
    for exports in open_now:
        for export in exports:
            await export["receiver"].close()


def run(coro_fn: Callable[[], Awaitable[None]]) -> None:
    async def main() -> None:
        _OPEN.clear()  # anything left belongs to a loop that is gone
        try:
            await coro_fn()
        finally:
            await close_all()

    asyncio.run(main())
