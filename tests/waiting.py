"""Waiting in async tests for a condition the test itself causes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def until(predicate: Callable[[], bool], guard: float = 60.0) -> None:
    """Poll `predicate` until it holds; the guard only turns a hang into a failure."""
    loop = asyncio.get_running_loop()
    end = loop.time() + guard
    while not predicate():
        assert loop.time() < end, "condition never became true"
        await asyncio.sleep(0.001)
