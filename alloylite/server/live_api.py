"""The live-debugging API: a component's lines as a stream, its stored profiles, its errors.

`GET /api/v0/web/debug/{id}` streams server-sent events (`data: <json line>`), which
both the browser's EventSource and `curl -N` read; `?format=text` streams plain text
lines instead, and `?filter=` keeps the lines whose labels text contains it. Alloy
streams over a WebSocket at the same path and says the same thing when disabled.
A viewer reads from its own bounded queue: when it falls behind, lines are dropped for
it and it is told how many (`event: dropped`), the components never wait for it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from alloylite.runtime.controller import Controller
from alloylite.runtime.live.channel import LiveChannel, Subscription
from alloylite.server.live_preview import preview

# Alloy's words (internal/service/livedebugging), so scripts written for it match.
DISABLED = (
    "the live debugging service is disabled. Check the documentation to find out how to enable it\n"
)
KEEPALIVE_SECONDS = 15.0


def _matches(line: str, needle: str) -> bool:
    if not needle:
        return True
    return needle in json.loads(line)["text"]


def _render(line: str, text_format: bool) -> str:
    if text_format:
        text: str = json.loads(line)["text"]
        return text + "\n"
    return f"data: {line}\n\n"


async def _stream(
    channel: LiveChannel, sub: Subscription, needle: str, text_format: bool
) -> AsyncIterator[str]:
    try:
        for line in channel.recent():
            if _matches(line, needle):
                yield _render(line, text_format)
        while not sub.closed:
            try:
                await asyncio.wait_for(sub.ready.wait(), KEEPALIVE_SECONDS)
            except TimeoutError:
                yield "" if text_format else ": keepalive\n\n"
                continue
            lines, dropped = sub.take()
            if dropped:
                note = {"dropped": dropped}
                yield (
                    f"# {dropped} lines dropped: the viewer fell behind\n"
                    if text_format
                    else f"event: dropped\ndata: {json.dumps(note)}\n\n"
                )
            chunk = "".join(_render(line, text_format) for line in lines if _matches(line, needle))
            if chunk:
                yield chunk
        yield DISABLED if text_format else f"event: disabled\ndata: {json.dumps(DISABLED)}\n\n"
    finally:
        channel.unsubscribe(sub)


def live_routes(controller: Controller) -> list[Route]:
    hub = controller.live

    def channel_of(request: Request, *, live: bool = True) -> LiveChannel | Response:
        """The component's channel, or the answer when it is unknown or (for `live`
        routes) live debugging is off."""
        cid = request.path_params["id"]  # a module's component: `<module ID>/<local ID>`
        if controller.find(cid) is None:
            return PlainTextResponse("component not found\n", status_code=404)
        if live and not hub.enabled:
            return PlainTextResponse(DISABLED, status_code=503)
        return hub.channel(cid)

    async def status(_: Request) -> Response:
        return JSONResponse({"enabled": hub.enabled, "memory_bytes": hub.memory()})

    async def stream(request: Request) -> Response:
        channel = channel_of(request)
        if isinstance(channel, Response):
            return channel
        text_format = request.query_params.get("format") == "text"
        needle = request.query_params.get("filter", "")
        body = _stream(channel, channel.subscribe(), needle, text_format)
        media = "text/plain; charset=utf-8" if text_format else "text/event-stream"
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(body, media_type=media, headers=headers)

    async def profile(request: Request) -> Response:
        channel = channel_of(request)
        if isinstance(channel, Response):
            return channel
        stored = channel.stored_profile(request.path_params["seq"])
        if stored is None:
            return PlainTextResponse("profile no longer kept\n", status_code=404)
        # Decoding a big profile takes a while: off the loop the components run on.
        return JSONResponse(await asyncio.to_thread(preview, stored))

    async def errors(request: Request) -> Response:
        channel = channel_of(request, live=False)
        if isinstance(channel, Response):
            return channel
        return JSONResponse(channel.errors())

    return [
        Route("/api/v0/web/debug", status),
        # IDs may hold `/` (a module's components): the suffixed routes go first.
        Route("/api/v0/web/debug/{id:path}/profiles/{seq:int}", profile),
        Route("/api/v0/web/debug/{id:path}/errors", errors),
        Route("/api/v0/web/debug/{id:path}", stream),
    ]
