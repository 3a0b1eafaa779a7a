"""The argument schema of `discovery.process`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from alloylite.runtime.schema import attr, block


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
