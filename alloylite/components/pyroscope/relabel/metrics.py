"""pyroscope.relabel's metrics, under Alloy's names (spec alloy-profiling-components.md §2.4).

Alloy's counters carry no `_total` suffix, and prometheus_client's Counter would add one,
so the values are plain integers turned into families when /metrics is scraped.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from alloylite.components.common.metrics import register_replacing

_COUNTERS = {
    "profiles_processed": "Total number of profiles processed",
    "profiles_written": "Total number of profiles forwarded",
    "profiles_dropped": "Total number of profiles dropped by relabeling rules",
    "cache_hits": "Total number of cache hits",
    "cache_misses": "Total number of cache misses",
}


class RelabelMetrics(Collector):
    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.counts = dict.fromkeys(_COUNTERS, 0)
        self.cache_size = 0
        if registry is not None:
            register_replacing(registry, self)

    def count(self, name: str) -> None:
        self.counts[name] += 1

    def collect(self) -> Iterator[Metric]:
        for name, doc in _COUNTERS.items():
            full = f"pyroscope_relabel_{name}"
            family = Metric(full, doc, "counter")
            family.add_sample(full, {}, float(self.counts[name]))
            yield family
        yield GaugeMetricFamily(
            "pyroscope_relabel_cache_size", "Total size of relabel cache", value=self.cache_size
        )
