"""The supervisor's merged live stream lets go of the workers' streams when the viewer
leaves: Starlette ends a response whose client went away by cancelling it through an anyio
scope, and the clean-up must still close every worker stream (each holds a connection of
the supervisor's pool), even while the merge queue is full."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import anyio
import httpx

from alloylite.server.supervisor import Worker
from alloylite.server.supervisor_live import _merged, relabel_event


def _endless_sse(request: httpx.Request) -> httpx.Response:
    async def body() -> AsyncIterator[bytes]:
        n = 0
        while True:  # a busy component: far more lines than the merge queue holds
            n += 1
            yield f'data: {{"seq":{n},"profile":{n}}}\n\n'.encode()
            await asyncio.sleep(0)

    return httpx.Response(200, content=body(), headers={"content-type": "text/event-stream"})


def test_a_viewer_leaving_closes_every_worker_stream() -> None:
    async def scenario() -> list[bool]:
        client = httpx.AsyncClient(transport=httpx.MockTransport(_endless_sse))
        stack = AsyncExitStack()
        opened = []
        for index in (0, 1):
            answer = await stack.enter_async_context(client.stream("GET", "http://w/x"))
            opened.append((Worker(index), answer))
        merged = _merged(opened, stack, text_format=False)
        with anyio.CancelScope() as scope:  # as Starlette's task group does on disconnect
            await merged.__anext__()
            await asyncio.sleep(0.05)  # let the pumps fill the queue
            scope.cancel()
            await merged.__anext__()
        await merged.aclose()
        await client.aclose()
        return [answer.is_closed for _, answer in opened]

    assert asyncio.run(asyncio.wait_for(scenario(), 30)) == [True, True]


def test_events_name_their_worker_and_its_kept_profile() -> None:
    line = relabel_event('data: {"seq":3,"profile":7}', 1)
    assert line == 'data: {"seq":3,"profile":"1-7","worker":1}'
    assert relabel_event("event: disabled\ndata: x", 1) == "event: disabled\ndata: x"
