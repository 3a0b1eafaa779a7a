"""Helpers to run a real receive_http component on 127.0.0.1 without the runtime."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import replace
from datetime import timedelta
from typing import Any

import uvloop
from prometheus_client import CollectorRegistry

from alloylite.components.pyroscope.appendable import (
    WriteStatusError,
)
from alloylite.components.pyroscope.receive_http import Arguments, HTTPArguments
from alloylite.components.pyroscope.receive_http.component import ReceiveHTTP
from alloylite.runtime.component import ComponentOptions


def status_error(code: int) -> WriteStatusError:
    return WriteStatusError(code, f"remote error: pyroscope write error: status={code} msg=x")


def make_args(forward_to: list[Any], **overrides: Any) -> Arguments:
    """Arguments listening on 127.0.0.1:0; `http_*` keys go to the http block."""
    http_fields = {k[5:]: v for k, v in overrides.items() if k.startswith("http_")}
    top = {k: v for k, v in overrides.items() if not k.startswith("http_")}
    http = replace(HTTPArguments(listen_address="127.0.0.1", listen_port=0), **http_fields)
    return Arguments(forward_to=forward_to, http=http, **top)


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def options(
    registry: CollectorRegistry | None = None, extra: dict[str, Any] | None = None
) -> ComponentOptions:
    return ComponentOptions(
        id="pyroscope.receive_http.test",
        logger=logging.getLogger("test.receive_http"),
        on_state_change=lambda exports: None,
        registry=registry if registry is not None else CollectorRegistry(),
        extra=dict(extra or {}),
    )


@contextlib.asynccontextmanager
async def running(
    args: Arguments,
    registry: CollectorRegistry | None = None,
    extra: dict[str, Any] | None = None,
) -> AsyncIterator[ReceiveHTTP]:
    """A started component; cancelled (graceful shutdown) on exit."""
    component = ReceiveHTTP(options(registry, extra), args)
    task = asyncio.create_task(component.run())
    started = asyncio.create_task(component.started.wait())
    done, _ = await asyncio.wait({task, started}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        started.cancel()
        task.result()  # raises the start-up error
    try:
        yield component
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


LOOPS: dict[str, Callable[[], asyncio.AbstractEventLoop]] = {
    "asyncio": asyncio.new_event_loop,
    "uvloop": uvloop.new_event_loop,
}


def run(coro: Coroutine[Any, Any, Any], loop: str = "uvloop") -> Any:
    """Run a test coroutine; uvloop by default because `alloylite run` uses it."""
    with asyncio.Runner(loop_factory=LOOPS[loop]) as runner:
        return runner.run(coro)
