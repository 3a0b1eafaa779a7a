"""A recording Appendable for component tests: what a `forward_to` receiver got."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from alloylite.components.pyroscope.appendable import IncomingProfile, Labels, RawSample


@dataclass
class Recorder:
    """An Appendable that records what it gets and fails or blocks on request."""

    fail: BaseException | None = None
    gate: asyncio.Event | None = None  # when set, calls wait for it
    pushes: list[tuple[Labels, list[RawSample], float | None]] = field(default_factory=list)
    ingests: list[tuple[IncomingProfile, float | None]] = field(default_factory=list)
    entered: int = 0

    async def append(
        self, labels: Labels, samples: list[RawSample], deadline: float | None = None
    ) -> None:
        self.entered += 1
        if self.gate is not None:
            await self.gate.wait()
        self.pushes.append((labels, samples, deadline))
        if self.fail is not None:
            raise self.fail

    async def append_ingest(self, profile: IncomingProfile, deadline: float | None = None) -> None:
        self.entered += 1
        if self.gate is not None:
            await self.gate.wait()
        self.ingests.append((profile, deadline))
        if self.fail is not None:
            raise self.fail

    @property
    def pushed(self) -> list[Labels]:
        """The label sets of the push series received, in order."""
        return [labels for labels, _, _ in self.pushes]

    @property
    def ingested(self) -> list[IncomingProfile]:
        """The `/ingest` profiles received, in order."""
        return [profile for profile, _ in self.ingests]
