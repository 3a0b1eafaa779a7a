"""The running pyroscope.relabel: relabel each profile's labels, then forward or drop it.

Which labels the rules see depends on the path (spec §2.1): a push series' labels, or the
labels parsed from an `/ingest` request's `name`. Rules run with the legacy target-name
check, as Alloy converts them for Prometheus' engine (§3.6). A dropped profile is a success
for the sender (§2.2): it is counted and logged at debug level, never forwarded.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from alloylite.components.common.relabel import LEGACY, CompiledRule, relabel
from alloylite.components.common.rule_block import compile_blocks, export_rules
from alloylite.components.pyroscope.appendable import (
    IncomingProfile,
    Labels,
    RawSample,
)
from alloylite.components.pyroscope.fanout import Fanout
from alloylite.components.pyroscope.labels import labels_string
from alloylite.components.pyroscope.relabel.arguments import Arguments
from alloylite.components.pyroscope.relabel.cache import RelabelCache
from alloylite.components.pyroscope.relabel.metrics import RelabelMetrics
from alloylite.runtime.component import ComponentOptions
from alloylite.runtime.live.channel import LiveChannel


class ComponentExitedError(Exception):
    """An append after the component stopped (Alloy: `<id> has exited`)."""


class PyroscopeRelabel:
    """Owns the rules, the cache and the receiver other components forward to."""

    def __init__(self, options: ComponentOptions, args: Arguments) -> None:
        if args.max_cache_size <= 0:
            raise ValueError("must provide a positive size")
        self._options = options
        self._metrics = RelabelMetrics(options.registry)
        self._cache = RelabelCache(args.max_cache_size)
        self._rules: tuple[CompiledRule, ...] = ()
        self.fanout = Fanout(options.registry)
        self._exited = False
        self.receiver = RelabelReceiver(self)
        self._apply(args)

    async def run(self) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            self._exited = True

    async def update(self, arguments: Arguments) -> None:
        self._apply(arguments)

    def _apply(self, args: Arguments) -> None:
        rules = compile_blocks(args.rule)
        if [r.rule for r in rules] != [r.rule for r in self._rules]:
            self._cache.purge()
            self._metrics.cache_size = 0
        self._rules = rules
        self._cache.resize(args.max_cache_size)
        self.fanout.children = tuple(args.forward_to)
        self._options.on_state_change({"receiver": self.receiver, "rules": export_rules(args.rule)})

    # ------------------------------------------------------------ the receiver's work

    def relabelled(self, labels: Labels) -> Labels | None:
        """The labels to forward, or None when a rule drops the profile."""
        if self._exited:
            raise ComponentExitedError(f"{self._options.id} has exited")
        self._metrics.count("profiles_processed")
        if not labels:
            return labels  # rules never run on an empty set (spec §2.2)
        found, result = self._cache.lookup(labels)
        if found:
            self._metrics.count("cache_hits")
        else:
            self._metrics.count("cache_misses")
            outcome = relabel(labels, self._rules, validation=LEGACY)
            result = None if outcome.labels is None else tuple(outcome.labels.items())
            self._cache.insert(labels, result)
            self._metrics.cache_size = len(self._cache)
            if outcome.labels is None:
                self._log_drop(labels, outcome.dropped_by)
        if result is None:
            self._metrics.count("profiles_dropped")
            return None
        self._metrics.count("profiles_written")
        return result

    @property
    def live(self) -> LiveChannel:
        return self._options.live

    def outcome(self, labels: Labels, result: Labels | None) -> tuple[Labels, str]:
        """Live debugging's view of a relabel: the labels going out and what happened."""
        if result is not None:
            return result, "forwarded"
        # The cache keeps only the result; ask the engine again which rule dropped it.
        index = relabel(labels, self._rules, validation=LEGACY).dropped_by
        if index is None:
            return labels, "dropped"
        return labels, f"dropped by rule {index + 1} (action {self._rules[index].rule.action})"

    def _log_drop(self, labels: Labels, rule_index: int | None) -> None:
        logger = self._options.logger
        if logger.isEnabledFor(logging.DEBUG):
            text = labels_string(labels)
            logger.debug("profile dropped by relabel rules labels=%s rule=%s", text, rule_index)


class RelabelReceiver:
    """The exported `receiver`: an Appendable that relabels, then forwards in order."""

    def __init__(self, component: PyroscopeRelabel) -> None:
        self._component = component

    async def append(
        self, labels: Labels, samples: list[RawSample], deadline: float | None = None
    ) -> None:
        result = self._component.relabelled(labels)
        if (live := self._component.live).enabled:
            live.samples("in", labels, samples)
            shown, outcome = self._component.outcome(labels, result)
            live.samples("out", shown, samples, outcome=outcome)
        if result is None:
            return
        await self._component.fanout.append(result, samples, deadline)

    async def append_ingest(self, profile: IncomingProfile, deadline: float | None = None) -> None:
        result = self._component.relabelled(profile.labels)
        if (live := self._component.live).enabled:
            live.ingest("in", profile)
            shown, outcome = self._component.outcome(profile.labels, result)
            live.ingest("out", profile, labels=shown, outcome=outcome)
        if result is None:
            return
        if result is not profile.labels:
            profile = dataclasses.replace(profile, labels=result)
        await self._component.fanout.append_ingest(profile, deadline)
