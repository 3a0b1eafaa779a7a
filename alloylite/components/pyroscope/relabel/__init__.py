"""`pyroscope.relabel`: rewrite or drop profiles by their labels before they are forwarded.

The registry imports this package also for `alloylite validate`, so it holds only the
registration and the argument schema; the behaviour lives in component.py.
Facts: spec alloy-profiling-components.md §2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alloylite.components.common.rule_block import RuleBlock
from alloylite.runtime.component import Component, ComponentOptions, Registration, Stability
from alloylite.runtime.schema import attr, block

__all__ = ["REGISTRATION", "Arguments", "Exports"]


@dataclass
class Arguments:
    forward_to: list[Any] = attr(required=True)
    rule: list[RuleBlock] = block(default_factory=list)
    max_cache_size: int = attr(default=10_000)


@dataclass
class Exports:
    receiver: Any = None
    rules: Any = field(default=None)


def _build(options: ComponentOptions, args: Any) -> Component:
    from alloylite.components.pyroscope.relabel.component import PyroscopeRelabel

    return PyroscopeRelabel(options, args)


REGISTRATION = Registration(
    name="pyroscope.relabel",
    stability=Stability.GENERALLY_AVAILABLE,
    arguments=Arguments,
    build=_build,
    exports=Exports,
)
