"""Component registry: name -> Registration.

Built-in components register lazily: the registry knows which module defines
each name and imports it only when a config uses the name, so `validate`
does not pay for (or import) the HTTP stacks of components it never builds.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
from typing import Any

from alloylite.runtime.component import ComponentOptions, Registration, Stability

# name -> module exposing a module-level `REGISTRATION`.
BUILTIN_MODULES: dict[str, str] = {
    "pyroscope.write": "alloylite.components.pyroscope.write",
    "pyroscope.receive_http": "alloylite.components.pyroscope.receive_http",
}

# What `validate` needs of a built-in without importing its module (and, with
# it, its HTTP client): the stability level and the arguments class. A test
# checks these against the real registrations.
LIGHT_ENTRIES: dict[str, tuple[Stability, str, tuple[str, ...]]] = {
    "pyroscope.write": (
        Stability.GENERALLY_AVAILABLE,
        "alloylite.components.pyroscope.write_args:Arguments",
        ("receiver",),
    ),
    "pyroscope.receive_http": (
        Stability.PUBLIC_PREVIEW,
        "alloylite.components.pyroscope.receive_http_args:Arguments",
        (),
    ),
}

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class RegistryError(Exception):
    """A programming mistake in a registration (Alloy panics at init for these)."""


class Registry:
    def __init__(self, modules: dict[str, str] | None = None, *, light: bool = False) -> None:
        """`light=True` (validate) resolves built-ins through LIGHT_ENTRIES when it can."""
        self._modules = dict(BUILTIN_MODULES if modules is None else modules)
        self._loaded: dict[str, Registration] = {}
        self._light = light

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
        if self._light and name in LIGHT_ENTRIES:
            registration = _light_registration(name, module)
            self._loaded[name] = registration
            return registration
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


def _light_registration(name: str, module: str) -> Registration:
    stability, arguments, export_names = LIGHT_ENTRIES[name]
    args_module, _, attr_name = arguments.partition(":")
    args_type = getattr(importlib.import_module(args_module), attr_name)

    def build(options: ComponentOptions, args: Any) -> Any:
        real: Registration = importlib.import_module(module).REGISTRATION
        return real.build(options, args)

    exports = (
        dataclasses.make_dataclass("Exports", [(n, Any, None) for n in export_names])
        if export_names
        else None
    )
    return Registration(name, stability, args_type, build, exports)


def export_names(registration: Registration) -> frozenset[str]:
    """The fields a component exports (none when `exports` is None)."""
    if registration.exports is None:
        return frozenset()
    return frozenset(f.name for f in dataclasses.fields(registration.exports))


def default_registry(*, light: bool = False) -> Registry:
    return Registry(light=light)
