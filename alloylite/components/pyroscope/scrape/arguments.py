"""The argument schema of `pyroscope.scrape` (spec alloy-profiling-components.md §1.1-§1.3).

Defaults are those of Alloy's code, not its docs: `scrape_timeout` is 10s and an unset
`job_name` means no `job` label. The HTTP client settings are Alloy's shared HTTP client
block; their blocks and checks are pyroscope.write's (`write/arguments.py`), not a copy.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from alloylite.components.pyroscope.appendable import Appendable
from alloylite.components.pyroscope.write.arguments import (
    Endpoint,
    HTTPClientArguments,
)
from alloylite.runtime.schema import attr, block, label
from alloylite.runtime.schema.target import Target

# Profile types whose cumulative values Alloy turns into deltas itself (§1.6).
ALLOY_DELTA_TYPES = frozenset({"memory", "mutex", "block"})


@dataclass
class ProfilingTarget:
    """One built-in `profile.<type>` block; only the fields written replace the defaults."""

    enabled: bool = attr(default=True, doc="Scrape this profile type.")
    path: str = attr(default="", doc="Path the profile is requested from.")
    delta: bool = attr(
        default=False,
        doc="Ask the target for a profile over a span of time: the request gets `seconds=<N>` "
        "(see `delta_profiling_duration`).",
    )


@dataclass
class CustomProfilingTarget:
    """`profile.custom "<name>"`: the label is the profile type name (`__name__`)."""

    name: str = label()
    enabled: bool = attr(required=True, doc="Scrape this profile type.")
    path: str = attr(required=True, doc="Path the profile is requested from.")
    delta: bool = attr(
        default=False,
        doc="Ask the target for a profile over a span of time: the request gets `seconds=<N>` "
        "(see `delta_profiling_duration`).",
    )


def _target(kind: str, path: str, enabled: bool = True, delta: bool = False) -> Any:
    state = "enabled" if enabled else "disabled"
    return block(
        f"profile.{kind}",
        default_factory=lambda: ProfilingTarget(enabled=enabled, path=path, delta=delta),
        doc=f"The `{kind}` profile type: {state} by default, from `{path}`"
        + (", as a delta profile." if delta else "."),
    )


@dataclass
class ProfilingConfig:
    """`profiling_config`; `targets()` is Alloy's `AllTargets` map (customs replace
    built-ins of the same name, the last custom of a name wins)."""

    memory: ProfilingTarget = _target("memory", "/debug/pprof/allocs")
    block_: ProfilingTarget = _target("block", "/debug/pprof/block")
    goroutine: ProfilingTarget = _target("goroutine", "/debug/pprof/goroutine")
    mutex: ProfilingTarget = _target("mutex", "/debug/pprof/mutex")
    process_cpu: ProfilingTarget = _target("process_cpu", "/debug/pprof/profile", delta=True)
    fgprof: ProfilingTarget = _target("fgprof", "/debug/fgprof", enabled=False, delta=True)
    godeltaprof_memory: ProfilingTarget = _target(
        "godeltaprof_memory", "/debug/pprof/delta_heap", enabled=False
    )
    godeltaprof_mutex: ProfilingTarget = _target(
        "godeltaprof_mutex", "/debug/pprof/delta_mutex", enabled=False
    )
    godeltaprof_block: ProfilingTarget = _target(
        "godeltaprof_block", "/debug/pprof/delta_block", enabled=False
    )
    custom: list[CustomProfilingTarget] = block(
        "profile.custom",
        default_factory=list,
        doc="A profile type of your own, named by the block's label (the `__name__` label); a "
        "label equal to a built-in type's name replaces that type.",
    )
    path_prefix: str = attr(
        default="", doc="Path put before the path of every profile type (`/v1` + `/debug/...`)."
    )

    def targets(self) -> dict[str, ProfilingTarget]:
        out: dict[str, ProfilingTarget] = {
            "memory": self.memory,
            "block": self.block_,
            "goroutine": self.goroutine,
            "mutex": self.mutex,
            "process_cpu": self.process_cpu,
            "fgprof": self.fgprof,
            "godeltaprof_memory": self.godeltaprof_memory,
            "godeltaprof_mutex": self.godeltaprof_mutex,
            "godeltaprof_block": self.godeltaprof_block,
        }
        for custom in self.custom:
            out[custom.name] = ProfilingTarget(custom.enabled, custom.path, custom.delta)
        return out


@dataclass
class Clustering:
    enabled: bool = attr(
        required=True,
        doc="Share the targets among the nodes of an Alloy cluster; alloylite runs as one node, "
        "so every target stays local.",
    )


@dataclass
class Arguments(HTTPClientArguments):
    targets: list[Target] = attr(
        required=True,
        doc="Targets to scrape; each needs `__address__` (`host:port`) and may set "
        "`__scheme__`, `__profile_path__`, `__param_<name>` and `service_name`.",
    )
    forward_to: list[Appendable] = attr(
        required=True, doc="Receivers the scraped profiles are forwarded to, one after another."
    )
    job_name: str = attr(
        default="",
        doc="`job` label of targets that have none; empty means no `job` label (Alloy's code; its "
        "docs say the component ID).",
    )
    params: dict[str, list[str]] = attr(
        default_factory=dict,
        doc="Query parameters of every scrape request; `seconds` is added for delta profiles.",
    )
    scrape_interval: timedelta = attr(
        default=timedelta(seconds=15),
        doc="How often each profile type of each target is scraped; at least `2s` when a delta "
        "profile type is enabled.",
    )
    scrape_timeout: timedelta = attr(
        default=timedelta(seconds=10),
        doc="Time limit of each scrape; a delta profile's request gets `scrape_interval` - 1s "
        "more (Alloy's code; its docs say `18s`).",
    )
    delta_profiling_duration: timedelta = attr(
        default=timedelta(seconds=14),
        doc="Span of a delta profile (the `seconds` query parameter); more than 1s and at least "
        "1s less than `scrape_interval`. Left at `14s`, `scrape_interval` - 1s is used.",
    )
    scheme: str = attr(
        default="http",
        doc="Scheme of the targets without a `__scheme__` label: `http` or `https`.",
    )
    profiling_config: ProfilingConfig = block(
        default_factory=ProfilingConfig,
        doc="Which profile types are scraped, and from which paths.",
    )
    clustering: Clustering | None = block(
        default=None, doc="Alloy's clustering of the targets among its nodes."
    )

    def validate(self) -> None:
        """Alloy's `Arguments.Validate`, first failure wins, in its order (§1.2)."""
        if self.scrape_timeout.total_seconds() <= 0:
            raise ValueError("scrape_timeout must be greater than 0")
        interval = self.scrape_interval.total_seconds()
        duration = self.delta_profiling_duration.total_seconds()
        for target in self.profiling_config.targets().values():
            if not (target.enabled and target.delta):
                continue
            if interval < 2:
                raise ValueError(
                    "scrape_interval must be at least 2 seconds when using delta profiling"
                )
            if duration <= 1:
                raise ValueError(
                    "delta_profiling_duration must be larger than 1 second when using "
                    "delta profiling"
                )
            if duration > interval - 1:
                raise ValueError(
                    "delta_profiling_duration must be at least 1 second smaller than "
                    "scrape_interval when using delta profiling"
                )
        self.validate_auth()
        self.validate_transport()

    def http_client(self) -> Endpoint:
        """The HTTP client settings as pyroscope.write's endpoint, whose client building
        (auth, TLS, proxy) they share. The URL is a placeholder: a scrape URL is per target."""
        shared = {f.name: getattr(self, f.name) for f in dataclasses.fields(HTTPClientArguments)}
        return Endpoint(url="http://scrape.invalid", **shared)
