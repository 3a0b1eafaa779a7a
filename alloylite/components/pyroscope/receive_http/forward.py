"""Calling every `forward_to` entry concurrently, under the request's deadline.

Unlike Alloy's Fanout (components/pyroscope/fanout.py, one child after another), the
SDK's request waits for all targets at once, so a slow target delays only itself.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence

from alloylite.components.pyroscope.appendable import Appendable, WriteStatusError


def first_status_error(errors: Sequence[BaseException]) -> WriteStatusError | None:
    """The first backend status in finish order, looking through exception groups
    and causes the way Go's errors.As walks a joined error."""
    for err in errors:
        stack: list[BaseException] = [err]
        while stack:
            cur = stack.pop(0)
            if isinstance(cur, WriteStatusError):
                return cur
            if isinstance(cur, BaseExceptionGroup):
                stack.extend(cur.exceptions)
            if cur.__cause__ is not None:
                stack.append(cur.__cause__)
    return None


async def fan_out(
    targets: Sequence[Appendable],
    call: Callable[[Appendable, int], Awaitable[None]],
    deadline: float,
) -> list[BaseException]:
    """Call every target concurrently; errors in the order they finish.

    The deadline (server write timeout or the caller's Connect timeout) is a
    hard stop: whatever still runs then is cancelled and reported, so the SDK
    gets an answer instead of a dead connection.
    """
    if not targets:
        return []
    errors: list[BaseException] = []

    async def one(index: int, target: Appendable) -> None:
        try:
            await call(target, index)
        except Exception as exc:
            errors.append(exc)

    # A timer that cancels this task at the deadline; cheaper than
    # asyncio.timeout on a path every request takes.
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    expired = False

    def expire() -> None:
        nonlocal expired
        expired = True
        task.cancel()

    timer = loop.call_at(loop.time() + (deadline - time.monotonic()), expire)
    try:
        if len(targets) == 1:
            await one(0, targets[0])
        else:
            await asyncio.gather(*(one(i, t) for i, t in enumerate(targets)))
    except asyncio.CancelledError:
        if not expired:
            raise
        task.uncancel()
        errors.append(TimeoutError("context deadline exceeded"))
    finally:
        timer.cancel()
    return errors
