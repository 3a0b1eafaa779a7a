"""receive_http's server metrics (the dskit ones Alloy exposes, spec §1.9).

Every request touches them, so they are plain counters in Python objects and
are turned into Prometheus families only when /metrics is scraped. With
prometheus_client's own Gauge/Histogram each update takes a lock and a label
lookup: about a tenth of the CPU a request costs here (measured with py-spy).
The event loop is single-threaded, so the counters need no lock.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

from alloylite.components.common.metrics import GO_DEFAULT_BUCKETS, register_replacing

NS = "pyroscope_receive_http"
# dskit's defaults: DefBuckets for the duration, 1 KiB..16 MiB for sizes.
DURATION_BUCKETS = GO_DEFAULT_BUCKETS
SIZE_BUCKETS = (1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0, 4194304.0, 16777216.0)


class _Hist:
    """Per-bucket counts (not cumulative) plus the sum."""

    __slots__ = ("bounds", "counts", "total")

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.total = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, value)] += 1
        self.total += value

    def buckets(self) -> list[tuple[str, float]]:
        out: list[tuple[str, float]] = []
        running = 0
        for bound, count in zip((*self.bounds, float("inf")), self.counts, strict=True):
            running += count
            out.append(("+Inf" if bound == float("inf") else repr(bound), running))
        return out


class ReceiveMetrics(Collector):
    def __init__(self, registry: CollectorRegistry) -> None:
        self.connections = 0
        self.connections_limit = 0
        self.inflight: dict[tuple[str, str], int] = {}
        self._durations: dict[tuple[str, str, int], _Hist] = {}
        self._sizes: dict[str, _Hist] = {}
        register_replacing(registry, self)

    def set_connections(self, count: int) -> None:
        self.connections = count

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        hist = self._durations.get(key)
        if hist is None:
            hist = self._durations[key] = _Hist(DURATION_BUCKETS)
        hist.observe(seconds)

    def received(self, route: str, size: int) -> None:
        hist = self._sizes.get(route)
        if hist is None:
            hist = self._sizes[route] = _Hist(SIZE_BUCKETS)
        hist.observe(size)

    def collect(self) -> Iterator[Any]:
        g = GaugeMetricFamily(
            f"{NS}_tcp_connections",
            "Current number of accepted TCP connections.",
            labels=["protocol"],
        )
        g.add_metric(["http"], self.connections)
        yield g
        g = GaugeMetricFamily(
            f"{NS}_tcp_connections_limit",
            "The max number of TCP connections that can be accepted (0 means no limit).",
            labels=["protocol"],
        )
        g.add_metric(["http"], self.connections_limit)
        yield g
        g = GaugeMetricFamily(
            f"{NS}_inflight_requests",
            "Current number of inflight requests.",
            labels=["method", "route"],
        )
        for (method, route), value in sorted(self.inflight.items()):
            g.add_metric([method, route], value)
        yield g
        h = HistogramMetricFamily(
            f"{NS}_request_duration_seconds",
            "Time (in seconds) spent serving HTTP requests.",
            labels=["method", "route", "status_code", "ws"],
        )
        for (method, route, status), hist in sorted(self._durations.items()):
            h.add_metric([method, route, str(status), "false"], hist.buckets(), hist.total)
        yield h
        h = HistogramMetricFamily(
            f"{NS}_request_message_bytes",
            "Size (in bytes) of messages received in the request.",
            labels=["method", "route"],
        )
        for route, hist in sorted(self._sizes.items()):
            h.add_metric(["POST", route], hist.buckets(), hist.total)
        yield h
