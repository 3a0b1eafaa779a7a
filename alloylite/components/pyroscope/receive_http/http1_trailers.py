"""HTTP/1.1 response trailers: the ASGI `http.response.trailers` extension on uvicorn.

gRPC sends its status in trailers. Alloy's server (Go net/http under connect-go)
sends them on HTTP/1.1 too: a chunked body whose last chunk carries a trailer
section (RFC 9112 §7.1.2), and Go's and Node's HTTP/1.1 clients read it (spec
alloy-profiling-components.md §5.3). uvicorn writes chunked bodies but has no
trailers: it ends every body with an empty trailer section, and rejects the
extension's messages. This wraps one request's uvicorn `send`: a response that
announces trailers is sent chunked, its body stays open until the trailers
arrive, they are written as the last chunk, and uvicorn then completes the
response as usual (keep-alive, pipelining, connection accounting).

Only HTTP/1.1 requests get the extension: HTTP/1.0 has no chunked coding, and a
HEAD response has no body to end.
"""

from __future__ import annotations

import weakref
from typing import Any

__all__ = ["EXTENSION", "install"]

EXTENSION = "http.response.trailers"

# Framing headers of the app's own: the response is chunked whatever it says.
_FRAMING = frozenset({b"content-length", b"transfer-encoding"})
_CHUNKED = (b"transfer-encoding", b"chunked")
_FORBIDDEN = frozenset(b"\r\n\0")


def install(cycle: Any) -> None:
    """Advertise the extension to the app of uvicorn's request cycle and serve it.

    Called before the cycle's task first runs (uvicorn looks `send` up then).
    Relies on the cycle's `scope`, `send`, `transport`, `flow`, `disconnected`
    and `chunked_encoding`, as http_server.py relies on uvicorn's protocol."""
    scope = cycle.scope
    if scope.get("http_version") != "1.1" or scope.get("method") == "HEAD":
        return
    scope.setdefault("extensions", {})[EXTENSION] = {}
    cycle.send = _TrailerSend(cycle)


def _field_block(fields: list[tuple[bytes, bytes]]) -> bytes:
    """The trailer section's lines; a CR, LF or NUL would end it early (response
    splitting), so such a field is refused as uvicorn refuses such a header."""
    lines = []
    for name, value in fields:
        if _FORBIDDEN.intersection(name + value) or b":" in name or not name:
            raise RuntimeError("Invalid HTTP trailer field.")
        lines.append(name + b": " + value + b"\r\n")
    return b"".join(lines)


class _TrailerSend:
    """uvicorn's `send` for one request, with trailers.

    It refers to its cycle weakly: the cycle holds it as `send`, and uvicorn breaks its
    own reference cycles so a request is freed when it ends, not at the next full
    garbage collection; a strong reference back would undo that for every request."""

    __slots__ = ("_cycle", "_fields", "_send", "_trailing")

    def __init__(self, cycle: Any) -> None:
        self._cycle = weakref.ref(cycle)
        self._send = weakref.WeakMethod(cycle.send)
        self._trailing = False
        self._fields: list[tuple[bytes, bytes]] = []

    async def __call__(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "http.response.start" and message.get("trailers"):
            self._trailing = True
            headers = [h for h in message.get("headers", ()) if h[0].lower() not in _FRAMING]
            message = {**message, "headers": [*headers, _CHUNKED]}
        elif self._trailing and kind == "http.response.body":
            if not message.get("body"):
                return  # the end of the body is the trailer section, written below
            message = {**message, "more_body": True}
        elif self._trailing and kind == "http.response.trailers":
            self._fields += message.get("headers", ())
            if not message.get("more_trailers", False):
                await self._finish()
            return
        send = self._send()
        if send is not None:  # else the request is over and freed
            await send(message)

    async def _finish(self) -> None:
        self._trailing = False
        cycle, send = self._cycle(), self._send()
        if cycle is None or send is None:
            return
        block = _field_block(self._fields)
        if cycle.flow.write_paused and not cycle.disconnected:
            await cycle.flow.drain()
        if cycle.disconnected:
            return
        cycle.transport.write(b"0\r\n" + block + b"\r\n")
        # The last chunk is written: uvicorn only has to complete the response.
        cycle.chunked_encoding = False
        await send({"type": "http.response.body", "body": b"", "more_body": False})
