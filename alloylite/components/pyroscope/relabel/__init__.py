"""`pyroscope.relabel`: rewrite or drop profiles by their labels before they are forwarded.

The registry imports this package also for `alloylite validate`, so it holds only the
registration and the argument schema; the behaviour lives in component.py.
Facts: spec alloy-profiling-components.md §2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from alloylite.components.pyroscope.relabel.arguments import Arguments
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
    rules: Any = field(default=None)


def _build(options: ComponentOptions, args: Any) -> Component:
    from alloylite.components.pyroscope.relabel.component import PyroscopeRelabel

    return PyroscopeRelabel(options, args)


def _metrics(registry: CollectorRegistry) -> object:
    from alloylite.components.pyroscope.fanout import FanoutMetrics
    from alloylite.components.pyroscope.relabel.metrics import RelabelMetrics

    return RelabelMetrics(registry), FanoutMetrics(registry)


REGISTRATION = Registration(
    name="pyroscope.relabel",
    stability=Stability.GENERALLY_AVAILABLE,
    arguments=Arguments,
    build=_build,
    exports=Exports,
    ui_counters=(
        CounterRule(
            "received",
            "pyroscope_relabel_profiles_processed",
            description="profiles the rules were applied to",
        ),
        CounterRule(
            "forwarded",
            "pyroscope_relabel_profiles_written",
            description="profiles the rules kept and handed to forward_to",
        ),
        CounterRule(
            "dropped",
            "pyroscope_relabel_profiles_dropped",
            description="profiles dropped by a keep/drop rule (the sender still saw success)",
        ),
    ),
    docs=ComponentDocs(
        exports={
            "receiver": ExportDoc(
                "ProfilesReceiver",
                "Receiver to put in another component's `forward_to`: what it gets is relabeled "
                "and forwarded to every `forward_to` receiver.",
            ),
            "rules": ExportDoc(
                "RelabelRules",
                "The `rule` blocks, for reuse by other components that accept relabel rules.",
            ),
        },
        metrics=_metrics,
    ),
)
