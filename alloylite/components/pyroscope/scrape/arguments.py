"""The argument schema of `pyroscope.scrape` (spec alloy-profiling-components.md §1.1-§1.3).

Defaults are those of Alloy's code, not its docs: `scrape_timeout` is 10s and an unset
`job_name` means no `job` label. The HTTP client settings are Alloy's shared HTTP client
block; their blocks and checks are pyroscope.write's (`write/arguments.py`), not a copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from alloylite.components.pyroscope.write.arguments import (
    Authorization,
    BasicAuth,
    Endpoint,
    OAuth2,
    TLSConfig,
)
from alloylite.eval.values import Secret
from alloylite.runtime.schema import attr, block, label

# Profile types whose cumulative values Alloy turns into deltas itself (§1.6).
ALLOY_DELTA_TYPES = frozenset({"memory", "mutex", "block"})


@dataclass
class ProfilingTarget:
    """One built-in `profile.<type>` block; only the fields written replace the defaults."""

    enabled: bool = attr(default=True)
    path: str = attr(default="")
    delta: bool = attr(default=False)


@dataclass
class CustomProfilingTarget:
    """`profile.custom "<name>"`: the label is the profile type name (`__name__`)."""

    name: str = label()
    enabled: bool = attr(required=True)
    path: str = attr(required=True)
    delta: bool = attr(default=False)


def _target(kind: str, path: str, enabled: bool = True, delta: bool = False) -> Any:
    return block(
        f"profile.{kind}",
        default_factory=lambda: ProfilingTarget(enabled=enabled, path=path, delta=delta),
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
    custom: list[CustomProfilingTarget] = block("profile.custom", default_factory=list)
    path_prefix: str = attr(default="")

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
    enabled: bool = attr(required=True)


@dataclass
class Arguments:
    targets: list[dict[str, str]] = attr(required=True)
    forward_to: list[Any] = attr(required=True)
    job_name: str = attr(default="")
    params: dict[str, list[str]] = attr(default_factory=dict)
    scrape_interval: timedelta = attr(default=timedelta(seconds=15))
    scrape_timeout: timedelta = attr(default=timedelta(seconds=10))
    delta_profiling_duration: timedelta = attr(default=timedelta(seconds=14))
    scheme: str = attr(default="http")
    profiling_config: ProfilingConfig = block(default_factory=ProfilingConfig)
    clustering: Clustering | None = block(default=None)
    # Alloy's shared HTTP client block (squashed into the arguments).
    bearer_token: Secret | None = attr(default=None)
    bearer_token_file: str = attr(default="")
    basic_auth: BasicAuth | None = block(default=None)
    authorization: Authorization | None = block(default=None)
    oauth2: OAuth2 | None = block(default=None)
    tls_config: TLSConfig | None = block(default=None)
    proxy_url: str = attr(default="")
    no_proxy: str = attr(default="")
    proxy_from_environment: bool = attr(default=False)
    proxy_connect_header: dict[str, list[Secret]] = attr(default_factory=dict)
    follow_redirects: bool = attr(default=True)
    enable_http2: bool = attr(default=True)
    http_headers: dict[str, list[Secret]] = attr(default_factory=dict)

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
        self.http_client().validate()

    def http_client(self) -> Endpoint:
        """The HTTP client settings as pyroscope.write's endpoint, whose checks and client
        building (auth, TLS, proxy) they share. The URL is a placeholder: a scrape URL is
        per target."""
        return Endpoint(
            url="http://scrape.invalid",
            bearer_token=self.bearer_token,
            bearer_token_file=self.bearer_token_file,
            basic_auth=self.basic_auth,
            authorization=self.authorization,
            oauth2=self.oauth2,
            tls_config=self.tls_config,
            proxy_url=self.proxy_url,
            no_proxy=self.no_proxy,
            proxy_from_environment=self.proxy_from_environment,
            proxy_connect_header=self.proxy_connect_header,
            follow_redirects=self.follow_redirects,
            enable_http2=self.enable_http2,
            http_headers=self.http_headers,
        )
