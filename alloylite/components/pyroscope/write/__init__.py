"""`pyroscope.write`: forward profiles to Pyroscope servers (spec alloy-pyroscope.md §2).

The registry imports this package also for `alloylite validate`, so it holds only the
registration and the argument schema; the HTTP client is imported when a component is
actually built. The behaviour lives in component.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from alloylite.components.pyroscope.appendable import Appendable
from alloylite.components.pyroscope.write.arguments import Arguments
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
    receiver: Appendable | None = None


def _build(options: ComponentOptions, args: Arguments) -> Component:
    from alloylite.components.pyroscope.write.component import PyroscopeWrite

    return PyroscopeWrite(options, args)


def _metrics(registry: CollectorRegistry) -> object:
    from alloylite.components.pyroscope.write.metrics import WriteMetrics

    return WriteMetrics(registry)


REGISTRATION = Registration(
    name="pyroscope.write",
    stability=Stability.GENERALLY_AVAILABLE,
    arguments=Arguments,
    build=_build,
    exports=Exports,
    ui_counters=(
        CounterRule(
            "forwarded",
            "pyroscope_write_sent_profiles_total",
            description="profiles sent to the endpoints",
        ),
        CounterRule(
            "dropped",
            "pyroscope_write_dropped_profiles_total",
            description="profiles dropped after the last retry",
        ),
        CounterRule("retries", "pyroscope_write_retries_total", description="retried sends"),
        CounterRule(
            "bytes_sent",
            "pyroscope_write_sent_bytes_total",
            description="compressed bytes sent to the endpoints",
        ),
    ),
    docs=ComponentDocs(
        exports={
            "receiver": ExportDoc(
                "ProfilesReceiver",
                "Receiver to put in another component's `forward_to`: what it gets is sent to "
                "every `endpoint`.",
            ),
        },
        metrics=_metrics,
    ),
)
