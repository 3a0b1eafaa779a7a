"""The ASGI application of one receive_http instance: routing and request tracking.

Two routes, as in Alloy (spec alloy-pyroscope.md §1.3-1.8): `POST /ingest`
(ingest.py) and `POST /push.v1.PusherService/Push` (push_route.py).

Every `forward_to` entry is called concurrently and the SDK's request waits
for all of them (no queue, like Alloy), so the SDK sees the backend's verdict.
The ASGI app is hand-written rather than a Starlette app: this is the hot path
and a router plus Request objects cost more than the two routes need.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from alloylite.components.pyroscope.push import PUSH_PATH
from alloylite.components.pyroscope.receive_http.http_server import (
    GONE_KEY,
    READ_TIMEOUT_KEY,
    TASK_KEY,
)
from alloylite.components.pyroscope.receive_http.ingest import INGEST_PATH, ingest
from alloylite.components.pyroscope.receive_http.push_route import PUSH_PREFIX, ROUTE, push
from alloylite.components.pyroscope.receive_http.respond import (
    CLIENT_GONE,
    Receive,
    Send,
    respond,
)

if TYPE_CHECKING:
    from alloylite.components.pyroscope.receive_http.component import ReceiveHTTP

Handler = Callable[["ReceiveHTTP", dict[str, Any], Receive, Send], Awaitable[int]]

_ALLOW_POST = ((b"allow", b"POST"),)


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
                status = await respond(send, 405, b"", extra=_ALLOW_POST)
            else:
                status = await self._tracked(method, route, scope, receive, send, ingest)
        elif path.startswith(PUSH_PREFIX):
            route = ROUTE
            if method != "POST":
                status = await respond(send, 405, b"", extra=_ALLOW_POST)
            elif path != PUSH_PATH:
                status = await respond(send, 404, b"404 page not found\n", text=True)
            else:
                status = await self._tracked(method, route, scope, receive, send, push)
        else:
            route = "notfound"
            status = await respond(send, 404, b"404 page not found\n", text=True)
        if status == CLIENT_GONE and scope.get(READ_TIMEOUT_KEY):
            status = 408  # what the server answered for the stalled body
        self._c.metrics.observe(method, route, status, time.monotonic() - started)

    async def _tracked(
        self,
        method: str,
        route: str,
        scope: dict[str, Any],
        receive: Receive,
        send: Send,
        handler: Handler,
    ) -> int:
        inflight = self._c.metrics.inflight
        key = (method, route)
        inflight[key] = inflight.get(key, 0) + 1
        task = asyncio.current_task()
        scope[TASK_KEY] = task
        try:
            return await handler(self._c, scope, receive, send)
        except asyncio.CancelledError:
            if not scope.get(GONE_KEY) or task is None:
                raise
            # The client hung up; nobody is left to answer. Not an error.
            task.uncancel()
            self._c.logger.debug("client disconnected before the response; forwarding stopped")
            return CLIENT_GONE
        finally:
            scope.pop(TASK_KEY, None)
            inflight[key] -= 1
