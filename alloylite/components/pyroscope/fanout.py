"""Forwarding one profile to every `forward_to` receiver, as Alloy's pyroscope Fanout does.

Children are called one after another (not concurrently); every child is called even when
an earlier one failed, and the failures are joined into one error. relabel, enrich and
scrape each own one Fanout, whose two metrics go in that component's registry (Alloy's
`NewFanout` registers them per component, spec alloy-profiling-components.md §1.8, §2.4):
`pyroscope_fanout_latency` observes every forward (push and `/ingest`), and
`pyroscope_forwarded_entries_total` counts the samples of push forwards that every child
accepted.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence

from prometheus_client import CollectorRegistry, Counter, Histogram

from alloylite.components.common.metrics import GO_DEFAULT_BUCKETS, register_or_reuse
from alloylite.components.pyroscope.appendable import (
    Appendable,
    IncomingProfile,
    Labels,
    RawSample,
)


class ForwardError(Exception):
    """Several `forward_to` receivers failed; the message joins their errors, one a line."""


class FanoutMetrics:
    """Alloy's two Fanout metrics, registered (or reused) in one component's registry."""

    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.latency = register_or_reuse(
            registry,
            Histogram(
                "pyroscope_fanout_latency",
                "Write latency for sending to pyroscope profiles",
                buckets=GO_DEFAULT_BUCKETS,
                registry=None,
            ),
        )
        self.forwarded = register_or_reuse(
            registry,
            Counter(
                "pyroscope_forwarded_entries",
                "Total number of samples sent to downstream components.",
                registry=None,
            ),
        )


class Fanout:
    """An Appendable over the current `forward_to` list; `children` is replaced on update,
    and the next forward uses the new list (Alloy's running scrape loops and enrich keep
    the old one: docs/compatibility.md)."""

    def __init__(
        self, registry: CollectorRegistry | None, children: Sequence[Appendable] = ()
    ) -> None:
        self._metrics = FanoutMetrics(registry)
        self.children: tuple[Appendable, ...] = tuple(children)

    async def append(
        self, labels: Labels, samples: list[RawSample], deadline: float | None = None
    ) -> None:
        start = time.perf_counter()
        try:
            await _call_all(self.children, lambda child: child.append(labels, samples, deadline))
        finally:
            self._metrics.latency.observe(time.perf_counter() - start)
        self._metrics.forwarded.inc(len(samples))

    async def append_ingest(self, profile: IncomingProfile, deadline: float | None = None) -> None:
        start = time.perf_counter()
        try:
            await _call_all(self.children, lambda child: child.append_ingest(profile, deadline))
        finally:
            self._metrics.latency.observe(time.perf_counter() - start)


async def _call_all(
    children: Sequence[Appendable], call: Callable[[Appendable], Awaitable[None]]
) -> None:
    errors: list[BaseException] = []
    for child in children:
        try:
            await call(child)
        except Exception as err:  # noqa: BLE001 - every child's failure is reported
            errors.append(err)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ForwardError("\n".join(str(e) for e in errors))
