"""A tiny HTTP/1.1 server on 127.0.0.1 that plays scrape targets, inside the test's event
loop: each path answers with a fixed body, a body that never ends, or a slow trickle."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

Handler = Callable[[asyncio.StreamWriter], Awaitable[None]]
PPROF = "application/octet-stream"


def fixed(body: bytes, content_type: str = PPROF, status: str = "200 OK") -> Handler:
    async def handle(writer: asyncio.StreamWriter) -> None:
        head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
        writer.write(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
        await writer.drain()

    return handle


def endless(chunk: bytes = b"\x1f\x8b" + b"\0" * 16382, pause: float = 0.0) -> Handler:
    """A chunked 200 whose body never ends: `pause` seconds between chunks."""

    async def handle(writer: asyncio.StreamWriter) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: {PPROF}\r\nTransfer-Encoding: chunked\r\n\r\n"
        writer.write(head.encode())
        while True:
            writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            await writer.drain()
            await asyncio.sleep(pause)

    return handle


@dataclass
class ProfileServer:
    routes: dict[str, Handler]
    hits: dict[str, int] = field(default_factory=dict)
    address: str = ""
    connections: dict[asyncio.Task[None], asyncio.StreamWriter] = field(default_factory=dict)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.connections[task] = writer
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode().split("?")[0]
                self.hits[path] = self.hits.get(path, 0) + 1
                handler = self.routes.get(path, fixed(b"not found", "text/plain", "404 Not Found"))
                await handler(writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.connections.pop(task, None)
            writer.close()


@contextlib.asynccontextmanager
async def profile_server(routes: dict[str, Handler]) -> AsyncIterator[ProfileServer]:
    server = ProfileServer(routes)
    tcp = await asyncio.start_server(server._serve, "127.0.0.1", 0)
    host, port = tcp.sockets[0].getsockname()[:2]
    server.address = f"{host}:{port}"
    try:
        yield server
    finally:
        tcp.close()
        # Aborting the connections ends the handlers (cancelling them makes Python 3.11's
        # stream callback log the cancellation as an error).
        tasks = list(server.connections)
        for writer in server.connections.values():
            writer.transport.abort()
        await asyncio.gather(*tasks, return_exceptions=True)
        await tcp.wait_closed()
