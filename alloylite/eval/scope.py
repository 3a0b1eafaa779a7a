"""Name lookup for the evaluator: nested scopes, then the standard library.

The runtime fills a scope with component exports as nested objects keyed by
ID fragments (`pyroscope` -> `write` -> `backend` -> `{receiver = ...}`), so
`pyroscope.write.backend.receiver` is ordinary field access.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

_MISSING = object()


_STDLIB: dict[str, Any] | None = None


def _stdlib() -> dict[str, Any]:
    """The stdlib, imported on first use (its builtins import the evaluator)."""
    global _STDLIB
    if _STDLIB is None:
        from alloylite.eval.stdlib import STDLIB

        _STDLIB = STDLIB
    return _STDLIB


class Scope(Mapping[str, Any]):
    """Variables visible to an expression; the stdlib is consulted after every scope."""

    __slots__ = ("parent", "variables")

    def __init__(
        self, variables: Mapping[str, Any] | None = None, parent: Scope | None = None
    ) -> None:
        self.variables: dict[str, Any] = dict(variables or {})
        self.parent = parent

    def lookup(self, name: str) -> tuple[bool, Any]:
        """(found, value) for `name` in this scope chain, then the stdlib."""
        scope: Scope | None = self
        while scope is not None:
            value = scope.variables.get(name, _MISSING)
            if value is not _MISSING:
                return True, value
            scope = scope.parent
        value = _stdlib().get(name, _MISSING)
        if value is not _MISSING:
            return True, value
        return False, None

    def child(self, variables: Mapping[str, Any] | None = None) -> Scope:
        return Scope(variables, self)

    def __getitem__(self, name: str) -> Any:
        found, value = self.lookup(name)
        if not found:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        scope: Scope | None = self
        while scope is not None:
            for name in scope.variables:
                if name not in seen:
                    seen.add(name)
                    yield name
            scope = scope.parent

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __setitem__(self, name: str, value: Any) -> None:
        self.variables[name] = value
