"""One scrape loop: one target and profile type, scraped every `scrape_interval` (spec §1.5).

The first scrape waits for the target's slot (its identity hash modulo the interval), so
many targets spread over the interval instead of firing together; then a fixed ticker runs,
and a scrape slower than the interval skips ticks rather than overlapping.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from alloylite._version import __version__
from alloylite.components.pyroscope.appendable import Labels, RawSample
from alloylite.components.pyroscope.scrape.delta import DeltaComputer, DeltaError
from alloylite.components.pyroscope.scrape.http import ScrapeClient, ScrapeError
from alloylite.components.pyroscope.scrape.response import check_response
from alloylite.components.pyroscope.scrape.targets import ScrapeTarget

SCOPE_NAME = "com.grafana.alloy/pyroscope.scrape"
# Alloy adds its release version next to its own scope name; alloylite adds its own.
SCOPE_VERSION = f"v{__version__}"

Forward = Callable[[Labels, list[RawSample]], Awaitable[None]]


def first_delay(identity: int, interval: float, now: float) -> float:
    """Prometheus' offset: the time until this target's slot within the interval."""
    base = interval - (now % interval)
    delay = base + (identity % int(interval * 1e9)) / 1e9
    return delay - interval if delay > interval else delay


def forwarded_labels(target: ScrapeTarget) -> Labels:
    """The labels handed to `forward_to`: every target label plus the scope name and, when
    the name is the scraper's own, its version (§1.5; a target's own scope labels are kept);
    `__delta__="false"` marks a profile whose delta was computed here (§1.6)."""
    labels = dict(target.labels)
    labels.setdefault("otel.scope.name", SCOPE_NAME)
    if labels["otel.scope.name"] == SCOPE_NAME:
        labels.setdefault("otel.scope.version", SCOPE_VERSION)
    if target.alloy_delta:
        labels["__delta__"] = "false"
    return tuple(sorted(labels.items()))


class ScrapeLoop:
    def __init__(
        self, target: ScrapeTarget, interval: float, client: ScrapeClient, forward: Forward
    ) -> None:
        self.target = target
        self._interval = interval
        self._client = client
        self._forward = forward
        self._labels = forwarded_labels(target)
        self._delta = DeltaComputer(target.name) if target.alloy_delta else None
        self.health = "unknown"
        self.last_error = ""
        self.last_scrape: float | None = None
        self.last_duration = 0.0

    async def run(self) -> None:
        await asyncio.sleep(first_delay(self.target.identity, self._interval, time.time()))
        loop = asyncio.get_running_loop()
        next_tick = loop.time()
        while True:
            await self.scrape_once()
            next_tick += self._interval
            now = loop.time()
            if now > next_tick:  # dropped ticks: no catch-up
                next_tick += ((now - next_tick) // self._interval + 1) * self._interval
            await asyncio.sleep(next_tick - now)

    async def scrape_once(self) -> None:
        start = time.time()
        self.last_scrape = start
        try:
            await self._scrape()
        except (ScrapeError, DeltaError, ValueError) as err:
            self._down(str(err))
        except Exception as err:  # noqa: BLE001 - a downstream failure is this target's error
            self._down(str(err) or type(err).__name__)
        else:
            self.health, self.last_error = "up", ""
        finally:
            self.last_duration = time.time() - start

    def _down(self, error: str) -> None:
        self.health, self.last_error = "down", error

    async def _scrape(self) -> None:
        response = await self._client.get(self.target.url, self.target.timeout)
        check_response(
            response.status,
            response.reason,
            response.content_type,
            response.body,
            self.target.name,
        )
        body = response.body
        if self._delta is not None:
            delta = self._delta.compute(body)
            if delta is None:
                return  # the first profile seeds the delta state
            body = delta
        await self._forward(self._labels, [RawSample("", body)])

    def debug_info(self, job: str) -> dict[str, Any]:
        """Alloy's TargetStatus for the component page (§1.8)."""
        last = (
            datetime.fromtimestamp(self.last_scrape, UTC).isoformat()
            if self.last_scrape is not None
            else ""
        )
        return {
            "job": job,
            "url": self.target.url,
            "health": self.health,
            "labels": dict(self.target.labels),
            "last_error": self.last_error,
            "last_scrape": last,
            "last_scrape_duration": f"{self.last_duration:.6f}s",
        }
