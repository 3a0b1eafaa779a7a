"""The argument schema of `pyroscope.relabel`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alloylite.components.common.rule_block import RuleBlock
from alloylite.runtime.schema import attr, block


@dataclass
class Arguments:
    forward_to: list[Any] = attr(required=True)
    rule: list[RuleBlock] = block(default_factory=list)
    max_cache_size: int = attr(default=10_000)
