"""The running pyroscope.enrich: look each profile up by a label, copy the target's labels,
forward it.

Alloy builds its Fanout once, at construction, and never updates its children, so a
changed `forward_to` is ignored until the component is recreated (spec §4.3). Here an
update replaces the receivers as it replaces the targets: the new list is used by the next
profile.
"""

from __future__ import annotations

import asyncio
import dataclasses

from alloylite.components.pyroscope.appendable import IncomingProfile, Labels, RawSample
from alloylite.components.pyroscope.enrich.arguments import Arguments
from alloylite.components.pyroscope.enrich.enrichment import Enrichment
from alloylite.components.pyroscope.fanout import Fanout
from alloylite.runtime.component import ComponentOptions


class PyroscopeEnrich:
    """Owns the current enrichment and receivers; exports the receiver once."""

    def __init__(self, options: ComponentOptions, args: Arguments) -> None:
        self._options = self.options = options
        self.enrichment = Enrichment.build([], "", "", ())
        self.fanout = Fanout(options.registry)
        self._apply(args)
        self.receiver = EnrichReceiver(self)
        options.on_state_change({"receiver": self.receiver})

    async def run(self) -> None:
        await asyncio.Event().wait()

    async def update(self, arguments: Arguments) -> None:
        self._apply(arguments)

    def _apply(self, args: Arguments) -> None:
        # Build both before swapping either in: a bad forward_to entry leaves the old state.
        forward_to = tuple(args.forward_to)
        self.enrichment = Enrichment.build(
            args.targets, args.target_match_label, args.profiles_match_label, args.labels_to_copy
        )
        self.fanout.children = forward_to


class EnrichReceiver:
    """The exported `receiver`: an Appendable that enriches, then forwards in order."""

    def __init__(self, component: PyroscopeEnrich) -> None:
        self._component = component

    async def append(
        self, labels: Labels, samples: list[RawSample], deadline: float | None = None
    ) -> None:
        enriched = self._component.enrichment.apply(labels)
        self._component.options.live.samples("out", enriched, samples, outcome="enriched")
        await self._component.fanout.append(enriched, samples, deadline)

    async def append_ingest(self, profile: IncomingProfile, deadline: float | None = None) -> None:
        enriched = self._component.enrichment.apply(profile.labels)
        self._component.options.live.ingest("out", profile, enriched, outcome="enriched")
        if enriched is not profile.labels:
            profile = dataclasses.replace(profile, labels=enriched)
        await self._component.fanout.append_ingest(profile, deadline)
