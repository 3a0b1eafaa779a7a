"""An embeddable uvicorn HTTP server with Alloy's listener semantics.

uvicorn's `Server` installs signal handlers and owns the listening socket;
a component must do neither (the runtime owns signals, and several
receive_http instances share one process). So this module binds the socket
itself and drives uvicorn's httptools protocol directly through its own accept
loop. Owning the accept loop is also what gives `conn_limit` Alloy's meaning:
connections above the limit *wait to be accepted* (Go's limit listener), they
are not answered 503 the way uvicorn's `limit_concurrency` would.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import httptools
import uvicorn
from uvicorn.server import ServerState

from alloylite.components.pyroscope.receive_http.http1_trailers import (
    install as install_trailers,
)
from alloylite.components.pyroscope.receive_http.http2 import (
    GONE_KEY,
    PREFACE,
    SWITCHING,
    TASK_KEY,
    H2Protocol,
    H2Settings,
    h2c_upgrade,
    preface_answer,
)

ASGIApp = Callable[..., Any]

# How long a refused connection keeps reading (and discarding) before closing.
_LINGER = 0.5

# The longest URL httptools.parse_url accepts (its offsets are 16-bit).
_PARSE_URL_MAX = 0xFFFF

# Scope keys (defined in http2.py, which serves them too): an app that stores its
# task under TASK_KEY gets it cancelled when the client disconnects before the
# response is complete; GONE_KEY is then set so the app can tell that
# cancellation from a shutdown.
# READ_TIMEOUT_KEY is set when the server answered 408 for a stalled body: the
# handler sees only a disconnect, and the app counts that request as 408, not 499.
READ_TIMEOUT_KEY = "alloylite.read_timed_out"
__all__ = ["GONE_KEY", "READ_TIMEOUT_KEY", "TASK_KEY", "HTTPServer", "ServerSettings"]


@dataclass(frozen=True)
class ServerSettings:
    """What the listener needs; built from the component's `http` block."""

    host: str
    port: int
    conn_limit: int  # 0 means unlimited
    idle_timeout: float
    ssl_context: ssl.SSLContext | None = None
    # How long a TLS handshake may take before the connection is dropped.
    handshake_timeout: float = 30.0
    # Go's server.ReadTimeout: from a request's first byte to its last body
    # byte. A trickled head (slowloris) is cut off, a stalled body gets 408.
    read_timeout: float = 30.0
    # Go's http.DefaultMaxHeaderBytes; uvicorn itself has no limit.
    max_header_bytes: int = 1 << 20
    # `run --workers N`: every worker binds the same port and the kernel
    # spreads connections over them. Off otherwise, so that two agents
    # configured with one port still get "address already in use".
    reuse_port: bool = False
    # Cleartext HTTP/2 (prior knowledge) on the same port: Alloy's
    # `http { http2 { enabled = true } }`. With TLS, h2 is offered by ALPN anyway.
    h2c: bool = False
    http2: H2Settings = H2Settings()


class _Slot:
    """One unit of the connection limit; released exactly once."""

    __slots__ = ("_on_release", "_released")

    def __init__(self, on_release: Callable[[], None]) -> None:
        self._on_release = on_release
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._on_release()


class HTTPServer:
    """A listener plus uvicorn's HTTP/1.1 protocol, started and stopped by a component."""

    def __init__(
        self,
        app: ASGIApp,
        settings: ServerSettings,
        logger: logging.Logger | Any,
        on_connections: Callable[[int], None] | None = None,
    ) -> None:
        self._app = app
        self._settings = settings
        self._logger = logger
        self._on_connections = on_connections
        self._sock: socket.socket | None = None
        self._accept_task: asyncio.Task[None] | None = None
        self._protocol: type = object  # set by start(): it needs the running loop
        self._handshakes: set[asyncio.Task[None]] = set()
        self._state = ServerState()
        self._open = 0
        self._slots: asyncio.Semaphore | None = (
            asyncio.Semaphore(settings.conn_limit) if settings.conn_limit > 0 else None
        )
        self._config = uvicorn.Config(
            app,
            http="httptools",
            ws="none",
            lifespan="off",
            interface="asgi3",
            access_log=False,
            log_config=None,
            proxy_headers=False,
            server_header=False,
            date_header=True,
            timeout_keep_alive=max(1, int(settings.idle_timeout)),
        )
        self._config.load()

    @property
    def port(self) -> int:
        """The bound port (useful when the configured port is 0)."""
        assert self._sock is not None, "server not started"
        return int(self._sock.getsockname()[1])

    @property
    def open_connections(self) -> int:
        return self._open

    def _bind(self) -> socket.socket:
        host = self._settings.host
        # Go's "" listens on every interface; for Python that is the IPv6/IPv4
        # wildcard, but "0.0.0.0" keeps behaviour predictable on v4-only hosts.
        bind_host = host if host else "0.0.0.0"
        family = socket.AF_INET6 if ":" in bind_host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if self._settings.reuse_port:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((bind_host, self._settings.port))
            sock.listen(2048)
            sock.setblocking(False)
        except OSError as exc:
            sock.close()
            # Go's wording, which users of Alloy know from its logs.
            reason = (exc.strerror or str(exc)).lower()
            error = OSError(f"listen tcp {host}:{self._settings.port}: bind: {reason}")
            error.errno = exc.errno
            raise error from None
        except BaseException:
            sock.close()
            raise
        return sock

    async def start(self) -> None:
        """Bind and start accepting. Raises OSError if the address is unusable."""
        self._sock = self._bind()
        if self._settings.ssl_context is not None:
            # Go's TLS server offers h2 first (gRPC over TLS needs it).
            self._settings.ssl_context.set_alpn_protocols(["h2", "http/1.1"])
        self._protocol = self._protocol_class()
        self._accept_task = asyncio.get_running_loop().create_task(self._accept_loop())

    def _connection_count_changed(self, delta: int) -> None:
        self._open += delta
        if self._on_connections is not None:
            self._on_connections(self._open)

    def _protocol_class(self) -> type:
        """uvicorn's httptools protocol plus what Go's server does and uvicorn does not:
        the connection count (and the conn_limit slot), a limit on the request
        head, a read deadline covering the head and the body, and response
        trailers (http1_trailers.py).

        Relies on the protocol's internals (`cycle`, its `scope`, `response_complete`,
        `message_event`, `disconnected`, and the parser callbacks): checked against uvicorn
        0.55.0 with httptools 0.9.0 (uvicorn is bounded in pyproject.toml)."""
        base = self._config.http_protocol_class
        server = self
        settings = self._settings
        loop = asyncio.get_running_loop()

        class _Protocol(base):  # type: ignore[misc, valid-type]
            slot: _Slot
            url: bytes  # uvicorn's: the request target as llhttp reports it
            # Bytes of the current request that are not body: its head, chunk
            # framing and trailers. httptools buffers head and trailer fields in
            # full, so they share Go's head limit.
            _overhead = 0
            _head_done = False
            _reading = False  # between a request's first byte and its last body byte
            _timer: asyncio.TimerHandle | None = None
            _refused = False
            _fresh = True  # no byte read yet: an HTTP/2 preface may come
            # An `Upgrade: h2c` request being read: (settings, HTTP/2 headers, body
            # still expected, body so far); its body arrives as llhttp's upgrade data.
            _h2c: tuple[bytes, list[tuple[bytes, bytes]], int, bytearray] | None = None
            _data = b""

            def connection_made(self, transport: Any) -> None:
                server._connection_count_changed(+1)
                ssl_object = transport.get_extra_info("ssl_object")
                if ssl_object is not None and ssl_object.selected_alpn_protocol() == "h2":
                    self._serve_h2(transport, b"")  # --- HTTP/2 (http2.py) ---
                    return
                super().connection_made(transport)
                # Go applies the read deadline from accept (after the TLS
                # handshake here): a connection that never sends a byte is
                # closed like a trickled head, so it cannot hold a conn_limit
                # slot for good.
                self._start_reading()

            def _start_reading(self) -> None:
                self._reading = True
                self._head_done = False
                self._overhead = 0
                self._timer = loop.call_later(settings.read_timeout, self._read_timed_out)

            def _stop_reading(self) -> None:
                self._reading = False
                if self._timer is not None:
                    self._timer.cancel()
                    self._timer = None

            # --- HTTP/2 hand-over (http2.py) ---
            def _new_h2(self) -> H2Protocol:
                slot = self.slot

                def lost() -> None:
                    server._connection_count_changed(-1)
                    slot.release()

                return H2Protocol(server._app, settings.http2, server._state, lost, self._scheme())

            def _serve_h2(self, transport: Any, data: bytes) -> None:
                self._stop_reading()  # HTTP/2 has its own idle timeout (http2.py)
                self.connections.discard(self)
                h2 = self._new_h2()
                transport.set_protocol(h2)
                h2.connection_made(transport)
                if data:
                    h2.data_received(data)

            def _scheme(self) -> str:
                return "https" if settings.ssl_context is not None else "http"

            def _preface(self, transport: Any, data: bytes) -> bool:
                """True when the connection opened with HTTP/2's preface (and is handled)."""
                if not data.startswith(PREFACE[:14]):
                    return False
                if settings.h2c:
                    self._serve_h2(transport, data)
                    return True
                date = dict(self.server_state.default_headers).get(b"date", b"")
                transport.write(preface_answer(date))
                self._refused = True
                transport.close()
                return True

            def connection_lost(self, exc: Exception | None) -> None:
                try:
                    if self._timer is not None:
                        self._timer.cancel()
                    cycle = self.cycle
                    if cycle is not None and not cycle.response_complete:
                        # The client is gone: stop the handler (and the retries
                        # it waits for), as Go cancels the request context.
                        task = cycle.scope.get(TASK_KEY)
                        if task is not None and not task.done():
                            cycle.scope[GONE_KEY] = True
                            task.cancel()
                    super().connection_lost(exc)
                finally:
                    server._connection_count_changed(-1)
                    self.slot.release()

            def data_received(self, data: bytes) -> None:
                if self._refused:
                    return  # lingering after a refusal: the rest is thrown away
                if self._fresh:
                    self._fresh = False
                    if self._preface(self.transport, data):
                        return
                if self._h2c is not None:
                    self._h2c_body(data)
                    return
                self._data = data  # for _unsupported_upgrade_warning (h2c upgrade)
                if not self._reading:
                    self._start_reading()
                self._overhead += len(data)
                if not self._head_done and self._overhead > settings.max_header_bytes:
                    self._refuse(431, b"Request Header Fields Too Large", b"")
                    return
                super().data_received(data)
                if self._reading and self._overhead > settings.max_header_bytes:
                    self._refuse_trailers()

            def _refuse_trailers(self) -> None:
                # A trailer section (or chunk framing) past the head limit:
                # refused as Go refuses an oversized head; the handler, still
                # waiting for the end of the body, is told the client is gone.
                cycle = self.cycle
                if cycle is not None:
                    cycle.disconnected = True
                    cycle.message_event.set()
                self._refuse(431, b"Request Header Fields Too Large", b"")

            def on_message_begin(self) -> None:
                # A pipelined request can begin in the same read as the end of
                # the one before: its head is a head, not trailer fields.
                self._head_done = False
                super().on_message_begin()

            def on_headers_complete(self) -> None:
                self._head_done = True
                if settings.h2c and self.parser.should_upgrade():
                    method = self.parser.get_method()
                    asked = h2c_upgrade(method, self.url, self.headers)
                    if asked is not None:  # --- HTTP/2 by upgrade (http2.py) ---
                        length = dict(self.headers).get(b"content-length", b"0")
                        size = int(length) if length.isdigit() else 0
                        self._h2c = (asked[0], asked[1], size, bytearray())
                        return
                url = self.url
                if len(url) <= _PARSE_URL_MAX:
                    super().on_headers_complete()
                    self._trailers()
                    return
                # httptools.parse_url, which uvicorn calls, refuses URLs over 64 KiB
                # (its offsets are 16-bit), while llhttp and Go take any URL within
                # the head limit: an /ingest name with thousands of labels is long.
                # uvicorn parses the path alone and the query is set here.
                path, _, query = url.partition(b"#")[0].partition(b"?")
                if len(path) > _PARSE_URL_MAX:
                    self._refuse(414, b"URI Too Long", b"")
                    return
                self.url = path
                super().on_headers_complete()
                self.scope["query_string"] = query
                self._trailers()

            def _trailers(self) -> None:
                # --- response trailers on HTTP/1.1 (http1_trailers.py) ---
                cycle = self.cycle
                if cycle is not None and cycle.scope is self.scope:
                    install_trailers(cycle)

            def _unsupported_upgrade_warning(self) -> None:
                # uvicorn calls this inside its `except HttpParserUpgrade`: the
                # exception's offset is where the body and the HTTP/2 bytes start.
                exc = sys.exc_info()[1]
                if self._h2c is not None and isinstance(exc, httptools.HttpParserUpgrade):
                    offset = int(exc.args[0])
                    self._h2c_body(self._data[offset:])
                    return
                super()._unsupported_upgrade_warning()

            def _h2c_body(self, data: bytes) -> None:
                assert self._h2c is not None
                settings_header, request, size, body = self._h2c
                take = size - len(body)
                body += data[:take]
                if len(body) < size:
                    return
                self._h2c = None
                self._stop_reading()
                transport = self.transport
                transport.write(SWITCHING)
                self.connections.discard(self)
                h2 = self._new_h2()
                transport.set_protocol(h2)
                h2.upgraded(transport, settings_header, request, bytes(body))
                if data[take:]:
                    h2.data_received(data[take:])

            def on_header(self, name: bytes, value: bytes) -> None:
                # httptools reports chunked trailer fields here too, after the
                # head; uvicorn would append them to the request's headers, so a
                # trailer `Content-Type` would be forwarded. Go keeps trailers
                # apart (Request.Trailer) and nothing here reads them: dropped.
                if not self._head_done:
                    super().on_header(name, value)

            def on_body(self, body: bytes) -> None:
                self._overhead -= len(body)
                if not self._refused:  # refused from its head (414): no cycle to feed
                    super().on_body(body)

            def on_message_complete(self) -> None:
                if self._h2c is not None or self._refused:
                    return
                if self._overhead > settings.max_header_bytes:
                    self._refuse_trailers()
                    return
                super().on_message_complete()
                self._stop_reading()

            def _read_timed_out(self) -> None:
                self._timer = None
                if not self._reading or self.transport.is_closing():
                    return
                cycle = self.cycle
                if not self._head_done or cycle is None or cycle.response_started:
                    # Go closes the connection when the read deadline passes.
                    self.transport.close()
                    return
                # The body stalled: tell the handler the client is gone and
                # answer 408 ourselves (uvicorn has no read timeout of its own).
                cycle.scope[READ_TIMEOUT_KEY] = True
                cycle.disconnected = True
                cycle.message_event.set()
                self._refuse(408, b"Request Timeout", b"request body read timeout\n")

            def _refuse(self, status: int, reason: bytes, body: bytes) -> None:
                self._reading = False
                body = body or str(status).encode() + b" " + reason
                self.transport.write(
                    b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
                    b"connection: close\r\ncontent-length: %d\r\n\r\n%s"
                    % (status, reason, len(body), body)
                )
                # Closing now, with the client still sending, would reset the
                # connection before it reads the answer: half-close, discard
                # what still arrives, and close shortly after (Go lingers too).
                self._refused = True
                if self.transport.can_write_eof():
                    self.transport.write_eof()
                loop.call_later(_LINGER, self.transport.close)

        return _Protocol

    def _protocol_factory(self, slot: _Slot) -> Callable[[], asyncio.Protocol]:
        cls = self._protocol
        config, state = self._config, self._state

        def make() -> asyncio.Protocol:
            protocol = cls(config=config, server_state=state, app_state={})
            protocol.slot = slot
            return cast(asyncio.Protocol, protocol)

        return make

    def _new_slot(self) -> _Slot:
        slots = self._slots
        return _Slot(slots.release if slots is not None else (lambda: None))

    async def _accept_loop(self) -> None:
        loop = asyncio.get_running_loop()
        sock = self._sock
        assert sock is not None
        while True:
            if self._slots is not None:
                await self._slots.acquire()
            slot = self._new_slot()
            try:
                conn, _addr = await loop.sock_accept(sock)
            except asyncio.CancelledError:
                slot.release()
                raise
            except OSError as exc:
                slot.release()
                # EMFILE and friends: back off briefly instead of spinning.
                self._logger.warning("accept failed: %s", exc)
                await asyncio.sleep(0.1)
                continue
            with contextlib.suppress(OSError):
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._settings.ssl_context is None:
                await self._attach(conn, slot)
            else:
                # A TLS handshake must not hold up the accept loop.
                task = loop.create_task(self._attach(conn, slot))
                self._handshakes.add(task)
                task.add_done_callback(self._handshakes.discard)

    async def _attach(self, conn: socket.socket, slot: _Slot) -> None:
        loop = asyncio.get_running_loop()
        ctx = self._settings.ssl_context
        try:
            if ctx is None:
                await loop.connect_accepted_socket(self._protocol_factory(slot), conn)
            else:
                await loop.connect_accepted_socket(
                    self._protocol_factory(slot),
                    conn,
                    ssl=ctx,
                    ssl_handshake_timeout=self._settings.handshake_timeout,
                )
        except (TimeoutError, OSError, ssl.SSLError) as exc:
            slot.release()
            conn.close()
            self._logger.debug("connection setup failed: %s", exc)

    async def stop(self, graceful_timeout: float) -> None:
        """Stop accepting, let accepted requests finish, then close everything.

        Idle keep-alive connections are closed at once; connections with a
        request in flight get `Connection: close` on their response. After
        `graceful_timeout` seconds whatever still runs is cancelled.
        """
        if self._accept_task is not None:
            self._accept_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._accept_task
            self._accept_task = None
        if self._sock is not None:
            self._sock.close()
        for task in list(self._handshakes):
            task.cancel()
        for conn in list(self._state.connections):
            conn.shutdown()
        try:
            async with asyncio.timeout(graceful_timeout):
                await self._drained()
        except TimeoutError:
            self._logger.warning(
                "graceful shutdown timed out; cancelling %d request(s)", len(self._state.tasks)
            )
            for task in list(self._state.tasks):
                task.cancel()
            for conn in list(self._state.connections):
                transport = getattr(conn, "transport", None)
                if transport is not None:
                    transport.abort()

    async def _drained(self) -> None:
        # uvicorn keeps no event for "all connections closed"; its own server
        # polls the same sets. The poll only runs during shutdown.
        while self._state.connections or self._state.tasks:
            await asyncio.sleep(0.02)
