"""`discovery.process`: one target per process of the host, from /proc (Linux only).

The registry imports this package also for `alloylite validate`, so it holds only the
registration and the argument schema; the /proc walk lives in procfs.py, the merge with
other discovery results in join.py, the refresh loop in component.py.
Facts: spec alloy-profiling-components.md §4.2. The defaults are those of Alloy's code:
its docs (and the catalogue) say `username` and `uid` default to true, the code says false.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from alloylite.runtime.component import Component, ComponentOptions, Registration, Stability
from alloylite.runtime.schema import attr, block

__all__ = ["REGISTRATION", "Arguments", "DiscoverConfig", "Exports"]


@dataclass
class DiscoverConfig:
    """Which facts to read per process; each enabled one costs a /proc read per PID."""

    cwd: bool = attr(default=True)
    exe: bool = attr(default=True)
    commandline: bool = attr(default=True)
    username: bool = attr(default=False)
    uid: bool = attr(default=False)
    container_id: bool = attr(default=True)
    cgroup_path: bool = attr(default=False)


@dataclass
class Arguments:
    join: list[dict[str, str]] = attr(default_factory=list)
    refresh_interval: timedelta = attr(default=timedelta(seconds=60))
    discover_config: DiscoverConfig = block(default_factory=DiscoverConfig)


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
