"""The `pyroscope.receive_http` component: owns the listener and the current `forward_to`
list, and moves the listener on reload without refusing a request."""

from __future__ import annotations

import asyncio
from typing import Any

from prometheus_client import CollectorRegistry

from alloylite.components.pyroscope.appendable import Appendable
from alloylite.components.pyroscope.receive_http.app import ReceiveApp
from alloylite.components.pyroscope.receive_http.arguments import Arguments, HTTPArguments
from alloylite.components.pyroscope.receive_http.h2_settings import h2_settings
from alloylite.components.pyroscope.receive_http.http_server import HTTPServer, ServerSettings
from alloylite.components.pyroscope.receive_http.metrics import ReceiveMetrics
from alloylite.components.pyroscope.receive_http.server_tls import build_server_context
from alloylite.runtime.component import ComponentLogger, ComponentOptions


def _settings_for(args: HTTPArguments, reuse_port: bool = False) -> ServerSettings:
    ctx = build_server_context(args.tls) if args.tls is not None else None
    return ServerSettings(
        host=args.listen_address,
        port=args.listen_port,
        conn_limit=args.conn_limit,
        idle_timeout=args.server_idle_timeout.total_seconds(),
        ssl_context=ctx,
        handshake_timeout=max(1.0, args.server_read_timeout.total_seconds()),
        read_timeout=args.server_read_timeout.total_seconds() or 1e9,
        reuse_port=reuse_port,
        h2c=args.http2 is not None and args.http2.enabled,
        http2=h2_settings(args),
    )


class ReceiveHTTP:
    """The component: owns the listener and the current `forward_to` list."""

    def __init__(self, opts: ComponentOptions, args: Arguments) -> None:
        self.opts = opts
        self.logger: ComponentLogger = opts.logger
        registry = opts.registry if opts.registry is not None else CollectorRegistry()
        self.metrics = ReceiveMetrics(registry)
        self._app = ReceiveApp(self)
        self._server: HTTPServer | None = None
        # The http block the running listener was started with: an update compares
        # against this, not against the last arguments, so a move that failed (port
        # taken) is tried again by the next reload.
        self._bound: HTTPArguments | None = None
        self._lock = asyncio.Lock()
        self._retired: set[asyncio.Task[None]] = set()
        self.started = asyncio.Event()
        # Worker processes of `run --workers N` share the listening port.
        self._shared_port = int(opts.extra.get("workers", 1) or 1) > 1
        self._apply(args)

    # Values the request path reads on every request, kept flat for speed.
    def _apply(self, args: Arguments) -> None:
        self.args = args
        self.forward_to: list[Appendable] = list(args.forward_to)
        self.body_limit = args.max_request_body_size
        self.forward_tenant = args.forward_tenant
        self.forward_headers = args.forward_headers
        self.write_timeout = args.http.server_write_timeout.total_seconds() or 1e9
        self.graceful_timeout = args.graceful_shutdown_timeout.total_seconds()

    @property
    def port(self) -> int:
        """The port the listener is bound to (tests configure port 0)."""
        assert self._server is not None, "receive_http is not listening"
        return self._server.port

    async def _start_server(self, http_args: HTTPArguments) -> HTTPServer:
        server = HTTPServer(
            self._app,
            _settings_for(http_args, self._shared_port),
            self.logger,
            on_connections=self.metrics.set_connections,
        )
        await server.start()
        self._bound = http_args
        self.metrics.connections_limit = http_args.conn_limit
        self.logger.info("receive_http listening on %s:%d", http_args.listen_address, server.port)
        return server

    def _retire(self, server: HTTPServer) -> None:
        # The old listener drains in the background so a reload never blocks on it.
        task = asyncio.get_running_loop().create_task(server.stop(self.graceful_timeout))
        self._retired.add(task)
        task.add_done_callback(self._retired.discard)

    async def run(self) -> None:
        async with self._lock:
            if self._server is None:
                self._server = await self._start_server(self.args.http)
        self.started.set()
        try:
            await asyncio.Event().wait()
        finally:
            await asyncio.shield(self._shutdown())

    async def _shutdown(self) -> None:
        async with self._lock:
            server, self._server = self._server, None
        if server is not None:
            await server.stop(self.graceful_timeout)
        if self._retired:
            await asyncio.gather(*self._retired, return_exceptions=True)

    async def update(self, arguments: Any) -> None:
        """Apply new arguments. They take effect only once the listener they ask for is
        bound: if the bind fails the component keeps its old arguments and listener,
        and the error goes back to the reload."""
        args: Arguments = arguments
        async with self._lock:
            if self._server is None:
                if self.started.is_set():
                    # An earlier restart failed (port taken, bad TLS files):
                    # these arguments get their chance.
                    self._server = await self._start_server(args.http)
                self._apply(args)
                return
            old_http = self._bound
            if args.http == old_http or old_http is None:
                self._apply(args)
                return
            old = self._server
            same_address = (
                (args.http.listen_address, args.http.listen_port)
                == (old_http.listen_address, old_http.listen_port)
                and args.http.listen_port != 0
                and not self._shared_port  # a shared port can be bound twice
            )
            if same_address:
                # The port cannot be bound twice: stop the old listener first
                # (Alloy always does it in this order).
                self._server = None
                await old.stop(self.graceful_timeout)
                self._server = await self._start_server(args.http)
            else:
                # A new address: accept there first, then drain the old one,
                # so no request is refused during the move.
                self._server = await self._start_server(args.http)
                self._retire(old)
            self._apply(args)
