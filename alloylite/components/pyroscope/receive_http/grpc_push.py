"""receive_http's push route for gRPC and gRPC-Web requests (the ASGI side of grpc.py).

The body is read envelope by envelope rather than whole: a unary call has one
message, so a declared length above the body limit or a second envelope is
refused as soon as its header arrives, without reading the rest. Decoding is
bounded and a large message is decoded off the loop, as on the Connect route
(decode_pool.py). Every error is answered with HTTP 200 and a gRPC status, as
connect-go does.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from alloylite.components.pyroscope import grpc
from alloylite.components.pyroscope.connect import PROTO, ConnectError
from alloylite.components.pyroscope.push import (
    DecodeError,
    Series,
    TooManyElements,
    decode_push_request,
    decode_push_request_json,
)
from alloylite.components.pyroscope.receive_http.body import ClientGone
from alloylite.components.pyroscope.receive_http.decode_pool import decode_sized
from alloylite.components.pyroscope.receive_http.http1_trailers import EXTENSION as TRAILERS
from alloylite.components.pyroscope.receive_http.metrics import ReceiveMetrics
from alloylite.components.pyroscope.receive_http.respond import CLIENT_GONE, Receive, Send

__all__ = ["GRPC_HEADERS", "serve_grpc"]

# The request headers the gRPC protocols read (besides Content-Type).
GRPC_HEADERS = (b"grpc-encoding", b"grpc-accept-encoding", b"grpc-timeout")
_ROUTE = "push_v1_pusherservice"

Forward = Callable[[Sequence[Series], float | None, str | None], Awaitable[ConnectError | None]]


async def _read_message(receive: Receive, limit: int, metrics: ReceiveMetrics) -> tuple[int, bytes]:
    reader = grpc.EnvelopeReader(limit)
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientGone
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        reader.feed(chunk)
        if not message.get("more_body", False):
            break
    metrics.received(_ROUTE, size)
    return reader.finish()


def _decode(call: grpc.GrpcCall, flags: int, data: bytes, limit: int) -> list[Series]:
    body = grpc.payload(call, flags, data, limit)
    try:
        if call.codec == PROTO:
            return decode_push_request(body)
        return decode_push_request_json(body)
    except TooManyElements as exc:
        raise ConnectError("resource_exhausted", str(exc)) from None
    except DecodeError as exc:
        raise ConnectError("invalid_argument", f"unmarshal message: {exc}") from None


async def serve_grpc(
    scope: dict[str, Any],
    receive: Receive,
    send: Send,
    headers: dict[str, str],
    forward: Forward,
    limit: int,
    metrics: ReceiveMetrics,
) -> int:
    """Answer one gRPC/gRPC-Web Push; returns the HTTP status (always 200, or
    CLIENT_GONE when the client left)."""
    call: grpc.GrpcCall | None = None
    error: ConnectError | None
    try:
        call = grpc.negotiate(headers)
        flags, data = await _read_message(receive, limit, metrics)
        compressed = bool(flags & grpc.FLAG_COMPRESSED)
        work = functools.partial(_decode, call, flags, data, limit)
        series = await decode_sized(work, len(data), compressed)
        error = await forward(series, call.deadline, headers.get("x-scope-orgid"))
    except ClientGone:
        return CLIENT_GONE
    except ConnectError as exc:
        error = exc
    if call is None:
        # Negotiation failed: reply in the content type the client chose.
        call = grpc.GrpcCall(
            web="grpc-web" in headers.get("content-type", "").lower(),
            codec=PROTO,
            content_type=headers.get("content-type", ""),
            gzip_request=False,
            gzip_response=False,
            deadline=None,
        )
    can_trail = TRAILERS in scope.get("extensions", {})
    reply = grpc.response(call, error, can_trail=can_trail)
    out_headers = reply.headers
    if reply.trailers is None:
        out_headers = [*out_headers, (b"content-length", str(len(reply.body)).encode())]
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": out_headers,
            "trailers": reply.trailers is not None,
        }
    )
    await send({"type": "http.response.body", "body": reply.body})
    if reply.trailers is not None:
        await send({"type": "http.response.trailers", "headers": reply.trailers})
    return 200
