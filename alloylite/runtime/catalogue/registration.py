"""Registrations built from the catalogue: argument types made from data.

Each block of a component's schema becomes a `runtime.schema.DataSchema` class whose
fields are the same `FieldSpec`s the running components' dataclasses give, so
`runtime.schema.decode` checks both alike (unknown, missing, repeated, mistyped
fields; labeled and enum blocks). The JSON is read once, on the first name that no
package registers; a block's fields are made only when a config uses the block.
"""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

from alloylite.runtime.catalogue.types import annotation
from alloylite.runtime.component import ComponentOptions, Registration, Stability
from alloylite.runtime.schema import DataSchema, FieldSpec, data_field

# Compiled from Alloy's catalogue by tools/compile_catalogue.py (outside the package).
SCHEMAS = Path(__file__).resolve().parent / "schemas.json"


@cache
def schemas() -> dict[str, dict[str, Any]]:
    """Component name -> compact schema (tools/compile_catalogue.py's format)."""
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
        arguments=_Blocks(name, schema).schema_class(""),
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


class _Blocks:
    """One component's block schemas: a `DataSchema` class per block path, whose
    fields are made when the decoder first meets it (most configs use few blocks)."""

    def __init__(self, component: str, schema: dict[str, Any]) -> None:
        self.component = component
        self.blocks: dict[str, list[bool]] = schema["b"]
        self.attrs: dict[str, list[list[Any]]] = {"": schema["a"], **schema["ba"]}
        self.classes: dict[str, type[DataSchema]] = {}

    def schema_class(self, path: str) -> type[DataSchema]:
        found = self.classes.get(path)
        if found is not None:
            return found
        if path and self.blocks[path][3]:  # recursive: the enclosing block of the same name
            found = self.schema_class(_ancestor_like(path))
        else:
            owner = self

            class Block(DataSchema):
                __alloy_label__ = "label" if path and self.blocks[path][2] else None

                @classmethod
                def __alloy_fields__(cls) -> dict[str, FieldSpec]:
                    return owner.fields(path)

            Block.__name__ = Block.__qualname__ = _class_name(self.component, path)
            found = Block
        self.classes[path] = found
        return found

    def fields(self, path: str) -> dict[str, FieldSpec]:
        out = {
            name: data_field(name, "attr", required, annotation(type_name))
            for name, type_name, required in self.attrs.get(path, [])
        }
        prefix = f"{path} > " if path else ""
        for child, (required, repeatable, _, _) in self.blocks.items():
            leaf = child[len(prefix) :]
            if not child.startswith(prefix) or " > " in leaf:
                continue
            element = self.schema_class(child)
            tp = list[element] if repeatable else element  # type: ignore[valid-type]
            out[leaf] = data_field(
                leaf, "block", required, tp, element=element, repeated=repeatable
            )
        return out


def _ancestor_like(path: str) -> str:
    """The nearest enclosing path with the same block name as the recursive `path`."""
    parts = path.split(" > ")
    for end in range(len(parts) - 1, 0, -1):
        if parts[end - 1] == parts[-1]:
            return " > ".join(parts[:end])
    return " > ".join(parts[:-1])
