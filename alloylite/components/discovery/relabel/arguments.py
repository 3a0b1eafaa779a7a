"""The argument schema of `discovery.relabel`."""

from __future__ import annotations

from dataclasses import dataclass

from alloylite.components.common.rule_block import RuleBlock
from alloylite.runtime.schema import attr, block
from alloylite.runtime.schema.target import Target

__all__ = ["Arguments", "Target"]


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
