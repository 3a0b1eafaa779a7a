"""Reading a request body within `max_request_body_size`."""

from __future__ import annotations

from typing import Any

from alloylite.components.pyroscope.receive_http.respond import Receive


class BodyTooLarge(Exception):
    pass


class ClientGone(Exception):
    pass


async def read_body(scope: dict[str, Any], receive: Receive, limit: int) -> bytes:
    """The whole body, bounded by `limit` (0: no limit).

    A declared Content-Length above the limit is refused before the body
    is read; a chunked body as soon as it passes the limit. The connection
    stays open and uvicorn throws the rest of the body away as it arrives,
    so nothing beyond the limit is kept and the client can read the 413.
    The read deadline is the protocol's (http_server.py): a stalled body
    is answered 408 there and arrives here as a disconnect.
    """
    if limit:
        for name, value in scope["headers"]:
            if name == b"content-length":
                if value.isdigit() and int(value) > limit:
                    raise BodyTooLarge
                break
    message = await receive()
    if message["type"] != "http.request":
        raise ClientGone
    body: bytes = message.get("body", b"")
    if message.get("more_body", False):
        # Slow path: the body came in several pieces.
        chunks = [body]
        size = len(body)
        while True:
            if limit and size > limit:
                raise BodyTooLarge
            message = await receive()
            if message["type"] != "http.request":
                raise ClientGone
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
    if limit and len(body) > limit:
        raise BodyTooLarge
    return body
