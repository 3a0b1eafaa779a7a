"""`pyroscope.scrape`: pull pprof profiles from targets and forward them (spec §1).

The registry imports this package also for `alloylite validate`, so it holds only the
registration and the argument schema; the HTTP client and the scrape loops live in
component.py and are imported when a component is actually built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alloylite.components.pyroscope.scrape.arguments import Arguments
from alloylite.runtime.component import (
    Component,
    ComponentDocs,
    ComponentOptions,
    CounterRule,
    Registration,
    Stability,
)

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

__all__ = ["REGISTRATION", "Arguments"]


def _build(options: ComponentOptions, args: Any) -> Component:
    from alloylite.components.pyroscope.scrape.component import PyroscopeScrape

    return PyroscopeScrape(options, args)


def _metrics(registry: CollectorRegistry) -> object:
    """Only the Fanout's metrics (spec §1.8); target health is on the component's page."""
    from alloylite.components.pyroscope.fanout import FanoutMetrics

    return FanoutMetrics(registry)


REGISTRATION = Registration(
    name="pyroscope.scrape",
    stability=Stability.GENERALLY_AVAILABLE,
    arguments=Arguments,
    build=_build,
    exports=None,  # no exports (§1.8)
    ui_counters=(
        CounterRule(
            "forwarded",
            "pyroscope_forwarded_entries_total",
            description="scraped profiles every forward_to receiver accepted",
        ),
    ),
    docs=ComponentDocs(
        overrides={
            "no_proxy": "Comma-separated hosts, domains and CIDRs that bypass `proxy_url`; "
            "checked, but not applied to scrape requests.",
        },
        metrics=_metrics,
    ),
)
