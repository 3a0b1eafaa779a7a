"""Metric helpers shared by components: Go's default histogram buckets and Alloy's
"register or reuse" of a collector in a component's registry."""

from __future__ import annotations

from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Histogram

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
