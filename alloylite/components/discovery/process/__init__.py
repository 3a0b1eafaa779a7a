"""`discovery.process`: one target per process of the host, from /proc (Linux only).

The registry imports this package also for `alloylite validate`, so it holds only the
registration and the argument schema; the /proc walk lives in procfs.py, the merge with
other discovery results in join.py, the refresh loop in component.py.
Facts: spec alloy-profiling-components.md §4.2. The defaults are those of Alloy's code:
its docs (and the catalogue) say `username` and `uid` default to true, the code says false.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alloylite.components.discovery.process.arguments import Arguments, DiscoverConfig
from alloylite.runtime.component import Component, ComponentOptions, Registration, Stability

__all__ = ["REGISTRATION", "Arguments", "DiscoverConfig", "Exports"]


@dataclass
class Exports:
    targets: list[dict[str, str]] | None = None


def _build(options: ComponentOptions, args: Any) -> Component:
    from alloylite.components.discovery.process.component import DiscoveryProcess

    return DiscoveryProcess(options, args)


REGISTRATION = Registration(
    name="discovery.process",
    stability=Stability.GENERALLY_AVAILABLE,
    arguments=Arguments,
    build=_build,
    exports=Exports,
)
