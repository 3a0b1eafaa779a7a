"""Live debugging under `run --workers N`: one component's lines from every worker.

Each worker runs the whole graph and sees only the profiles its connections brought, so
a viewer of the supervisor reads all of them at once: the status sums the workers',
the errors are every worker's, and the stream merges the workers' streams as their lines
come. A line's stored profile lives in one worker: the merged stream names it
`<worker>-<seq>`, which the supervisor's profile route sends to that worker.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import anyio
import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from alloylite.server.relay import not_ready, relay
from alloylite.server.supervisor import Supervisor, Worker

_STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def relabel_event(event: str, worker: int) -> str:
    """A worker's server-sent event as the merged stream's: a data line's stored profile
    named by worker, everything else (dropped, disabled, keepalive) unchanged."""
    if not event.startswith("data: "):
        return event
    line: dict[str, Any] = json.loads(event[len("data: ") :])
    line["worker"] = worker
    if line.get("profile") is not None:
        line["profile"] = f"{worker}-{line['profile']}"
    return "data: " + json.dumps(line, separators=(",", ":"))


async def _events(answer: httpx.Response, text_format: bool) -> AsyncIterator[str]:
    """A worker's stream cut into whole events (SSE) or lines (text)."""
    pending: list[str] = []
    async for line in answer.aiter_lines():
        if text_format:
            yield line
        elif line:
            pending.append(line)
        elif pending:
            yield "\n".join(pending)
            pending = []


async def _merged(
    opened: list[tuple[Worker, httpx.Response]], stack: AsyncExitStack, text_format: bool
) -> AsyncIterator[str]:
    """The workers' streams interleaved as their lines come; ends when every one has."""
    queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=1024)

    async def pump(worker: Worker, answer: httpx.Response) -> None:
        try:
            async for event in _events(answer, text_format):
                await queue.put(event if text_format else relabel_event(event, worker.index))
        except httpx.HTTPError:
            pass  # a worker that went away ends its part of the stream
        await queue.put(None)  # its end (not when cancelled: the queue may be full then)

    tasks = [asyncio.create_task(pump(w, a)) for w, a in opened]
    try:
        running = len(tasks)
        while running:
            event = await queue.get()
            if event is None:
                running -= 1
            elif text_format:
                yield event + "\n"
            else:
                yield event + "\n\n"
    finally:
        # The viewer left: Starlette cancels this through an anyio scope that cancels
        # every await again, so the clean-up is shielded, or the workers' streams would
        # stay open and hold the supervisor's connection pool.
        for task in tasks:
            task.cancel()
        with anyio.CancelScope(shield=True):
            await asyncio.gather(*tasks, return_exceptions=True)
            await stack.aclose()


def live_routes_over_workers(sup: Supervisor) -> list[Route]:
    async def status(_: Request) -> Response:
        answers = [
            a.json()
            for _, a in await sup.each("GET", "/api/v0/web/debug")
            if isinstance(a, httpx.Response) and a.status_code == 200
        ]
        if not answers:
            return not_ready()
        return JSONResponse(
            {
                "enabled": any(a["enabled"] for a in answers),
                "memory_bytes": sum(a["memory_bytes"] for a in answers),
            }
        )

    async def errors(request: Request) -> Response:
        answers = [
            (w.index, a)
            for w, a in await sup.each("GET", request.url.path)
            if isinstance(a, httpx.Response)
        ]
        if not answers:
            return not_ready()
        first = answers[0][1]
        if first.status_code != 200:  # unknown component: every worker says so
            return relay(first)
        merged = [
            {**e, "worker": index} for index, a in answers if a.status_code == 200 for e in a.json()
        ]
        # newest first, as one worker lists them
        return JSONResponse(sorted(merged, key=lambda e: e["time"], reverse=True))

    async def profile(request: Request) -> Response:
        index = request.path_params["worker"]
        worker = next((w for w in sup.live() if w.index == index), None)
        if worker is None:
            return PlainTextResponse("profile no longer kept\n", status_code=404)
        cid, seq = request.path_params["id"], request.path_params["seq"]
        answer = await sup.ask(
            worker, "GET", f"/api/v0/web/debug/{cid}/profiles/{seq}", sup.timeout
        )
        if not isinstance(answer, httpx.Response):
            return PlainTextResponse("profile no longer kept\n", status_code=404)
        return relay(answer)

    async def stream(request: Request) -> Response:
        text_format = request.query_params.get("format") == "text"
        stack = AsyncExitStack()
        opened: list[tuple[Worker, httpx.Response]] = []
        refused: httpx.Response | None = None
        for worker in sup.live():
            url = f"http://{worker.address}{request.url.path}"
            stream = sup.client.stream(
                "GET", url, params=request.query_params, timeout=httpx.Timeout(None)
            )
            try:
                # Only the answer's head is bounded (a stopped worker still accepts the
                # connection); the stream itself lasts as long as the viewer stays.
                async with asyncio.timeout(sup.timeout):
                    answer = await stack.enter_async_context(stream)
            except (httpx.HTTPError, TimeoutError):
                continue  # a worker that cannot stream now is left out
            if answer.status_code == 200:
                opened.append((worker, answer))
            else:
                refused = refused or answer
        if not opened:
            if refused is not None:
                await refused.aread()  # every worker said why (off, unknown component)
            await stack.aclose()
            return relay(refused) if refused is not None else not_ready()
        media = "text/plain; charset=utf-8" if text_format else "text/event-stream"
        body_iter = _merged(opened, stack, text_format)
        return StreamingResponse(body_iter, media_type=media, headers=_STREAM_HEADERS)

    return [
        Route("/api/v0/web/debug", status),
        Route("/api/v0/web/debug/{id:path}/profiles/{worker:int}-{seq:int}", profile),
        Route("/api/v0/web/debug/{id:path}/errors", errors),
        Route("/api/v0/web/debug/{id:path}", stream),
    ]
