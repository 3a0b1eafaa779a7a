"""The running pyroscope.scrape: keeps one loop per target identity and forwards profiles.

Target changes are applied at most every 5 seconds (Alloy's reload interval), so a
discovery component that churns does not restart loops on every update. Each append reads
the current `forward_to`, so a changed `forward_to` takes effect at once (Alloy's running
loops keep the old receivers: docs/compatibility.md).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from alloylite.components.pyroscope.appendable import Labels, RawSample
from alloylite.components.pyroscope.fanout import Fanout
from alloylite.components.pyroscope.scrape.arguments import Arguments
from alloylite.components.pyroscope.scrape.http import ScrapeClient
from alloylite.components.pyroscope.scrape.loop import ScrapeLoop
from alloylite.components.pyroscope.scrape.targets import build_targets
from alloylite.components.pyroscope.write.endpoint import user_agent
from alloylite.runtime.component import ComponentOptions

RELOAD_INTERVAL = 5.0


class PyroscopeScrape:
    def __init__(self, options: ComponentOptions, args: Arguments) -> None:
        self._options = options
        self._args = args
        self._fanout = Fanout(options.registry, args.forward_to)
        self._client = ScrapeClient(args.http_client(), user_agent())
        self._loops: dict[int, tuple[ScrapeLoop, asyncio.Task[None]]] = {}
        self._dirty = asyncio.Event()
        self._dirty.set()

    async def run(self) -> None:
        try:
            while True:
                await asyncio.sleep(RELOAD_INTERVAL)
                await self._dirty.wait()
                self._dirty.clear()
                self._sync()
        finally:
            for _, task in self._loops.values():
                task.cancel()
            await asyncio.gather(*(t for _, t in self._loops.values()), return_exceptions=True)
            self._loops.clear()
            await self._client.close()

    async def update(self, arguments: Arguments) -> None:
        old = self._args
        self._args = arguments
        self._fanout.children = tuple(arguments.forward_to)
        if (
            old.scrape_interval != arguments.scrape_interval
            or old.scrape_timeout != arguments.scrape_timeout
            or old.http_client() != arguments.http_client()
        ):
            # Alloy rebuilds the client and restarts every loop (delta state is lost).
            old_client = self._client
            self._client = ScrapeClient(arguments.http_client(), user_agent())
            self._stop_loops(set(self._loops))
            await old_client.close()
        self._dirty.set()

    def _sync(self) -> None:
        targets, errors = build_targets(self._args, self._args.targets)
        for error in errors:
            self._options.logger.log(
                logging.ERROR, "creating targets failed err=%s", error.replace("\n", " ")
            )
        wanted = {t.identity: t for t in targets}
        self._stop_loops(set(self._loops) - set(wanted))
        interval = self._args.scrape_interval.total_seconds()
        for identity, target in wanted.items():
            if identity not in self._loops:
                loop = ScrapeLoop(target, interval, self._client, self._forward)
                self._loops[identity] = (loop, asyncio.create_task(loop.run()))

    def _stop_loops(self, identities: set[int]) -> None:
        for identity in identities:
            _, task = self._loops.pop(identity)
            task.cancel()

    async def _forward(self, labels: Labels, samples: list[RawSample]) -> None:
        self._options.live.samples("out", labels, samples, outcome="scraped")
        await self._fanout.append(labels, samples, None)

    @property
    def loops(self) -> list[ScrapeLoop]:
        """The running loops, one per target identity."""
        return [loop for loop, _ in self._loops.values()]

    def debug_info(self) -> dict[str, Any]:
        """Alloy's debug info: one `target` entry per running loop (§1.8)."""
        job = self._args.job_name
        return {"targets": [loop.debug_info(job) for loop in self.loops]}
