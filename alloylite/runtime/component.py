"""The contract between the runtime and a component.

A component is a declarative `Registration` plus a class with `run` and
`update`, the way Alloy's `component.Registration` and `component.Component`
are cut. The runtime decodes a block body into the registration's `arguments`
schema (see `alloylite.runtime.schema`), calls `build`, starts `run` as a task
and, on reload, calls `update` with the new arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

# Re-exported: a registration declares its level, so components import it with the rest.
from alloylite.stability import Stability

__all__ = ["Component", "ComponentOptions", "Registration", "Stability"]

if TYPE_CHECKING:  # `validate` uses registrations but never logs: no logging import
    import logging


@dataclass
class ComponentOptions:
    """What the runtime hands a component when it builds it."""

    id: str  # e.g. "pyroscope.write.backend"
    logger: logging.Logger | Any  # a logfmt-style logger bound to component=<id>
    # Called with the new exports (a dict of Alloy values) whenever they change;
    # the runtime re-evaluates every component that references them.
    on_state_change: Callable[[dict[str, Any]], None]
    # Prometheus registry the component registers its metrics in (prometheus_client).
    registry: Any = None
    data_path: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Component(Protocol):
    """A running component instance."""

    async def run(self) -> None:
        """Run until cancelled; cancellation means shut down cleanly."""

    async def update(self, arguments: Any) -> None:
        """Apply new arguments (a new instance of the registration's `arguments` type)."""


@dataclass(frozen=True)
class Registration:
    """A component type: `pyroscope.write` and everything the runtime needs to know of it."""

    name: str
    stability: Stability
    arguments: type  # a dataclass decorated with alloylite.runtime.schema fields
    build: Callable[[ComponentOptions, Any], Component]
    exports: type | None = None  # a dataclass of exported values, or None
    community: bool = False
