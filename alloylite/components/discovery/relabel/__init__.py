"""`discovery.relabel`: rewrite, filter and rename a list of targets with relabel rules.

Every update (new `targets` or new rules) relabels every target synchronously with Alloy's
engine (UTF-8 target names) and exports the kept ones in input order. Facts: spec
alloy-profiling-components.md §4.1. The work is small and pure, so it lives here with the
registration: `validate` imports nothing heavier than the relabel engine.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alloylite.components.common.relabel import UTF8, relabel
from alloylite.components.common.rule_block import RuleBlock, compile_blocks, export_rules
from alloylite.runtime.component import (
    Component,
    ComponentDocs,
    ComponentOptions,
    ExportDoc,
    Registration,
    Stability,
)
from alloylite.runtime.schema import attr, block

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from alloylite.runtime.live.channel import LiveChannel

__all__ = ["REGISTRATION", "Arguments", "DiscoveryRelabel", "Exports", "relabel_targets"]

Target = dict[str, str]


@dataclass
class Arguments:
    targets: list[Target] = attr(
        required=True, doc="Targets to relabel, for example a discovery component's `targets`."
    )
    rule: list[RuleBlock] = block(
        default_factory=list,
        doc="A relabeling rule; rules apply in order and the first one that drops a target ends "
        "processing.",
    )


@dataclass
class Exports:
    output: list[Target] | None = None
    rules: Any = None


def relabel_targets(
    targets: list[Target], rules: list[RuleBlock], live: LiveChannel | None = None
) -> list[Target]:
    """The kept targets, relabelled, in input order (a target emptied by rules is kept)."""
    compiled = compile_blocks(rules)
    out: list[Target] = []
    for target in targets:
        result = relabel(target, compiled, validation=UTF8).labels
        if live is not None:
            live.target(target.items(), None if result is None else result.items())
        if result is not None:
            out.append(result)
    return out


class DiscoveryRelabel:
    def __init__(self, options: ComponentOptions, args: Arguments) -> None:
        self._options = options
        self._apply(args)

    async def run(self) -> None:
        await asyncio.Event().wait()

    async def update(self, arguments: Arguments) -> None:
        self._apply(arguments)

    def _apply(self, args: Arguments) -> None:
        self._options.on_state_change(
            {
                "output": relabel_targets(args.targets, args.rule, self._options.live),
                "rules": export_rules(args.rule),
            }
        )


def _build(options: ComponentOptions, args: Any) -> Component:
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
