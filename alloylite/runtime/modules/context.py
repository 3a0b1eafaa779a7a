"""What kind of body the loader is linking, and what it can see (spec §7.2, §7.4).

Alloy's validator keeps two flags per body, `root` and `foreach`: a foreach at the root
is still "root" (so `logging` there is "not allowed in foreach") while anything inside a
declare is a module ("not allowed in module").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from alloylite.runtime.modules.namespace import Namespace

# Deeper nesting of declares, imports or instances is refused rather than recursed into.
MAX_DEPTH = 100


@dataclass(frozen=True)
class ModuleContext:
    in_module: bool = False
    in_foreach: bool = False
    namespace: Namespace = field(default_factory=Namespace)
    # Names a reference may start with besides this body's nodes: `argument` in a module,
    # the foreach `var` and the enclosing scope's node IDs in a template.
    names: frozenset[str] = frozenset()
    # validate, a foreach template: the node IDs of the bodies around it, which its
    # references may name too (Alloy's validator resolves them in the parent graph).
    parent_ids: frozenset[str] = frozenset()
    depth: int = 0
    # The files on the import chain that led here, to refuse import cycles.
    importing: tuple[str, ...] = ()

    @property
    def root(self) -> bool:
        return not self.in_module

    def disallowed(self, block_id: str) -> str | None:
        """Alloy's message for a root-only block (`logging`, services) in this body."""
        if self.in_module:
            return f"{block_id} not allowed in module"
        if self.in_foreach:
            return f"{block_id} not allowed in foreach"
        return None
