"""The running discovery.process: walk /proc at start, then every `refresh_interval`.

The walk reads a few files per process (thousands on a busy host), so it runs in a
worker thread and the event loop keeps serving profiles meanwhile. Updates take effect
as in Alloy: a new `join` list is exported at once with the processes already found, a
new `discover_config` at the next refresh, a new interval after the next tick.
"""

from __future__ import annotations

import asyncio
import errno
import sys

from alloylite.components.discovery.process.arguments import Arguments
from alloylite.components.discovery.process.join import Target, join
from alloylite.components.discovery.process.procfs import Discovery, ReadError, discover
from alloylite.runtime.component import ComponentOptions


class DiscoveryProcess:
    def __init__(self, options: ComponentOptions, args: Arguments) -> None:
        self._options = options
        self._args = args
        self._processes: list[Target] | None = None  # None until the first walk is done
        # Alloy's exports start as the zero value (null targets) until the first walk.
        options.on_state_change({"targets": None})

    async def run(self) -> None:
        if sys.platform != "linux":
            self._options.logger.warning(
                "the discovery.process component only works on linux; "
                "enabling it otherwise will do nothing"
            )
            await asyncio.Event().wait()
        while True:
            await self._refresh()
            interval = self._args.refresh_interval.total_seconds()
            if interval <= 0:
                # Go's ticker panics here; Alloy validates nothing, so the user only sees
                # the component exit. Say why instead.
                raise ValueError(f"refresh_interval must be positive, got {interval:g}s")
            await asyncio.sleep(interval)

    async def update(self, arguments: Arguments) -> None:
        self._args = arguments
        if self._processes is not None:
            self._export()

    async def _refresh(self) -> None:
        found: Discovery = await asyncio.to_thread(discover, self._args.discover_config)
        self._log_errors(found.errors)
        self._processes = found.targets
        self._export()

    def _export(self) -> None:
        assert self._processes is not None
        self._options.on_state_change({"targets": join(self._processes, self._args.join)})

    def _log_errors(self, errors: list[ReadError]) -> None:
        """Alloy logs every failed read per PID; without root that is one EACCES line per
        process of another user on every refresh. Here they become one line a refresh."""
        denied = [e for e in errors if e.errno == errno.EACCES]
        logger = self._options.logger
        for error in errors:
            if error.errno != errno.EACCES:
                logger.error(
                    "failed to get process info",
                    extra={"err": error.message, "pid": error.pid},
                )
        if denied:
            logger.error(
                "failed to get process info",
                extra={"err": denied[0].message, "pid": denied[0].pid, "processes": len(denied)},
            )
