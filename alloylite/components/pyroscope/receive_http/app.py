"""The running side of `pyroscope.receive_http`: its HTTP app and component class.

Two routes, as in Alloy (spec alloy-pyroscope.md §1.3-1.8):
- `POST /ingest`: the legacy API. The body is opaque (pprof, multipart, JFR,
  folded text) and is forwarded byte for byte with its Content-Type values and
  the whole query string; only `name` is parsed, leniently.
- `POST /push.v1.PusherService/Push`: the Connect push API, one `append` per
  series per `forward_to` entry.

Every `forward_to` entry is called concurrently and the SDK's request waits
for all of them (no queue, like Alloy), so the SDK sees the backend's verdict.
The ASGI app is hand-written rather than a Starlette app: this is the hot path
and a router plus Request objects cost more than the two routes need.
"""

from __future__ import annotations

import asyncio
import http
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from prometheus_client import CollectorRegistry

from alloylite.components.pyroscope import connect, grpc
from alloylite.components.pyroscope import tenant as tenant_mod
from alloylite.components.pyroscope.appendable import (
    Appendable,
    IncomingProfile,
    Labels,
    WriteStatusError,
)
from alloylite.components.pyroscope.labels import ensure_service_name, parse_name
from alloylite.components.pyroscope.push import (
    PUSH_PATH,
    DecodeError,
    Series,
    decode_push_request,
    decode_push_request_json,
)
from alloylite.components.pyroscope.receive_http.arguments import Arguments, HTTPArguments
from alloylite.components.pyroscope.receive_http.grpc_push import GRPC_HEADERS, serve_grpc
from alloylite.components.pyroscope.receive_http.h2_settings import h2_settings
from alloylite.components.pyroscope.receive_http.http_server import (
    GONE_KEY,
    TASK_KEY,
    HTTPServer,
    ServerSettings,
)
from alloylite.components.pyroscope.receive_http.metrics import ReceiveMetrics
from alloylite.components.pyroscope.receive_http.server_tls import build_server_context
from alloylite.gocompat import go_quote
from alloylite.runtime.component import ComponentLogger, ComponentOptions

__all__ = ["ReceiveApp", "ReceiveHTTP", "labels_string"]

INGEST_PATH = "/ingest"
PUSH_PREFIX = "/push.v1.PusherService/"

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]

_TEXT = (b"content-type", b"text/plain; charset=utf-8")
_NOSNIFF = (b"x-content-type-options", b"nosniff")


class _BodyTooLarge(Exception):
    pass


class _ClientGone(Exception):
    pass


def _first_status_error(errors: Sequence[BaseException]) -> WriteStatusError | None:
    """The first backend status in finish order, looking through exception groups
    and causes the way Go's errors.As walks a joined error."""
    for err in errors:
        stack: list[BaseException] = [err]
        while stack:
            cur = stack.pop(0)
            if isinstance(cur, WriteStatusError):
                return cur
            if isinstance(cur, BaseExceptionGroup):
                stack.extend(cur.exceptions)
            if cur.__cause__ is not None:
                stack.append(cur.__cause__)
    return None


def labels_string(labels: Labels) -> str:
    """Prometheus' `labels.String()` form, used in push error messages."""
    return "{" + ", ".join(f"{k}={go_quote(v)}" for k, v in labels) + "}"


class ReceiveApp:
    """The ASGI application of one receive_http instance."""

    def __init__(self, component: ReceiveHTTP) -> None:
        self._c = component

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        method: str = scope["method"]
        started = time.monotonic()
        if path == INGEST_PATH:
            route = "ingest"
            if method != "POST":
                status = await _respond(send, 405, b"", extra=((b"allow", b"POST"),))
            else:
                status = await self._tracked(method, route, scope, receive, send, self._ingest)
        elif path.startswith(PUSH_PREFIX):
            route = "push_v1_pusherservice"
            if method != "POST":
                status = await _respond(send, 405, b"", extra=((b"allow", b"POST"),))
            elif path != PUSH_PATH:
                status = await _respond(send, 404, b"404 page not found\n", text=True)
            else:
                status = await self._tracked(method, route, scope, receive, send, self._push)
        else:
            route = "notfound"
            status = await _respond(send, 404, b"404 page not found\n", text=True)
        self._c.metrics.observe(method, route, status, time.monotonic() - started)

    async def _tracked(
        self,
        method: str,
        route: str,
        scope: dict[str, Any],
        receive: Receive,
        send: Send,
        handler: Callable[[dict[str, Any], Receive, Send], Awaitable[int]],
    ) -> int:
        inflight = self._c.metrics.inflight
        key = (method, route)
        inflight[key] = inflight.get(key, 0) + 1
        task = asyncio.current_task()
        scope[TASK_KEY] = task
        try:
            return await handler(scope, receive, send)
        except asyncio.CancelledError:
            if not scope.get(GONE_KEY) or task is None:
                raise
            # The client hung up; nobody is left to answer. Not an error.
            task.uncancel()
            self._c.logger.debug("client disconnected before the response; forwarding stopped")
            return 499
        finally:
            scope.pop(TASK_KEY, None)
            inflight[key] -= 1

    # ------------------------------------------------------------------ body

    async def _read_body(self, scope: dict[str, Any], receive: Receive, route: str) -> bytes:
        """The whole body, bounded by the size limit.

        A declared Content-Length above the limit is refused before the body
        is read; a chunked body as soon as it passes the limit. The connection
        stays open and uvicorn throws the rest of the body away as it arrives,
        so nothing beyond the limit is kept and the client can read the 413.
        The read deadline is the protocol's (http_server.py): a stalled body
        is answered 408 there and arrives here as a disconnect.
        """
        limit = self._c.body_limit
        if limit:
            for name, value in scope["headers"]:
                if name == b"content-length":
                    if value.isdigit() and int(value) > limit:
                        raise _BodyTooLarge
                    break
        message = await receive()
        if message["type"] != "http.request":
            raise _ClientGone
        body: bytes = message.get("body", b"")
        if message.get("more_body", False):
            # Slow path: the body came in several pieces.
            chunks = [body]
            size = len(body)
            while True:
                if limit and size > limit:
                    raise _BodyTooLarge
                message = await receive()
                if message["type"] != "http.request":
                    raise _ClientGone
                chunk = message.get("body", b"")
                chunks.append(chunk)
                size += len(chunk)
                if not message.get("more_body", False):
                    break
            body = b"".join(chunks)
        if limit and len(body) > limit:
            raise _BodyTooLarge
        self._c.metrics.received(route, len(body))
        return body

    # ---------------------------------------------------------------- ingest

    async def _ingest(self, scope: dict[str, Any], receive: Receive, send: Send) -> int:
        c = self._c
        targets = c.forward_to  # snapshot: an update swaps the list, never mutates it
        query: bytes = scope["query_string"]
        labels = _ingest_labels(query, c.logger)
        if c.forward_tenant:  # --- per-profile tenant (tenant.py) ---
            for name, value in scope["headers"]:
                if name == b"x-scope-orgid":
                    try:
                        tenant = tenant_mod.validate(value.decode("latin-1"))
                    except tenant_mod.TenantError as err:
                        return await _respond(send, 400, f"{err}\n".encode(), text=True)
                    labels = tenant_mod.with_tenant(labels, tenant)
                    break
        try:
            body = await self._read_body(scope, receive, "ingest")
        except _BodyTooLarge:
            msg = f"request body too large: limit is {c.body_limit} bytes\n".encode()
            return await _respond(send, 413, msg, text=True)
        except _ClientGone:
            return 499
        content_types = tuple(
            value.decode("latin-1") for name, value in scope["headers"] if name == b"content-type"
        )
        raw_path = scope.get("raw_path") or scope["path"].encode()
        url = raw_path.decode("latin-1")
        if query:
            url += "?" + query.decode("latin-1")
        profile = IncomingProfile(raw_body=body, content_type=content_types, url=url, labels=labels)
        c.opts.live.ingest("in", profile)
        deadline = time.monotonic() + c.write_timeout
        errors = await _fan_out(targets, lambda t, _i: t.append_ingest(profile, deadline), deadline)
        if not errors:
            return await _respond(send, 200, b"")
        c.logger.warning(
            "failed to forward /ingest profile: %s", "; ".join(str(e) or repr(e) for e in errors)
        )
        status_error = _first_status_error(errors)
        c.opts.live.error(INGEST_PATH, status_error.status_code if status_error else 500, errors)
        if status_error is not None:
            code = status_error.status_code
            try:
                phrase = http.HTTPStatus(code).phrase
            except ValueError:
                phrase = ""
            return await _respond(send, code, (phrase + "\n").encode(), text=True)
        return await _respond(send, 500, b"Failed to process request\n", text=True)

    # ------------------------------------------------------------------ push

    async def _push(self, scope: dict[str, Any], receive: Receive, send: Send) -> int:
        c = self._c
        headers = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope["headers"]
            if name in _CONNECT_HEADERS
        }
        # --- gRPC and gRPC-Web (grpc_push.py) ---
        if grpc.is_grpc(headers.get("content-type", "")):
            return await serve_grpc(
                scope, receive, send, headers, self.forward_push, c.body_limit, c.metrics
            )
        # --- Connect ---
        try:
            call = connect.negotiate(headers)
        except connect.UnsupportedMediaType:
            return await _respond(
                send, 415, b"", extra=((b"accept-post", grpc.ACCEPT_POST.encode()),)
            )
        except connect.ConnectError as err:
            return await _connect_error(send, err)
        try:
            body = await self._read_body(scope, receive, "push_v1_pusherservice")
            if call.gzip:
                body = connect.decompress(body, c.body_limit)
            if call.codec == connect.PROTO:
                series = decode_push_request(body)
            else:
                series = decode_push_request_json(body)
        except _BodyTooLarge:
            too_large = connect.ConnectError(
                "resource_exhausted", f"request body too large: limit is {c.body_limit} bytes"
            )
            return await _connect_error(send, too_large)
        except _ClientGone:
            return 499
        except connect.ConnectError as err:
            return await _connect_error(send, err)
        except DecodeError as exc:
            invalid = connect.ConnectError(
                "invalid_argument", f"unmarshal into push.v1.PushRequest: {exc}"
            )
            return await _connect_error(send, invalid)
        error = await self.forward_push(series, call.deadline, headers.get("x-scope-orgid"))
        if error is None:
            content_type = call.codec.encode()
            return await _respond(
                send,
                200,
                connect.success_body(call.codec),
                extra=((b"content-type", content_type),),
            )
        return await _connect_error(send, error)

    async def forward_push(
        self, series: Sequence[Series], call_deadline: float | None, tenant: str | None
    ) -> connect.ConnectError | None:
        """Forward decoded push series to every target, whatever the protocol;
        the error to answer, if any (Alloy's Push errors are all `internal`)."""
        c = self._c
        # --- per-profile tenant (tenant.py), only with forward_tenant ---
        if not c.forward_tenant:
            tenant = None
        elif tenant is not None:
            try:
                tenant_mod.validate(tenant)
            except tenant_mod.TenantError as err:
                return connect.ConnectError("invalid_argument", str(err))
        targets = c.forward_to
        deadline = time.monotonic() + c.write_timeout
        if call_deadline is not None:
            deadline = min(deadline, call_deadline)
        prepared = []
        for one in series:
            if not one.samples:
                # A series without samples carries no profile; Pyroscope would
                # refuse an empty push with 400, so it is not forwarded.
                continue
            # Later duplicates win, empty values are dropped (Prometheus builder).
            labels = _series_labels(one.labels)
            if tenant is not None:
                labels = tenant_mod.with_tenant(labels, tenant)
            prepared.append((labels, one.samples))
            c.opts.live.samples("in", labels, one.samples)

        async def push_all(target: Any, index: int) -> None:
            failures: list[str] = []
            for labels, samples in prepared:
                try:
                    await target.append(labels, samples, deadline)
                except Exception as exc:  # every failure becomes one `internal` error
                    failures.append(
                        f"unable to append series {labels_string(labels)} to appendable "
                        f"{index}: {exc}"
                    )
            if failures:
                raise _PushFailed("\n".join(failures))

        errors = await _fan_out(targets, push_all, deadline) if prepared else []
        if not errors:
            return None
        message = "\n".join(str(e) or repr(e) for e in errors)
        c.logger.warning("failed to forward pushed profiles: %s", message)
        c.opts.live.error(PUSH_PATH, "internal", message)
        return connect.ConnectError("internal", message)


class _PushFailed(Exception):
    pass


_CONNECT_HEADERS = frozenset(
    {
        b"content-type",
        b"content-encoding",
        b"connect-protocol-version",
        b"connect-timeout-ms",
        *GRPC_HEADERS,
        b"x-scope-orgid",
    }
)


def _raw_name(query: bytes) -> bytes | None:
    """The raw (still escaped) value of the first `name` query parameter, as
    Go's url.Query().Get picks it. The rest of the query is forwarded as is."""
    for part in query.split(b"&"):
        key, eq, value = part.partition(b"=")
        if key != b"name":
            if b"%" not in key and b"+" not in key:
                continue
            if _unquote(key) != "name":
                continue
        return value if eq else b""
    return None


def _name_param(query: bytes) -> str | None:
    raw = _raw_name(query)
    return None if raw is None else _unquote(raw)


def _unquote(raw: bytes) -> str:
    return urllib.parse.unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8", "replace")


# An SDK sends the same `name` on every upload, so its parsed labels are cached
# (label sets are immutable tuples). Bounded: cleared when full.
_NAME_CACHE: dict[bytes, Labels] = {}
_NAME_CACHE_SIZE = 4096


def _ingest_labels(query: bytes, logger: Any) -> Labels:
    """Labels from the `name` query parameter; a bad or missing name gives an empty set."""
    raw = _raw_name(query) if query else None
    if raw is None:
        return ()
    cached = _NAME_CACHE.get(raw)
    if cached is not None:
        return cached
    name = _unquote(raw)
    parsed = parse_name(name)
    if parsed is None:
        logger.warning("failed to parse the ingest name %r; forwarding without labels", name)
        return ()
    labels = ensure_service_name(parsed)
    if len(_NAME_CACHE) >= _NAME_CACHE_SIZE:
        _NAME_CACHE.clear()
    _NAME_CACHE[raw] = labels
    return labels


# Pushed label sets repeat like ingest names do: the same cache policy.
_SERIES_CACHE: dict[tuple[tuple[str, str], ...], Labels] = {}


def _series_labels(pairs: Sequence[tuple[str, str]]) -> Labels:
    key = tuple(pairs)
    labels = _SERIES_CACHE.get(key)
    if labels is None:
        labels = ensure_service_name(dict(pairs))
        if len(_SERIES_CACHE) >= _NAME_CACHE_SIZE:
            _SERIES_CACHE.clear()
        _SERIES_CACHE[key] = labels
    return labels


async def _fan_out(
    targets: Sequence[Appendable],
    call: Callable[[Appendable, int], Awaitable[None]],
    deadline: float,
) -> list[BaseException]:
    """Call every target concurrently; errors in the order they finish.

    The deadline (server write timeout or the caller's Connect timeout) is a
    hard stop: whatever still runs then is cancelled and reported, so the SDK
    gets an answer instead of a dead connection.
    """
    if not targets:
        return []
    errors: list[BaseException] = []

    async def one(index: int, target: Appendable) -> None:
        try:
            await call(target, index)
        except Exception as exc:
            errors.append(exc)

    # A timer that cancels this task at the deadline; cheaper than
    # asyncio.timeout on a path every request takes.
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    expired = False

    def expire() -> None:
        nonlocal expired
        expired = True
        task.cancel()

    timer = loop.call_at(loop.time() + (deadline - time.monotonic()), expire)
    try:
        if len(targets) == 1:
            await one(0, targets[0])
        else:
            await asyncio.gather(*(one(i, t) for i, t in enumerate(targets)))
    except asyncio.CancelledError:
        if not expired:
            raise
        task.uncancel()
        errors.append(TimeoutError("context deadline exceeded"))
    finally:
        timer.cancel()
    return errors


async def _respond(
    send: Send,
    status: int,
    body: bytes,
    *,
    text: bool = False,
    extra: tuple[tuple[bytes, bytes], ...] = (),
) -> int:
    if status < 200 or status in (204, 304):
        # These statuses carry no body (a backend's 204 is passed through as is).
        body, text = b"", False
        headers: list[tuple[bytes, bytes]] = []
    else:
        headers = [(b"content-length", str(len(body)).encode())]
    if text:
        headers += [_TEXT, _NOSNIFF]
    headers.extend(extra)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
    return status


async def _connect_error(send: Send, err: connect.ConnectError) -> int:
    return await _respond(
        send,
        err.status,
        err.body(),
        extra=((b"content-type", b"application/json"),),
    )


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
        args: Arguments = arguments
        async with self._lock:
            old_http = self.args.http
            self._apply(args)
            if self._server is None:
                if self.started.is_set():
                    # An earlier restart failed (port taken, bad TLS files):
                    # these arguments get their chance.
                    self._server = await self._start_server(args.http)
                return
            if args.http == old_http:
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
