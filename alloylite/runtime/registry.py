"""Component registry: name -> Registration.

Built-in components are found by convention, not by a table: the component
`a.b.c` is the package `alloylite.components.a.b.c`, whose `__init__` exposes a
module-level `REGISTRATION`. Adding a component therefore touches only its own
package. The registry imports a package only when a config uses its name, and
a package's `__init__` holds only its registration and argument schema, so
`validate` never imports the HTTP stack of a component it does not build.
`names()` finds the packages by walking the source tree without importing them.

Any other name Alloy has falls back to the component catalogue
(`runtime.catalogue`): a registration that validates like a real one but does
not run. Packages keep priority, so a component alloylite implements is always
its own.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import re
from functools import cache
from pathlib import Path

from alloylite.runtime.component import Registration

BUILTIN_PACKAGE = "alloylite.components"
_BUILTIN_ROOT = Path(__file__).resolve().parent.parent / "components"

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class RegistryError(Exception):
    """A programming mistake in a registration (Alloy panics at init for these)."""


def _defines_registration(init: Path) -> bool:
    """Whether a package `__init__` assigns a module-level `REGISTRATION` (read, not run)."""
    tree = ast.parse(init.read_text(encoding="utf-8"), str(init))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id == "REGISTRATION" for t in targets):
            return True
    return False


@cache
def builtin_modules(root: Path = _BUILTIN_ROOT, package: str = BUILTIN_PACKAGE) -> dict[str, str]:
    """Component name -> package, for every package under `root` that registers one."""
    found: dict[str, str] = {}
    for init in sorted(root.rglob("__init__.py")):
        parts = init.parent.relative_to(root).parts
        if parts and _defines_registration(init):
            name = ".".join(parts)
            found[name] = f"{package}.{name}"
    return found


class Registry:
    """Registrations by name: the built-ins (or `modules`, name -> package) plus registered ones."""

    def __init__(
        self,
        modules: dict[str, str] | None = None,
        *,
        catalogue: bool | None = None,
        community_enabled: bool = False,
    ) -> None:
        """`catalogue` (default: only when `modules` is the built-ins) enables the fallback;
        `community_enabled` is `--feature.community-components.enabled`."""
        self.community_enabled = community_enabled
        self._modules = dict(builtin_modules() if modules is None else modules)
        self._loaded: dict[str, Registration] = {}
        self._catalogue = modules is None if catalogue is None else catalogue

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
            return self._from_catalogue(name)
        registration: Registration = importlib.import_module(module).REGISTRATION
        if registration.name != name:
            raise RegistryError(f"{module} registers {registration.name!r}, expected {name!r}")
        self._loaded[name] = registration
        return registration

    def _from_catalogue(self, name: str) -> Registration | None:
        if not self._catalogue:
            return None
        from alloylite.runtime.catalogue.registration import catalogue_registration

        return catalogue_registration(name)

    def names(self) -> list[str]:
        """The components that run (packages and registered ones; not the catalogue)."""
        return sorted(set(self._modules) | {n for n, r in self._loaded.items() if r.runs})

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


def default_registry(*, community_enabled: bool = False) -> Registry:
    return Registry(community_enabled=community_enabled)
