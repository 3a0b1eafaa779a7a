"""`discovery.process`: one target per process of the host, from /proc (Linux only).

The registry imports this package also for `alloylite validate`, so it holds only the
registration and the argument schema; the /proc walk lives in procfs.py, the merge with
other discovery results in join.py, the refresh loop in component.py.
Facts: spec alloy-profiling-components.md §4.2. The defaults are those of Alloy's code:
its docs (and the catalogue) say `username` and `uid` default to true, the code says false.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alloylite.components.discovery.process.arguments import Arguments, DiscoverConfig
from alloylite.runtime.component import (
    Component,
    ComponentDocs,
    ComponentOptions,
    ExportDoc,
    Registration,
    Stability,
)

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

__all__ = ["REGISTRATION", "Arguments", "DiscoverConfig", "Exports"]


@dataclass
class Exports:
    targets: list[dict[str, str]] | None = None


def _build(options: ComponentOptions, args: Any) -> Component:
    from alloylite.components.discovery.process.component import DiscoveryProcess

    return DiscoveryProcess(options, args)


def _metrics(registry: CollectorRegistry) -> object:
    """None: as in Alloy, discovery.process registers no metrics of its own (spec §4.2)."""
    return None


REGISTRATION = Registration(
    name="discovery.process",
    stability=Stability.GENERALLY_AVAILABLE,
    arguments=Arguments,
    build=_build,
    exports=Exports,
    docs=ComponentDocs(
        exports={
            "targets": ExportDoc(
                "list(map(string))",
                "One target per process (merged with the `join` target of its container, if "
                "any), and the `join` targets; unset until the first discovery.",
            ),
        },
        metrics=_metrics,
    ),
)
