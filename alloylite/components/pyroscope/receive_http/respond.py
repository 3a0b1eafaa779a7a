"""Writing an answer on the ASGI channel: plain, text, or a Connect error body."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from alloylite.components.pyroscope import connect

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]

_TEXT = (b"content-type", b"text/plain; charset=utf-8")
_NOSNIFF = (b"x-content-type-options", b"nosniff")

# The status counted for a request whose client went away before its answer.
CLIENT_GONE = 499


async def respond(
    send: Send,
    status: int,
    body: bytes,
    *,
    text: bool = False,
    extra: tuple[tuple[bytes, bytes], ...] = (),
) -> int:
    """Send a whole answer; returns its status for the metrics."""
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


async def connect_error(send: Send, err: connect.ConnectError) -> int:
    return await respond(
        send,
        err.status,
        err.body(),
        extra=((b"content-type", b"application/json"),),
    )
