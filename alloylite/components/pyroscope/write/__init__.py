"""`pyroscope.write`: forward profiles to Pyroscope servers (spec alloy-pyroscope.md §2).

The registry imports this package also for `alloylite validate`, so it holds only the
registration and the argument schema; the HTTP client is imported when a component is
actually built. The behaviour lives in component.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alloylite.components.pyroscope.write.arguments import Arguments
from alloylite.runtime.component import Component, ComponentOptions, Registration, Stability

__all__ = ["REGISTRATION", "Arguments", "Exports"]


@dataclass
class Exports:
    receiver: Any = None


def _build(options: ComponentOptions, args: Any) -> Component:
    from alloylite.components.pyroscope.write.component import PyroscopeWrite

    return PyroscopeWrite(options, args)


REGISTRATION = Registration(
    name="pyroscope.write",
    stability=Stability.GENERALLY_AVAILABLE,
    arguments=Arguments,
    build=_build,
    exports=Exports,
)
