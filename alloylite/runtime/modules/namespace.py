"""Which custom components a body can instantiate, and where each was defined.

Alloy looks a block name up in the custom components of the module first (its declares and
imports, then those of the modules it is nested in), then in the built-in registry, so a
declare or import label shadows built-ins (spec §7.2). An imported module is a namespace of
its own with no parent: its declares see only what that module declares and imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from alloylite.syntax import ast


@dataclass(frozen=True)
class Declare:
    """A `declare` block: the definition of a custom component."""

    block: ast.BlockStmt
    filename: str
    source: bytes
    namespace: Namespace  # where it was declared: what its body can see
    module_path: str


class Opaque:
    """A namespace validate cannot read (`import.http`, `import.git`, an unreadable file):
    any component name under it is accepted, unchecked (Alloy's validate does that for all)."""


OPAQUE = Opaque()


class Undeclared:
    """A name under an imported namespace that the module does not declare: the import
    shadows the built-ins of that namespace, so the name is unknown."""


UNDECLARED = Undeclared()


@dataclass(eq=False)
class Namespace:
    parent: Namespace | None = None
    declares: dict[str, Declare] = field(default_factory=dict)
    imports: dict[str, Namespace | Opaque] = field(default_factory=dict)
    # An imported module's: Alloy's validate reads no import, so what alloylite finds
    # through one (a custom component's arguments, an undeclared name) is its own check.
    imported: bool = False

    def through_import(self, name: str) -> bool:
        """Whether `name` is a component of a module this namespace imports and alloylite
        read (declared there or not)."""
        found = self.lookup(name)
        return isinstance(found, Undeclared) or (
            isinstance(found, Declare) and found.namespace.imported
        )

    def lookup(self, name: str) -> Declare | Opaque | Undeclared | None:
        """The custom component `name` names here, if any (`a`, or `ns.a` for an import)."""
        head, dot, rest = name.partition(".")
        scope: Namespace | None = self
        while scope is not None:
            found = scope.declares.get(name)
            if found is not None:
                return found
            imported = scope.imports.get(head) if dot else None
            if isinstance(imported, Opaque):
                return imported
            if imported is not None:
                # Only the imported module's own declares: nested imports stay private.
                return imported.declares.get(rest, UNDECLARED)
            scope = scope.parent
        return None
