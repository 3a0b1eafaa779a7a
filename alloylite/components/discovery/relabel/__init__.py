"""`discovery.relabel`: rewrite, filter and rename a list of targets with relabel rules.

Every update (new `targets` or new rules) relabels every target synchronously with Alloy's
engine (UTF-8 target names) and exports the kept ones in input order. Facts: spec
alloy-profiling-components.md §4.1. The behaviour lives in component.py, imported when a
component is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alloylite.components.discovery.relabel.arguments import Arguments, Target
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

__all__ = ["REGISTRATION", "Arguments", "Exports", "Target"]


@dataclass
class Exports:
    output: list[Target] | None = None
    rules: Any = None


def _build(options: ComponentOptions, args: Any) -> Component:
    from alloylite.components.discovery.relabel.component import DiscoveryRelabel

    return DiscoveryRelabel(options, args)


def _metrics(registry: CollectorRegistry) -> object:
    """None: as in Alloy, discovery.relabel registers no metrics of its own (spec §4.1)."""
    return None


REGISTRATION = Registration(
    name="discovery.relabel",
    stability=Stability.GENERALLY_AVAILABLE,
    arguments=Arguments,
    build=_build,
    exports=Exports,
    docs=ComponentDocs(
        exports={
            "output": ExportDoc(
                "list(map(string))",
                "The targets the rules kept, relabeled, in input order; a target whose labels "
                "were all removed is kept as an empty map.",
            ),
            "rules": ExportDoc(
                "RelabelRules",
                "The `rule` blocks, for reuse by other components that accept relabel rules.",
            ),
        },
        metrics=_metrics,
    ),
)
