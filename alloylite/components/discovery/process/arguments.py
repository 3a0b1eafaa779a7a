"""The argument schema of `discovery.process`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from alloylite.runtime.schema import attr, block
from alloylite.runtime.schema.target import Target


@dataclass
class DiscoverConfig:
    """Which facts to read per process; each enabled one costs a /proc read per PID."""

    cwd: bool = attr(
        default=True, doc="Add `__meta_process_cwd`, the working directory of the process."
    )
    exe: bool = attr(
        default=True, doc="Add `__meta_process_exe`, the path of the process's executable."
    )
    commandline: bool = attr(
        default=True,
        doc="Add `__meta_process_commandline`, the arguments of the process joined with spaces.",
    )
    username: bool = attr(
        default=False,
        doc="Add `__meta_process_username`, the user of the process's real UID (Alloy's docs say "
        "the default is `true`, its code `false`).",
    )
    uid: bool = attr(
        default=False,
        doc="Add `__meta_process_uid`, the process's real UID (Alloy's docs say the default is "
        "`true`, its code `false`).",
    )
    container_id: bool = attr(
        default=True,
        doc="Add `__container_id__`, the container id found in `/proc/<pid>/cgroup`.",
    )
    cgroup_path: bool = attr(
        default=False,
        doc="Add `__meta_process_cgroup_path`, the lines of `/proc/<pid>/cgroup` joined with `|`.",
    )


@dataclass
class Arguments:
    join: list[Target] = attr(
        default_factory=list,
        doc="Targets to merge with the processes running in their container (matched by "
        "container id); the join target's labels win.",
    )
    refresh_interval: timedelta = attr(
        default=timedelta(seconds=60), doc="How often the processes are listed again."
    )
    discover_config: DiscoverConfig = block(
        default_factory=DiscoverConfig,
        doc="Which facts to read for each process; each enabled one costs a `/proc` read per "
        "process.",
    )
