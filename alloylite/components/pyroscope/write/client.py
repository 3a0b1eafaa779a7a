"""The outgoing HTTP client of one pyroscope.write endpoint.

Why not one `httpx.AsyncClient`: under concurrency its connection pool costs
milliseconds of CPU per request (httpcore's pool scan is quadratic in
connections; spec performance-facts.md). Here each request checks out one
`httpcore.AsyncHTTPConnection` from a LIFO list of idle connections ("lanes"),
uses it alone and puts it back, so the cost per request is constant. httpcore
is httpx's own engine, so TLS, HTTP/2 (ALPN, as Go's `enable_http2`) and
proxies behave as httpx's do. A proxy endpoint goes through httpcore's proxy
pool instead: it is rare, and correctness beats speed there.

Connections that the server closed while idle are detected on checkout
(`has_expired`); a request that fails before any response on a *reused*
connection is resent once on a fresh one, as Go's transport does, so a
keep-alive race does not cost a retry attempt.
"""

from __future__ import annotations

import asyncio
import base64
import ssl
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpcore

from alloylite.components.pyroscope.write.arguments import Endpoint, check_proxy_scheme
from alloylite.components.pyroscope.write.errors import ClientError
from alloylite.components.pyroscope.write.net import BACKEND
from alloylite.components.pyroscope.write.oauth2 import OAuth2Token
from alloylite.components.pyroscope.write.proxy import ProxySelector
from alloylite.components.pyroscope.write.secret_file import FileSecret
from alloylite.components.pyroscope.write.target import Target, target_of
from alloylite.components.pyroscope.write.tls import build_ssl_context

Headers = list[tuple[bytes, bytes]]

# Bodies of replies we only need for an error message or to drain.
_MAX_BODY = 1 << 20
_MAX_REDIRECTS = 10
# What Go's client drops on a redirect to another host (shouldCopyHeaderOnRedirect).
_SENSITIVE_ON_REDIRECT = frozenset({b"authorization", b"www-authenticate", b"cookie", b"cookie2"})
_IDLE_EXPIRY = 300.0  # Go transport IdleConnTimeout 5m (promhttp2)
_MAX_IDLE = 1000  # Go MaxIdleConnsPerHost in Alloy's write client
_SWEEP_INTERVAL = 5.0
_STALE_ERRORS = (httpcore.RemoteProtocolError, httpcore.ReadError, httpcore.WriteError)


@dataclass(slots=True)
class Response:
    status: int
    headers: Headers
    body: bytes

    def header(self, name: bytes) -> str:
        for k, v in self.headers:
            if k.lower() == name:
                return v.decode("latin-1")
        return ""


class Auth:
    """Produces the Authorization header value of one endpoint."""

    __slots__ = ("_file", "_prefix", "_static", "_username", "oauth2")

    def __init__(self, endpoint: Endpoint) -> None:
        self.oauth2: OAuth2Token | None = None
        if endpoint.oauth2 is not None:
            self.oauth2 = OAuth2Token(endpoint.oauth2)
        self._static: bytes | None = None
        self._file: FileSecret | None = None
        self._prefix = ""
        self._username = ""
        ba, az = endpoint.basic_auth, endpoint.authorization
        if ba is not None:
            self._username = ba.username
            if ba.password_file:
                self._file = FileSecret(ba.password_file, "basic_auth password")
            else:
                password = ba.password.reveal() if ba.password is not None else ""
                self._static = _basic(ba.username, password)
        elif az is not None:
            self._prefix = (az.type or "Bearer") + " "
            if az.credentials_file:
                self._file = FileSecret(az.credentials_file, "authorization credentials")
            else:
                creds = az.credentials.reveal() if az.credentials is not None else ""
                self._static = (self._prefix + creds).encode("latin-1")
        elif endpoint.bearer_token is not None and endpoint.bearer_token.reveal():
            self._static = ("Bearer " + endpoint.bearer_token.reveal()).encode("latin-1")
        elif endpoint.bearer_token_file:
            self._prefix = "Bearer "
            self._file = FileSecret(endpoint.bearer_token_file, "bearer_token")
        else:
            parts = urlsplit(endpoint.url)
            if parts.username is not None:
                # Go's client sends URL user info as basic auth.
                self._static = _basic(parts.username, parts.password or "")

    def header(self) -> bytes | None:
        if self._file is None:
            return self._static
        value = self._file.get()
        if self._username or not self._prefix:
            return _basic(self._username, value)
        return (self._prefix + value).encode("latin-1")


def _basic(username: str, password: str) -> bytes:
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return ("Basic " + token).encode("ascii")


class EndpointClient:
    """Connections of one endpoint. `close()` retires it: idle connections close now,
    busy ones when their request ends (a reload never cuts a request in flight)."""

    def __init__(self, endpoint: Endpoint) -> None:
        self._http2 = endpoint.enable_http2
        self._follow = endpoint.follow_redirects
        needs_tls = endpoint.url.startswith("https:") or endpoint.tls_config is not None
        self._ssl = build_ssl_context(endpoint.tls_config) if needs_tls else None
        self._sni = endpoint.tls_config.server_name if endpoint.tls_config else ""
        self.auth = Auth(endpoint)
        # Headers never sent to another origin after a redirect: Go's sensitive ones,
        # and every `http_headers` name, since its values are secrets.
        self._origin_only = _SENSITIVE_ON_REDIRECT | {
            name.lower().encode("latin-1") for name in endpoint.http_headers
        }
        self._idle: dict[tuple[bytes, bytes, int], list[httpcore.AsyncHTTPConnection]] = {}
        self._closed = False
        self._inflight = 0
        self._next_sweep = 0.0
        if endpoint.proxy_url:
            check_proxy_scheme(endpoint.proxy_url)
        self._selector = ProxySelector(
            endpoint.proxy_url, endpoint.no_proxy, endpoint.proxy_from_environment
        )
        self._connect_headers = [
            (k.encode("latin-1"), v.reveal().encode("latin-1"))
            for k, values in endpoint.proxy_connect_header.items()
            for v in values
        ]
        self._proxies: dict[str, httpcore.AsyncHTTPProxy] = {}

    def _proxy_for(self, target: Target) -> httpcore.AsyncHTTPProxy | None:
        if not self._selector.enabled:
            return None
        url = self._selector.select(target.scheme.decode(), target.host.decode("idna"), target.port)
        if url is None:
            return None
        pool = self._proxies.get(url)
        if pool is None:
            pool = self._proxies[url] = self._make_proxy(url)
        return pool

    def _make_proxy(self, proxy_url: str) -> httpcore.AsyncHTTPProxy:
        parts = urlsplit(proxy_url)
        auth = None
        if parts.username is not None:
            auth = (parts.username.encode(), (parts.password or "").encode())
        clean = parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]).geturl()
        return httpcore.AsyncHTTPProxy(
            proxy_url=clean,
            proxy_auth=auth,
            proxy_headers=self._connect_headers or None,
            ssl_context=self._ssl or ssl.create_default_context(),
            http2=self._http2,
            keepalive_expiry=_IDLE_EXPIRY,
            max_keepalive_connections=_MAX_IDLE,
        )

    async def close(self) -> None:
        self._closed = True
        idle = [c for conns in self._idle.values() for c in conns]
        self._idle.clear()
        for conn in idle:
            await conn.aclose()
        if self._inflight == 0:
            await self._close_shared()

    async def _close_shared(self) -> None:
        # Proxy pools and the token client are shared by requests; they close
        # once the last request in flight on a retired client has finished.
        proxies, self._proxies = list(self._proxies.values()), {}
        for pool in proxies:
            await pool.aclose()
        if self.auth.oauth2 is not None:
            await self.auth.oauth2.close()

    async def post(
        self, target: Target, headers: Sequence[tuple[bytes, bytes]], body: bytes, timeout: float
    ) -> Response:
        """POST `body`, following redirects as Go's client does (307/308 resend the
        body; 301/302/303 become a GET without it). Credentials are not sent to
        another origin."""
        self._inflight += 1
        try:
            return await self._post(target, headers, body, timeout)
        finally:
            self._inflight -= 1
            if self._closed and self._inflight == 0 and (self._proxies or self.auth.oauth2):
                task = asyncio.get_running_loop().create_task(self._close_shared())
                _BACKGROUND.add(task)
                task.add_done_callback(_BACKGROUND.discard)

    async def _post(
        self, target: Target, headers: Sequence[tuple[bytes, bytes]], body: bytes, timeout: float
    ) -> Response:
        method = b"POST"
        content: bytes = body
        hdrs = list(headers)
        for _ in range(_MAX_REDIRECTS + 1):
            resp = await self._send(method, target, hdrs, content, timeout)
            location = resp.header(b"location")
            if not (self._follow and resp.status in (301, 302, 303, 307, 308) and location):
                return resp
            new = target_of(urljoin(target.url(), location))
            if new.scheme not in (b"http", b"https"):
                return resp
            if (new.scheme, new.host, new.port) != (target.scheme, target.host, target.port):
                hdrs = [(k, v) for k, v in hdrs if k.lower() not in self._origin_only]
            if resp.status in (301, 302, 303):
                method, content = b"GET", b""
                hdrs = [
                    (k, v) for k, v in hdrs if k.lower() not in (b"content-type", b"content-length")
                ]
            target = new
        raise ClientError(f"stopped after {_MAX_REDIRECTS} redirects")

    async def _send(
        self, method: bytes, target: Target, headers: Headers, body: bytes, timeout: float
    ) -> Response:
        full = [(b"Host", target.host_header)]
        full.extend(headers)
        if method == b"POST" or body:
            full.append((b"Content-Length", str(len(body)).encode()))
        # No httpcore timeouts: the caller bounds the whole attempt with one
        # asyncio.timeout, and httpcore's per-read/write timeouts would cost an anyio
        # cancel scope on every socket operation.
        ext: dict[str, object] = {}
        if self._sni:
            ext["sni_hostname"] = self._sni
        url = httpcore.URL(
            scheme=target.scheme, host=target.host, port=target.port, target=target.path
        )
        request = httpcore.Request(method, url, headers=full, content=body, extensions=ext)
        proxy = self._proxy_for(target)
        if proxy is not None:
            resp = await proxy.handle_async_request(request)
            try:
                return await _read(resp)
            finally:
                await resp.aclose()
        key = (target.scheme, target.host, target.port)
        conn, reused = self._checkout(key)
        try:
            resp = await conn.handle_async_request(request)
        except _STALE_ERRORS:
            await conn.aclose()
            if not reused:
                raise
            conn, reused = self._new_connection(key), False
            request = httpcore.Request(method, url, headers=full, content=body, extensions=ext)
            try:
                resp = await conn.handle_async_request(request)
            except BaseException:
                await conn.aclose()
                raise
        except BaseException:
            await conn.aclose()
            raise
        try:
            result = await _read(resp)
            await resp.aclose()
        except BaseException:
            await conn.aclose()
            raise
        self._checkin(key, conn)
        return result

    def _checkout(self, key: tuple[bytes, bytes, int]) -> tuple[httpcore.AsyncHTTPConnection, bool]:
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if conn.is_idle() and not conn.has_expired():
                return conn, True
            _discard(conn)
        return self._new_connection(key), False

    def _new_connection(self, key: tuple[bytes, bytes, int]) -> httpcore.AsyncHTTPConnection:
        scheme, host, port = key
        return httpcore.AsyncHTTPConnection(
            origin=httpcore.Origin(scheme, host, port),
            ssl_context=self._ssl if scheme == b"https" else None,
            keepalive_expiry=_IDLE_EXPIRY,
            http1=True,
            http2=self._http2 and scheme == b"https",
            network_backend=BACKEND,
        )

    def _checkin(self, key: tuple[bytes, bytes, int], conn: httpcore.AsyncHTTPConnection) -> None:
        idle = self._idle.setdefault(key, [])
        if self._closed or not conn.is_idle() or len(idle) >= _MAX_IDLE:
            _discard(conn)
            return
        idle.append(conn)
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + _SWEEP_INTERVAL
            self._sweep()

    def _sweep(self) -> None:
        """Close idle connections the server has closed or that outlived the idle
        timeout, so a burst does not leave sockets half-closed until reused."""
        for key, idle in self._idle.items():
            keep = [c for c in idle if c.is_idle() and not c.has_expired()]
            if len(keep) != len(idle):
                for conn in idle:
                    if conn not in keep:
                        _discard(conn)
                self._idle[key] = keep


def _discard(conn: httpcore.AsyncHTTPConnection) -> None:
    """Close a connection in the background: the caller must not wait on it."""
    task = asyncio.get_running_loop().create_task(conn.aclose())
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)


_BACKGROUND: set[asyncio.Task[None]] = set()


async def _read(resp: httpcore.Response) -> Response:
    """The reply with at most _MAX_BODY bytes of its body; a longer body is cut off
    and its connection, no longer idle, is closed instead of reused."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.aiter_stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > _MAX_BODY:
            break
    body = b"".join(chunks)
    for k, v in resp.headers:
        if k.lower() == b"content-encoding" and v.strip().lower() == b"gzip" and body:
            body = _gunzip(body)
    return Response(resp.status, resp.headers, body)


def _gunzip(body: bytes) -> bytes:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, _MAX_BODY)
    except zlib.error:
        return body
