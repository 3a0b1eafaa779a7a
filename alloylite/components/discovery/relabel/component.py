"""The running discovery.relabel: relabel every target on every update (spec §4.1)."""

from __future__ import annotations

import asyncio

from alloylite.components.common.relabel import UTF8, relabel
from alloylite.components.common.rule_block import RuleBlock, compile_blocks, export_rules
from alloylite.components.discovery.relabel.arguments import Arguments, Target
from alloylite.runtime.component import ComponentOptions
from alloylite.runtime.live.channel import LiveChannel

__all__ = ["DiscoveryRelabel", "relabel_targets"]


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
            out.append(Target(result))
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
