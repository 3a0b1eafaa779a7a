"""Component registry: name -> Registration.

Built-in components register lazily: the registry knows which package defines
each name and imports it only when a config uses the name. A component package's
`__init__` holds only its registration and argument schema, so `validate` never
imports the HTTP stack of a component it does not build.
"""

from __future__ import annotations

import dataclasses
import importlib
import re

from alloylite.runtime.component import Registration

# name -> module exposing a module-level `REGISTRATION`.
BUILTIN_MODULES: dict[str, str] = {
    "pyroscope.write": "alloylite.components.pyroscope.write",
    "pyroscope.receive_http": "alloylite.components.pyroscope.receive_http",
    "pyroscope.relabel": "alloylite.components.pyroscope.relabel",
    "discovery.relabel": "alloylite.components.discovery.relabel",
    "pyroscope.scrape": "alloylite.components.pyroscope.scrape",
}

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class RegistryError(Exception):
    """A programming mistake in a registration (Alloy panics at init for these)."""


class Registry:
    def __init__(self, modules: dict[str, str] | None = None) -> None:
        self._modules = dict(BUILTIN_MODULES if modules is None else modules)
        self._loaded: dict[str, Registration] = {}

    def register(self, registration: Registration) -> None:
        name = registration.name
        if not _NAME.match(name):
            raise RegistryError(f"invalid component name {name!r}")
        if name in self._loaded:
            raise RegistryError(f"component {name!r} already registered")
        depth = name.count(".")
        for other in (*self._loaded, *self._modules):
            if other != name and (other.startswith(name + ".") or name.startswith(other + ".")):
                raise RegistryError(f"component {name!r} conflicts with {other!r}")
            first = other.split(".")[0]
            if first == name.split(".")[0] and other.count(".") != depth and other != name:
                raise RegistryError(f"component {name!r} and {other!r} differ in depth")
        self._loaded[name] = registration

    def get(self, name: str) -> Registration | None:
        found = self._loaded.get(name)
        if found is not None:
            return found
        module = self._modules.get(name)
        if module is None:
            return None
        registration: Registration = importlib.import_module(module).REGISTRATION
        if registration.name != name:
            raise RegistryError(f"{module} registers {registration.name!r}, expected {name!r}")
        self._loaded[name] = registration
        return registration

    def names(self) -> list[str]:
        return sorted(set(self._modules) | set(self._loaded))

    def depth_of(self, first_fragment: str) -> int | None:
        """How many fragments component names starting with `first_fragment` have."""
        for name in self.names():
            parts = name.split(".")
            if parts[0] == first_fragment:
                return len(parts)
        return None


def export_names(registration: Registration) -> frozenset[str]:
    """The fields a component exports (none when `exports` is None)."""
    if registration.exports is None:
        return frozenset()
    return frozenset(f.name for f in dataclasses.fields(registration.exports))


def default_registry() -> Registry:
    return Registry()
