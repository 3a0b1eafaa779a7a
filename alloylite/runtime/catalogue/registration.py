"""Registrations built from the catalogue: argument dataclasses made from data.

Each component's schema becomes dataclasses with `attr()`/`block()` fields, the same
model the running components declare by hand, so `runtime.schema.decode` checks both
alike (unknown, missing, repeated, mistyped fields; labeled and enum blocks). The
JSON is read once, on the first name that no package registers, and a component's
classes are made only when a config uses it.
"""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from typing import Any, NoReturn

from alloylite.runtime.catalogue.compile import SCHEMAS
from alloylite.runtime.catalogue.types import annotation
from alloylite.runtime.component import ComponentOptions, Registration, Stability
from alloylite.runtime.schema import attr, block, label


@cache
def schemas() -> dict[str, dict[str, Any]]:
    """Component name -> compact schema (compile.py's format)."""
    data: dict[str, dict[str, Any]] = json.loads(SCHEMAS.read_text(encoding="utf-8"))["components"]
    return data


def names() -> list[str]:
    return sorted(schemas())


def _cannot_build(options: ComponentOptions, arguments: Any) -> NoReturn:
    # The loader refuses these before building anything; reaching here is a bug.
    raise RuntimeError(f"{options.id}: alloylite cannot run this component")


@cache
def catalogue_registration(name: str) -> Registration | None:
    """The registration of a catalogue component, or None for a name Alloy does not have."""
    schema = schemas().get(name)
    if schema is None:
        return None
    level = schema["s"]
    return Registration(
        name=name,
        stability=Stability.parse(level) if level else Stability.GENERALLY_AVAILABLE,
        arguments=_Builder(name, schema).build(""),
        build=_cannot_build,
        exports=_exports_class(name, schema["e"]),
        community=schema["c"],
        runs=False,
    )


def _exports_class(name: str, rows: list[list[Any]]) -> type | None:
    if not rows:
        return None
    fields = [(export, annotation(t), dataclasses.field(default=None)) for export, t in rows]
    return dataclasses.make_dataclass(_class_name(name, "exports"), fields)


def _class_name(component: str, path: str) -> str:
    parts = [*component.split("."), *path.replace(">", " ").split()]
    return "_".join(p.replace(".", "_") for p in parts)


class _Builder:
    """Makes the dataclass of each block path of one component, children first."""

    def __init__(self, component: str, schema: dict[str, Any]) -> None:
        self.component = component
        self.blocks: dict[str, list[bool]] = schema["b"]
        self.attrs: dict[str, list[list[Any]]] = {"": schema["a"], **schema["ba"]}
        self.made: dict[str, type] = {}
        # (class, python field name, path of the recursive block) to patch at the end.
        self.recursive: list[tuple[type, str, str]] = []

    def build(self, path: str) -> type:
        cls = self._make(path)
        for owner, py_name, rec_path in self.recursive:
            target = self.made[_ancestor_like(rec_path, self.made)]
            tp = _block_annotation(target, *self.blocks[rec_path][:2])
            owner.__annotations__[py_name] = tp
        return cls

    def _children(self, path: str) -> list[str]:
        prefix = f"{path} > " if path else ""
        return [p for p in self.blocks if p.startswith(prefix) and " > " not in p[len(prefix) :]]

    def _make(self, path: str) -> type:
        fields: list[tuple[str, Any, Any]] = []
        for i, (name, type_name, required) in enumerate(self.attrs.get(path, [])):
            default: dict[str, Any] = {} if required else {"default": None}
            fields.append(
                (f"a{i}", annotation(type_name), attr(name, required=required, doc="", **default))
            )
        patch: list[tuple[str, str]] = []
        for i, child in enumerate(self._children(path)):
            required, repeatable, _, recursive = self.blocks[child]
            leaf = child.rsplit(" > ", 1)[-1]
            py_name = f"b{i}"
            if recursive:
                element: type = object
                patch.append((py_name, child))
            else:
                element = self._make(child)
            kwargs: dict[str, Any] = {}
            if repeatable:
                kwargs["default_factory"] = list
            elif not required:
                kwargs["default"] = None
            fields.append(
                (
                    py_name,
                    _block_annotation(element, required, repeatable),
                    block(leaf, required=required, **kwargs),
                )
            )
        if path and self.blocks[path][2]:
            fields.append(("label", str, label()))
        cls = dataclasses.make_dataclass(_class_name(self.component, path), fields)
        self.made[path] = cls
        self.recursive.extend((cls, py_name, child) for py_name, child in patch)
        return cls


def _block_annotation(element: type, required: bool, repeatable: bool) -> Any:
    if repeatable:
        return list[element]  # type: ignore[valid-type]
    return element if required else element | None


def _ancestor_like(path: str, made: dict[str, type]) -> str:
    """The nearest enclosing path with the same block name as the recursive `path`."""
    parts = path.split(" > ")
    for end in range(len(parts) - 1, 0, -1):
        if parts[end - 1] == parts[-1]:
            return " > ".join(parts[:end])
    return " > ".join(parts[:-1])
