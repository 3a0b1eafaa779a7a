"""The argument schema of `pyroscope.relabel`."""

from __future__ import annotations

from dataclasses import dataclass

from alloylite.components.common.rule_block import RuleBlock
from alloylite.components.pyroscope.appendable import Appendable
from alloylite.runtime.schema import attr, block


@dataclass
class Arguments:
    forward_to: list[Appendable] = attr(
        required=True,
        doc="Receivers the profiles kept by the rules are forwarded to, one after another.",
    )
    rule: list[RuleBlock] = block(
        default_factory=list,
        doc="A relabeling rule; rules apply in order and the first one that drops a profile "
        "ends processing.",
    )
    max_cache_size: int = attr(
        default=10_000,
        doc="Most label sets whose result is cached (least recently used evicted first); must be "
        "positive when the component is created.",
    )
