"""Metric helpers shared by components: Go's default histogram buckets, Alloy's
"register or reuse" of a collector in a component's registry, and the replacement of a
scrape-time collector by its rebuilt component's."""

from __future__ import annotations

import weakref
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.registry import Collector

C = TypeVar("C", Counter, Histogram)

# client_golang's `prometheus.DefBuckets`; prometheus_client's defaults have four more bounds.
GO_DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def register_or_reuse(registry: CollectorRegistry | None, collector: C) -> C:
    """`collector` registered in `registry`, or the same-named one already there.

    A component re-created on a reload registers again in its own registry; reusing the
    existing collector keeps its counts instead of failing on the duplicate name.
    """
    if registry is None:
        return collector
    try:
        registry.register(collector)
    except ValueError:
        # The registry's private index: checked against prometheus-client 0.26.0 (bounded in
        # pyproject.toml).
        existing: Any = registry._names_to_collectors.get(collector._name)  # noqa: SLF001
        if existing is None:
            existing = registry._names_to_collectors.get(collector._name + "_total")  # noqa: SLF001
        if isinstance(existing, type(collector)):
            return existing
        raise
    return collector


# The scrape-time collector of each class registered in each registry, so the next one
# can take its place.
_CURRENT: weakref.WeakKeyDictionary[CollectorRegistry, dict[type, Collector]] = (
    weakref.WeakKeyDictionary()
)


def register_replacing(registry: CollectorRegistry, collector: Collector) -> None:
    """Register `collector`, unregistering the one of its class registered before.

    A component rebuilt on a reload registers its collector again in the same registry;
    prometheus_client would refuse the duplicate names, so the old one goes first.
    """
    current = _CURRENT.setdefault(registry, {})
    old = current.get(type(collector))
    if old is not None:
        registry.unregister(old)
    registry.register(collector)
    current[type(collector)] = collector
