"""HTTP/2 on receive_http's port: an asyncio protocol that runs the ASGI app per stream.

uvicorn speaks only HTTP/1.1, and Alloy serves HTTP/2 on the same port (h2c when
`http { http2 { enabled = true } }`, h2 by ALPN with TLS; spec
alloy-profiling-components.md §5.4), which gRPC clients need. The frames, HPACK
and flow control are the `h2` package's; this module only maps streams to ASGI
calls. http_server.py hands a connection over here when it sees the preface,
an `Upgrade: h2c` request, or ALPN `h2`.

The ASGI side matches the HTTP/1.1 one: the same scope keys (the app stores its
task under TASK_KEY, and a reset stream or a lost connection cancels it with
GONE_KEY set), plus the `http.response.trailers` extension that gRPC needs.
Request bodies are flow-controlled by what the app reads, so a client cannot
make the server buffer more than one window per stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings

from alloylite.components.pyroscope.receive_http.http1_trailers import EXTENSION as TRAILERS

__all__ = ["PREFACE", "SWITCHING", "H2Protocol", "H2Settings", "h2c_upgrade", "preface_answer"]

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

# Alloy's answer to an HTTP/2 preface when h2c is off: Go's HTTP/1 server reads
# `PRI * HTTP/2.0` as a request and gorilla/mux redirects the path `*` (§5.4).
_PREFACE_ANSWER = (
    b"HTTP/1.1 301 Moved Permanently\r\nLocation: /%2A\r\nDate: {date}\r\n"
    b"Content-Length: 0\r\nConnection: close\r\n\r\n"
)

# Headers HTTP/2 forbids (RFC 9113 §8.2.2); an ASGI app may still set them.
_CONNECTION_HEADERS = frozenset(
    {b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"upgrade"}
)

# Go's HTTP/2 server: its 1 MiB head limit plus ten fields' HPACK overhead
# (x/net/http2 maxHeaderListSize), where h2's default is 64 KiB. A request's
# headers may be as large as over HTTP/1.1 (an X-Scope-OrgID of 1 MB is answered,
# not cut off); a larger header list ends the connection (h2 has no per-stream
# 431 as Go does).
MAX_HEADER_LIST_SIZE = (1 << 20) + 10 * 32

TASK_KEY = "alloylite.task"
GONE_KEY = "alloylite.client_gone"


SWITCHING = b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
# HTTP/1.1 headers that do not carry over to the upgraded request.
_HOP_BY_HOP = frozenset({b"connection", b"upgrade", b"http2-settings", b"host", b"keep-alive"})


def h2c_upgrade(
    method: bytes, url: bytes, headers: list[tuple[bytes, bytes]]
) -> tuple[bytes, list[tuple[bytes, bytes]]] | None:
    """For an HTTP/1.1 request asking `Upgrade: h2c` (RFC 7540 §3.2): its
    HTTP2-Settings value and the request as HTTP/2 headers; None for any other."""
    connection: set[bytes] = set()
    upgrade = settings = host = None
    for name, value in headers:
        if name == b"connection":
            connection.update(t.strip().lower() for t in value.split(b","))
        elif name == b"upgrade":
            upgrade = value.strip().lower()
        elif name == b"http2-settings":
            settings = value.strip()
        elif name == b"host":
            host = value
    if upgrade != b"h2c" or settings is None or b"upgrade" not in connection:
        return None
    if b"http2-settings" not in connection:
        return None
    request = [(b":method", method), (b":path", url), (b":scheme", b"http")]
    if host is not None:
        request.append((b":authority", host))
    request += [(n, v) for n, v in headers if n not in _HOP_BY_HOP]
    return settings, request


def preface_answer(date: bytes) -> bytes:
    """The bytes Alloy sends back to a preface on an HTTP/1.1-only port."""
    return _PREFACE_ANSWER.replace(b"{date}", date)


@dataclass(frozen=True)
class H2Settings:
    """The `http2` block's settings that apply (Go's x/net/http2.Server fields)."""

    max_concurrent_streams: int = 100
    max_decoder_header_table_size: int = 4096
    max_read_frame_size: int = 0  # 0: the protocol's 16 KiB
    max_upload_buffer_per_stream: int = 0  # 0: Go's 1 MiB
    idle_timeout: float = 120.0


class _Stream:
    """One request: its scope, its unread body and its ASGI task."""

    __slots__ = ("chunks", "ended", "gone", "readable", "scope", "task", "window_open")

    def __init__(self, scope: dict[str, Any]) -> None:
        self.scope = scope
        self.chunks: list[tuple[bytes, int]] = []  # (data, flow-controlled length)
        self.ended = False
        self.gone = False
        self.readable = asyncio.Event()
        self.window_open = asyncio.Event()
        self.task: asyncio.Task[None] | None = None


class H2Protocol(asyncio.Protocol):
    """An HTTP/2 server connection running `app` for each stream."""

    def __init__(
        self,
        app: Callable[..., Any],
        settings: H2Settings,
        state: Any,
        on_lost: Callable[[], None],
        scheme: str = "http",
    ) -> None:
        self._app = app
        self._settings = settings
        self._state = state  # uvicorn's ServerState: the server drains its sets on stop
        self._on_lost = on_lost
        self._scheme = scheme
        config = h2.config.H2Configuration(
            client_side=False, header_encoding=None, validate_inbound_headers=True
        )
        self.conn = h2.connection.H2Connection(config=config)
        self._streams: dict[int, _Stream] = {}
        self.transport: asyncio.Transport | None = None
        self._closing = False
        self._idle: asyncio.TimerHandle | None = None
        self._server: Any = None
        self._client: Any = None

    # ------------------------------------------------------------ connection

    def _local_settings(self) -> dict[h2.settings.SettingCodes, int]:
        s = self._settings
        codes = h2.settings.SettingCodes
        out = {
            codes.MAX_CONCURRENT_STREAMS: s.max_concurrent_streams,
            codes.HEADER_TABLE_SIZE: s.max_decoder_header_table_size,
            codes.ENABLE_PUSH: 0,
            codes.MAX_HEADER_LIST_SIZE: MAX_HEADER_LIST_SIZE,
        }
        if s.max_read_frame_size:
            out[codes.MAX_FRAME_SIZE] = max(16384, min(s.max_read_frame_size, 16777215))
        window = s.max_upload_buffer_per_stream or 1 << 20
        out[codes.INITIAL_WINDOW_SIZE] = min(window, 2**31 - 1)
        return out

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._attach(transport, upgrade=None)

    def upgraded(
        self,
        transport: asyncio.BaseTransport,
        settings_header: bytes,
        request: list[tuple[bytes, bytes]],
        body: bytes,
    ) -> None:
        """Take over a connection that answered `Upgrade: h2c` (101 already sent);
        the HTTP/1.1 request that asked becomes stream 1, whose answer is HTTP/2."""
        self._attach(transport, upgrade=settings_header)
        self._request(1, request, ended=True, body=body)
        self._flush()

    def _attach(self, transport: asyncio.BaseTransport, upgrade: bytes | None) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, only alike.
        self.transport = cast(asyncio.Transport, transport)
        self._server = transport.get_extra_info("sockname")
        self._client = transport.get_extra_info("peername")
        self._state.connections.add(self)
        # The initial SETTINGS frame carries these (h2 reads them at initiation).
        self.conn.local_settings = h2.settings.Settings(
            client=False, initial_values=self._local_settings()
        )
        self.conn.max_inbound_frame_size = self.conn.local_settings.max_frame_size
        # h2 applies the advertised limit only once the client acknowledges it;
        # a client may send its first request before that.
        self.conn.decoder.max_header_list_size = MAX_HEADER_LIST_SIZE
        if upgrade is not None:
            self.conn.initiate_upgrade_connection(upgrade)
        else:
            self.conn.initiate_connection()
        self._flush()
        self._arm_idle()

    def connection_lost(self, exc: Exception | None) -> None:
        try:
            if self._idle is not None:
                self._idle.cancel()
            self._state.connections.discard(self)
            for stream in self._streams.values():
                self._abandon(stream)
            self._streams.clear()
        finally:
            self._on_lost()

    def data_received(self, data: bytes) -> None:
        try:
            events = self.conn.receive_data(data)
        except h2.exceptions.ProtocolError:
            self._flush()
            self._close()
            return
        for event in events:
            self._handle(event)
        self._flush()

    def shutdown(self) -> None:
        """Graceful stop (the server's): GOAWAY, let open streams finish, then close."""
        self._closing = True
        if not self._streams:
            self._goaway()

    def _goaway(self) -> None:
        with contextlib.suppress(h2.exceptions.ProtocolError):
            self.conn.close_connection()
            self._flush()
        self._close()

    def _close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def _flush(self) -> None:
        data = self.conn.data_to_send()
        if data and self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def _arm_idle(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
        self._idle = None
        if not self._streams and self.transport is not None:
            loop = asyncio.get_running_loop()
            self._idle = loop.call_later(self._settings.idle_timeout, self._goaway)

    # ---------------------------------------------------------------- events

    def _handle(self, event: h2.events.Event) -> None:
        if isinstance(event, h2.events.RequestReceived):
            self._request(event.stream_id, event.headers or [], event.stream_ended is not None)
        elif isinstance(event, h2.events.DataReceived):
            stream = self._streams.get(event.stream_id)
            length = event.flow_controlled_length or 0
            if stream is None or stream.gone:
                self._ack(event.stream_id, length)
            else:
                stream.chunks.append((event.data or b"", length))
                stream.readable.set()
        elif isinstance(event, h2.events.StreamEnded):
            stream = self._streams.get(event.stream_id)
            if stream is not None:
                stream.ended = True
                stream.readable.set()
        elif isinstance(event, h2.events.StreamReset):
            stream = self._streams.pop(event.stream_id, None)
            if stream is not None:
                self._abandon(stream)
                self._arm_idle()
        elif isinstance(event, h2.events.WindowUpdated):
            targets = (
                self._streams.values()
                if not event.stream_id
                else ([s] if (s := self._streams.get(event.stream_id)) is not None else [])
            )
            for stream in targets:
                stream.window_open.set()
        elif isinstance(event, h2.events.ConnectionTerminated):
            self._close()

    def _ack(self, stream_id: int, length: int) -> None:
        if length:
            with contextlib.suppress(h2.exceptions.StreamClosedError, KeyError):
                self.conn.acknowledge_received_data(length, stream_id)

    def _abandon(self, stream: _Stream) -> None:
        stream.gone = True
        stream.readable.set()
        stream.window_open.set()
        task = stream.task
        if task is not None and not task.done():
            stream.scope[GONE_KEY] = True
            task.cancel()

    def _request(self, stream_id: int, raw: list[Any], ended: bool, body: bytes = b"") -> None:
        if self._closing:
            self.conn.reset_stream(stream_id, h2.errors.ErrorCodes.REFUSED_STREAM)
            return
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        pseudo: dict[bytes, bytes] = {}
        headers: list[tuple[bytes, bytes]] = []
        for name, value in raw:
            if name[:1] == b":":
                pseudo[name] = value
            else:
                headers.append((name, value))
        authority = pseudo.get(b":authority")
        if authority is not None:
            headers.insert(0, (b"host", authority))
        target = pseudo.get(b":path", b"/")
        raw_path, _, query = target.partition(b"?")
        path = raw_path.decode("latin-1")
        if "%" in path:
            path = urllib.parse.unquote(path)
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "2",
            "method": pseudo.get(b":method", b"GET").decode("latin-1"),
            "scheme": self._scheme,
            "path": path,
            "raw_path": raw_path,
            "query_string": query,
            "root_path": "",
            "headers": headers,
            "server": self._server,
            "client": self._client,
            "extensions": {TRAILERS: {}},
        }
        stream = _Stream(scope)
        stream.ended = ended
        if body:
            stream.chunks.append((body, 0))  # read before the upgrade: no window to give back
        self._streams[stream_id] = stream
        task = asyncio.get_running_loop().create_task(self._run(stream_id, stream))
        stream.task = task
        self._state.tasks.add(task)
        task.add_done_callback(self._state.tasks.discard)

    # ------------------------------------------------------------------ ASGI

    async def _run(self, stream_id: int, stream: _Stream) -> None:
        started = False
        finished = False

        async def receive() -> dict[str, Any]:
            while not stream.chunks and not stream.ended and not stream.gone:
                stream.readable.clear()
                await stream.readable.wait()
            if stream.gone:
                return {"type": "http.disconnect"}
            if stream.chunks:
                data, length = stream.chunks.pop(0)
                self._ack(stream_id, length)
                self._flush()
                more = bool(stream.chunks) or not stream.ended
                return {"type": "http.request", "body": data, "more_body": more}
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal started, finished
            if stream.gone or finished:
                return
            kind = message["type"]
            if kind == "http.response.start":
                started = True
                status = str(message["status"]).encode()
                out = [(b":status", status)] + [
                    (name.lower(), value)
                    for name, value in message.get("headers", [])
                    if name.lower() not in _CONNECTION_HEADERS
                ]
                stream.scope["alloylite.trailers"] = bool(message.get("trailers"))
                self.conn.send_headers(stream_id, out)
                self._flush()
            elif kind == "http.response.body":
                more = bool(message.get("more_body", False))
                last = not more and not stream.scope["alloylite.trailers"]
                await self._send_data(stream_id, stream, message.get("body", b""), last)
                finished = last
            elif kind == "http.response.trailers":
                if not message.get("more_trailers", False):
                    trailers = [(n.lower(), v) for n, v in message.get("headers", [])]
                    self.conn.send_headers(stream_id, trailers, end_stream=True)
                    self._flush()
                    finished = True

        try:
            await self._app(stream.scope, receive, send)
            if not started and not stream.gone:
                await send({"type": "http.response.start", "status": 500, "headers": []})
                await send({"type": "http.response.body", "body": b""})
        except asyncio.CancelledError:
            if not stream.gone:
                raise
        finally:
            if not stream.gone and not finished:
                with contextlib.suppress(h2.exceptions.ProtocolError, KeyError):
                    self.conn.reset_stream(stream_id, h2.errors.ErrorCodes.INTERNAL_ERROR)
                    self._flush()
            elif not stream.ended:
                # The answer is out before the body was read (an early error):
                # the rest of the request is not wanted.
                with contextlib.suppress(h2.exceptions.ProtocolError, KeyError):
                    self.conn.reset_stream(stream_id, h2.errors.ErrorCodes.NO_ERROR)
                    self._flush()
            if self._streams.get(stream_id) is stream:
                del self._streams[stream_id]
            if self._closing and not self._streams:
                self._goaway()
            else:
                self._arm_idle()

    async def _send_data(self, stream_id: int, stream: _Stream, data: bytes, last: bool) -> None:
        view = memoryview(data)
        while True:
            if stream.gone:
                return
            size = min(self.conn.local_flow_control_window(stream_id), len(view))
            size = min(size, self.conn.max_outbound_frame_size)
            if size <= 0 and view:
                stream.window_open.clear()
                await stream.window_open.wait()
                continue
            end = last and size == len(view)
            self.conn.send_data(stream_id, bytes(view[:size]), end_stream=end)
            self._flush()
            view = view[size:]
            if not view:
                return
