"""The contract between the runtime and a component.

A component is a declarative `Registration` plus a class with `run` and
`update`, the way Alloy's `component.Registration` and `component.Component`
are cut. The runtime decodes a block body into the registration's `arguments`
schema (see `alloylite.runtime.schema`), calls `build`, starts `run` as a task
and, on reload, calls `update` with the new arguments.

A registration declares everything the rest of the project needs about its
component (the UI's counters, the reference docs' texts and type names, where
its metrics are defined), so adding a component touches only its own package.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

# Re-exported: a registration declares its level, so components import it with the rest.
from alloylite.stability import Stability

if TYPE_CHECKING:  # `validate` uses registrations but never logs nor serves metrics
    import logging

    from prometheus_client import CollectorRegistry

    from alloylite.runtime.live.channel import LiveChannel

__all__ = [
    "Component",
    "ComponentDocs",
    "ComponentLogger",
    "ComponentOptions",
    "CounterRule",
    "ExportDoc",
    "Registration",
    "Stability",
]

# What a component logs through: runtime/logging.py's logfmt adapter, or a plain logger.
ComponentLogger: TypeAlias = "logging.Logger | logging.LoggerAdapter[logging.Logger]"


def _no_live_channel() -> LiveChannel:
    """A channel that stays disabled (components built outside a controller, in tests)."""
    from alloylite.runtime.live.channel import LiveChannel
    from alloylite.runtime.live.hub import Limits

    return LiveChannel("", Limits())


@dataclass
class ComponentOptions:
    """What the runtime hands a component when it builds it."""

    id: str  # e.g. "pyroscope.write.backend"
    # A logfmt-style logger bound to component=<id> (runtime/logging.py's adapter).
    logger: ComponentLogger
    # Called with the new exports (a dict of Alloy values) whenever they change;
    # the runtime re-evaluates every component that references them.
    on_state_change: Callable[[dict[str, Any]], None]
    # The component's own metrics registry; the agent's /metrics collects it.
    registry: CollectorRegistry | None = None
    data_path: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # Live debugging (runtime/live/): publishing does nothing while it is disabled.
    live: LiveChannel = field(default_factory=_no_live_channel)


class Component(Protocol):
    """A running component instance."""

    async def run(self) -> None:
        """Run until cancelled; cancellation means shut down cleanly."""

    async def update(self, arguments: Any) -> None:
        """Apply new arguments (a new instance of the registration's `arguments` type)."""


@dataclass(frozen=True)
class CounterRule:
    """Which metric samples add up to one counter the UI shows for a component.

    `sample` is the exposition sample name; `labels` must all match; a
    `status_class` (e.g. "2") additionally filters on the first digit of the
    `status_code` label, and `negate` inverts that filter. `description` is the UI's
    tooltip: the same counter name means different things on different components
    (relabel's "dropped" are rule drops, write's are profiles lost after retries).
    """

    counter: str
    sample: str
    labels: tuple[tuple[str, tuple[str, ...]], ...] = ()
    status_class: str | None = None
    negate: bool = False
    description: str = field(default="", kw_only=True)

    @property
    def family(self) -> str:
        """The metric family the sample belongs to, as prometheus_client names it."""
        for suffix in ("_total", "_count"):
            if self.sample.endswith(suffix):
                return self.sample[: -len(suffix)]
        return self.sample

    def matches(self, name: str, labels: Mapping[str, str]) -> bool:
        if name != self.sample:
            return False
        if any(labels.get(key) not in allowed for key, allowed in self.labels):
            return False
        if self.status_class is not None:
            ok = labels.get("status_code", "").startswith(self.status_class)
            return ok != self.negate
        return True


@dataclass(frozen=True)
class ExportDoc:
    """The reference docs of one exported field: its Alloy type name and description."""

    type_name: str
    doc: str


@dataclass(frozen=True)
class ComponentDocs:
    """What the reference page needs beyond the `doc=` texts on the argument fields."""

    # Field path (`forward_to`) -> Alloy type name the annotation cannot tell.
    type_names: Mapping[str, str] = field(default_factory=dict, hash=False)
    # Field path -> text, where a block type shared by several paths is documented
    # differently at one of them (receive_http's ignored `grpc` > `tls`).
    overrides: Mapping[str, str] = field(default_factory=dict, hash=False)
    # Exported field name -> its docs; must name every field of `exports`.
    exports: Mapping[str, ExportDoc] = field(default_factory=dict, hash=False)
    # Registers the component's metrics in a fresh registry, as the component does
    # when it is built (imported lazily, so `validate` never loads prometheus_client).
    metrics: Callable[[CollectorRegistry], object] | None = None


@dataclass(frozen=True)
class Registration:
    """A component type: `pyroscope.write` and everything the runtime needs to know of it."""

    name: str
    stability: Stability
    arguments: type  # a dataclass decorated with alloylite.runtime.schema fields
    build: Callable[[ComponentOptions, Any], Component]
    exports: type | None = None  # a dataclass of exported values, or None
    community: bool = False
    # The counters the UI shows for an instance, read from its metrics registry.
    ui_counters: tuple[CounterRule, ...] = ()
    docs: ComponentDocs = field(default_factory=ComponentDocs)
    # False for the catalogue's registrations of Alloy components alloylite only
    # validates: `run` refuses a config that uses one, before building anything.
    runs: bool = True
    # A module's body as this load linked it (a declare's: `() -> LoadedConfig`, a foreach
    # template's: `var -> LoadedConfig`): a reload hands a running instance the new one.
    body: Callable[..., Any] | None = None
