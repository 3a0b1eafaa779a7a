"""`pyroscope.enrich`: add the labels of a discovered target to the profiles that match it.

The registry imports this package also for `alloylite validate`, so it holds only the
registration and the argument schema; the behaviour lives in component.py.
Facts: spec alloy-profiling-components.md §4.3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alloylite.runtime.component import Component, ComponentOptions, Registration, Stability
from alloylite.runtime.schema import attr

__all__ = ["REGISTRATION", "Arguments", "Exports"]


@dataclass
class Arguments:
    targets: list[dict[str, str]] = attr(required=True)
    target_match_label: str = attr(required=True)
    # Empty means "use target_match_label" (Alloy resolves it at match time, as here).
    profiles_match_label: str = attr(default="")
    # Empty means "copy every label of the matched target".
    labels_to_copy: list[str] = attr(default_factory=list)
    forward_to: list[Any] = attr(required=True)


@dataclass
class Exports:
    receiver: Any = None


def _build(options: ComponentOptions, args: Any) -> Component:
    from alloylite.components.pyroscope.enrich.component import PyroscopeEnrich

    return PyroscopeEnrich(options, args)


REGISTRATION = Registration(
    name="pyroscope.enrich",
    stability=Stability.EXPERIMENTAL,
    arguments=Arguments,
    build=_build,
    exports=Exports,
)
