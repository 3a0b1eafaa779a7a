"""`pyroscope.enrich`: add the labels of a discovered target to the profiles that match it.

The registry imports this package also for `alloylite validate`, so it holds only the
registration and the argument schema; the behaviour lives in component.py.
Facts: spec alloy-profiling-components.md §4.3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alloylite.components.pyroscope.enrich.arguments import Arguments
from alloylite.runtime.component import (
    Component,
    ComponentDocs,
    ComponentOptions,
    CounterRule,
    ExportDoc,
    Registration,
    Stability,
)

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

__all__ = ["REGISTRATION", "Arguments", "Exports"]


@dataclass
class Exports:
    receiver: Any = None


def _build(options: ComponentOptions, args: Any) -> Component:
    from alloylite.components.pyroscope.enrich.component import PyroscopeEnrich

    return PyroscopeEnrich(options, args)


def _metrics(registry: CollectorRegistry) -> object:
    """Only the Fanout's metrics: pyroscope.enrich has none of its own (spec §4.3)."""
    from alloylite.components.pyroscope.fanout import FanoutMetrics

    return FanoutMetrics(registry)


REGISTRATION = Registration(
    name="pyroscope.enrich",
    stability=Stability.EXPERIMENTAL,
    arguments=Arguments,
    build=_build,
    exports=Exports,
    ui_counters=(
        CounterRule(
            "forwarded",
            "pyroscope_forwarded_entries_total",
            description="push-API profiles every forward_to receiver accepted (counted by sample)",
        ),
    ),
    docs=ComponentDocs(
        exports={
            "receiver": ExportDoc(
                "ProfilesReceiver",
                "Receiver to put in another component's `forward_to`: what it gets is enriched "
                "and forwarded to every `forward_to` receiver.",
            ),
        },
        metrics=_metrics,
    ),
)
