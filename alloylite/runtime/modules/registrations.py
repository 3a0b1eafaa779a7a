"""Registrations for what runs inside modules: custom components, `argument`, `export`, `foreach`.

A custom component's arguments are the declare's `argument` blocks, all typed `any`
(Alloy's validator does the same); an optional one left unset arrives as `NOT_SET`, so
the `argument` node can apply its own `default`. Its exports are the `export` labels.
"""

from __future__ import annotations

import dataclasses
import keyword
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from alloylite.runtime.component import ComponentOptions, Registration, Stability
from alloylite.runtime.modules.blocks import NOT_SET, ArgumentBlock, ExportBlock, ForeachBlock
from alloylite.runtime.schema import attr
from alloylite.syntax import ast

if TYPE_CHECKING:
    from alloylite.runtime.loader import LoadedConfig
    from alloylite.runtime.modules.instance import CustomComponent, ForeachComponent

# The running side (asyncio) is imported when a module is built, never by `validate`.


def _argument(options: ComponentOptions, args: Any) -> Any:
    from alloylite.runtime.modules.instance import ArgumentComponent

    return ArgumentComponent(options, args)


def _export(options: ComponentOptions, args: Any) -> Any:
    from alloylite.runtime.modules.instance import ExportComponent

    return ExportComponent(options, args)


@dataclasses.dataclass
class ArgumentExports:
    value: Any = None


ARGUMENT = Registration(
    "argument", Stability.GENERALLY_AVAILABLE, ArgumentBlock, _argument, ArgumentExports
)
EXPORT = Registration("export", Stability.GENERALLY_AVAILABLE, ExportBlock, _export)


def _optional(block: ast.BlockStmt) -> bool:
    """Whether an `argument` block says `optional = true` (a literal, as Alloy's validator
    reads it: anything else counts as required)."""
    for stmt in block.body:
        if isinstance(stmt, ast.AttributeStmt) and stmt.name.name == "optional":
            value = stmt.value
            return isinstance(value, ast.LiteralExpr) and value.raw == "true"
    return False


def custom_registration(
    name: str, declare: ast.BlockStmt, load_body: Callable[[], LoadedConfig]
) -> Registration:
    arguments: list[tuple[str, Any, Any]] = []
    exports: list[tuple[str, Any, Any]] = []
    for stmt in declare.body:
        if not isinstance(stmt, ast.BlockStmt) or not stmt.label:
            continue
        if stmt.full_name == "argument":
            required = not _optional(stmt)
            spec = (
                attr(stmt.label, required=True) if required else attr(stmt.label, default=NOT_SET)
            )
            arguments.append((f"a{len(arguments)}", Any, spec))
        elif stmt.full_name == "export" and stmt.label.isidentifier():
            if not keyword.iskeyword(stmt.label):
                exports.append((stmt.label, Any, dataclasses.field(default=None)))
    args_type = dataclasses.make_dataclass(f"Arguments_{len(arguments)}", arguments)
    exports_type = dataclasses.make_dataclass(f"Exports_{len(exports)}", exports)

    def build(options: ComponentOptions, args: Any) -> CustomComponent:
        from alloylite.runtime.modules.instance import CustomComponent

        return CustomComponent(options, args, load_body)

    return Registration(
        name, Stability.GENERALLY_AVAILABLE, args_type, build, exports_type, body=load_body
    )


def foreach_registration(load_template: Callable[[str], LoadedConfig]) -> Registration:
    def build(options: ComponentOptions, args: Any) -> ForeachComponent:
        from alloylite.runtime.modules.instance import ForeachComponent

        return ForeachComponent(options, args, load_template)

    return Registration("foreach", Stability.EXPERIMENTAL, ForeachBlock, build, body=load_template)
