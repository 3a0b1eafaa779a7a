"""`pyroscope.relabel`: rewrite or drop profiles by their labels before they are forwarded.

The registry imports this package also for `alloylite validate`, so it holds only the
registration and the argument schema; the behaviour lives in component.py.
Facts: spec alloy-profiling-components.md §2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alloylite.components.pyroscope.relabel.arguments import Arguments
from alloylite.runtime.component import Component, ComponentOptions, Registration, Stability

__all__ = ["REGISTRATION", "Arguments", "Exports"]


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
