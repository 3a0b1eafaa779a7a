"""The minimal pass-through proxy: the baseline alloylite is compared with.

It is what anyone would write on alloylite's own stack and nothing more: starlette on
uvicorn (uvloop, httptools, no access log) in, httpx's engine out with pooled keep-alive
connections, forwarding method, path, query, Content-Type and Content-Encoding and handing
the status back. No label parsing, no re-encoding, no metrics. Whatever alloylite costs
above this is the price of its features (and of anything it does wastefully).

Outgoing client (`--client`):
- `httpcore` (default): a LIFO list of `httpcore.AsyncHTTPConnection`s, one request each
  at a time. One shared `httpx.AsyncClient` pool is quadratic in connections under
  concurrency (spec performance-facts.md, trap 1), so a fair baseline does not use it.
- `httpx`: the same lanes made of one-connection `httpx.AsyncClient`s (the reference
  minimal proxy of performance-facts.md, about 2x the CPU of `httpcore`).
- `httpcore-asyncio`: the `httpcore` lanes over alloylite's own asyncio network backend
  (`alloylite.components.pyroscope.write.net`, instead of httpcore's anyio one): the
  strictest baseline, the same client engine as pyroscope.write with none of its features.

    python -m bench.forward.proxy --port 8080 --upstream http://127.0.0.1:4040
"""

from __future__ import annotations

import argparse
from typing import Any, Protocol

import httpcore
import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

FORWARDED_HEADERS = (b"content-type", b"content-encoding")
CLIENTS = ("httpcore", "httpx", "httpcore-asyncio")


class Lanes(Protocol):
    async def post(
        self, target: str, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> tuple[int, bytes, bytes]: ...


class HttpcoreLanes:
    """Idle connections on a stack: the most recently used one is reused first."""

    def __init__(self, upstream: str, network_backend: Any = None) -> None:
        self.network_backend = network_backend
        url = httpx.URL(upstream)
        self.origin = httpcore.Origin(url.raw_scheme, url.raw_host, url.port or 80)
        self.base = upstream.rstrip("/")
        self.host = url.netloc
        self.idle: list[httpcore.AsyncHTTPConnection] = []

    async def post(
        self, target: str, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> tuple[int, bytes, bytes]:
        conn = None
        while self.idle:
            candidate = self.idle.pop()
            # uvicorn-style servers close idle keep-alive connections; a bare connection
            # does not notice by itself.
            if candidate.has_expired():
                await candidate.aclose()
                continue
            conn = candidate
            break
        if conn is None:
            conn = httpcore.AsyncHTTPConnection(self.origin, network_backend=self.network_backend)
        request_headers = [(b"host", self.host), *headers]
        try:
            response = await conn.request(
                "POST", self.base + target, headers=request_headers, content=body
            )
        except BaseException:
            await conn.aclose()
            raise
        self.idle.append(conn)
        content_type = b""
        for name, value in response.headers:
            if name.lower() == b"content-type":
                content_type = value
        return response.status, content_type, response.content


class HttpxLanes:
    def __init__(self, upstream: str) -> None:
        self.base = upstream.rstrip("/")
        self.idle: list[httpx.AsyncClient] = []

    async def post(
        self, target: str, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> tuple[int, bytes, bytes]:
        client = (
            self.idle.pop()
            if self.idle
            else httpx.AsyncClient(
                limits=httpx.Limits(max_connections=1, max_keepalive_connections=1), timeout=30.0
            )
        )
        try:
            response = await client.post(self.base + target, headers=headers, content=body)
        except BaseException:
            await client.aclose()
            raise
        self.idle.append(client)
        return (
            response.status_code,
            response.headers.get("content-type", "").encode(),
            response.content,
        )


def build_app(lanes: Lanes) -> Starlette:
    async def forward(request: Request) -> Response:
        body = await request.body()
        headers = [(k, v) for k, v in request.headers.raw if k in FORWARDED_HEADERS]
        target = request.scope["raw_path"].decode("latin-1")
        query = request.scope["query_string"]
        if query:
            target += "?" + query.decode("latin-1")
        try:
            status, content_type, content = await lanes.post(target, headers, body)
        except Exception as exc:  # noqa: BLE001 - the client gets a 502, as from any proxy
            return Response(f"upstream error: {type(exc).__name__}", status_code=502)
        media_type = content_type.decode("latin-1") or None
        return Response(content, status_code=status, media_type=media_type)

    return Starlette(routes=[Route("/{path:path}", forward, methods=["POST"])])


def main() -> None:
    parser = argparse.ArgumentParser(description="minimal pass-through proxy (baseline)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--client", choices=CLIENTS, default="httpcore")
    args = parser.parse_args()
    lanes: Any
    if args.client == "httpx":
        lanes = HttpxLanes(args.upstream)
    elif args.client == "httpcore-asyncio":
        from alloylite.components.pyroscope.write.net import BACKEND

        lanes = HttpcoreLanes(args.upstream, network_backend=BACKEND)
    else:
        lanes = HttpcoreLanes(args.upstream)
    uvicorn.run(
        build_app(lanes),
        host=args.host,
        port=args.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        lifespan="off",
        backlog=2048,
    )


if __name__ == "__main__":
    main()
