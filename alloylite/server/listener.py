"""Serving the agent's app with uvicorn on a socket we bind ourselves.

Binding first lets `run` report a busy port as a normal error (uvicorn would
`sys.exit` from inside the event loop) and lets `:0` pick a free port whose
real address is then logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any


class ListenAddrError(ValueError):
    pass


def parse_listen_addr(text: str) -> tuple[str, int]:
    """`host:port`, `[v6]:port` or `:port` (all interfaces), as Go's net.Listen takes them."""
    host, sep, port = text.rpartition(":")
    if not sep:
        raise ListenAddrError(f"address {text}: missing port in address")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        number = int(port)
    except ValueError:
        raise ListenAddrError(f'address {text}: invalid port "{port}"') from None
    if not 0 <= number <= 65535:
        raise ListenAddrError(f"address {text}: invalid port")
    return host, number


def bind(text: str) -> socket.socket:
    host, port = parse_listen_addr(text)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind((host or ("::" if family == socket.AF_INET6 else "0.0.0.0"), port))
        sock.listen(1024)
    except OSError as err:
        sock.close()
        raise ListenAddrError(f"listen tcp {text}: {err.strerror or err}") from None
    sock.setblocking(False)
    return sock


def address_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Server:
    """A uvicorn server over one pre-bound socket, run as a task."""

    def __init__(self, app: Any, sock: socket.socket) -> None:
        import uvicorn

        self.sock = sock

        class _QuietServer(uvicorn.Server):
            """Signals belong to `run` (SIGHUP reload, SIGTERM shutdown), not to uvicorn.

            Overrides an undocumented method: checked against uvicorn 0.55.0 (bounded in
            pyproject.toml)."""

            def capture_signals(self) -> Any:
                return contextlib.nullcontext()

        config = uvicorn.Config(
            app, lifespan="off", log_level="error", access_log=False, loop="none", http="h11"
        )
        self._server = _QuietServer(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(sockets=[self.sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
                return
            await asyncio.sleep(0.005)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None
