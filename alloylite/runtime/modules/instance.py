"""Running modules: a custom component instance and a foreach, each over a child controller.

Neither imports the controller (which imports the loader, which builds these): the
controller hands its factory of child controllers in `ComponentOptions.extra`
(`CHILD_CONTROLLER`). Inside a module, `argument` and `export` are small components:
an argument exports the value its instance was given (or its default), an export hands its
`value` to the instance, which re-exports it under its own ID, as Alloy's module nodes do.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from alloylite.runtime.component import ComponentOptions
from alloylite.runtime.modules.blocks import NOT_SET

if TYPE_CHECKING:
    from alloylite.runtime.loader import LoadedConfig

# Keys of ComponentOptions.extra.
CHILD_CONTROLLER = "alloylite.child_controller"
MODULE_IO = "alloylite.module_io"
OUTER_SCOPE = "alloylite.outer_scope"


class ChildController(Protocol):
    async def load(self) -> None: ...

    async def reload(self, load_config: Callable[[], LoadedConfig]) -> None: ...

    async def refresh(self) -> None: ...

    async def stop(self) -> None: ...


# (load_config, base_scope, extra options, local ID) -> a controller of the child body. The
# local ID is the module's ID below its parent (Alloy's): the instance's own ID, plus
# `/foreach_<fingerprint>_<n>` for a foreach pipeline.
ChildFactory = Callable[
    [Callable[[], "LoadedConfig"], Callable[[], dict[str, Any]], dict[str, Any], str],
    ChildController,
]


@dataclass
class ModuleIO:
    """What flows across a module's boundary: argument values in, export values out."""

    values: dict[str, Any]
    on_exports: Callable[[dict[str, Any]], None]
    exports: dict[str, Any] = field(default_factory=dict)
    arguments: list[ArgumentComponent] = field(default_factory=list)

    def export(self, name: str, value: Any) -> None:
        if self.exports.get(name, NOT_SET) == value and name in self.exports:
            return
        self.exports[name] = value
        self.on_exports(dict(self.exports))


class ArgumentComponent:
    """`argument "x"`: exports `value`, the instance's argument or the block's default."""

    def __init__(self, options: ComponentOptions, args: Any) -> None:
        self._name = options.id.split(".", 1)[1]
        self._io: ModuleIO = options.extra[MODULE_IO]
        self._io.arguments.append(self)
        self._options = options
        self._args = args
        self.publish()

    def publish(self) -> None:
        value = self._io.values.get(self._name, NOT_SET)
        self._options.on_state_change({"value": self._args.default if value is NOT_SET else value})

    async def run(self) -> None:
        await asyncio.Event().wait()

    async def update(self, arguments: Any) -> None:
        self._args = arguments
        self.publish()


class ExportComponent:
    """`export "x"`: hands `value` to the module instance, which exports it as `x`."""

    def __init__(self, options: ComponentOptions, args: Any) -> None:
        self._name = options.id.split(".", 1)[1]
        self._io: ModuleIO = options.extra[MODULE_IO]
        self._io.export(self._name, args.value)

    async def run(self) -> None:
        await asyncio.Event().wait()

    async def update(self, arguments: Any) -> None:
        self._io.export(self._name, arguments.value)


def provided_arguments(args: Any) -> dict[str, Any]:
    """The custom component's arguments that the instance set (Alloy names -> values)."""
    out: dict[str, Any] = {}
    for f in fields(args):
        value = getattr(args, f.name)
        if value is not NOT_SET:
            out[f.metadata["alloy"].name] = value
    return out


class CustomComponent:
    """An instance of a `declare`: its body runs in a child controller."""

    def __init__(
        self, options: ComponentOptions, args: Any, load_body: Callable[[], LoadedConfig]
    ) -> None:
        self._io = ModuleIO(provided_arguments(args), options.on_state_change)
        factory: ChildFactory = options.extra[CHILD_CONTROLLER]
        self._child = factory(load_body, dict, {MODULE_IO: self._io}, options.id)

    async def initialize(self) -> None:
        """Load the body, so the instance's exports exist before its dependants evaluate
        (a body that fails to load is stopped: nothing of it stays registered)."""
        try:
            await self._child.load()
        except BaseException:
            await self._child.stop()
            raise

    async def run(self) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            await self._child.stop()

    async def update(self, arguments: Any) -> None:
        self._io.values = provided_arguments(arguments)
        for argument in self._io.arguments:
            argument.publish()

    async def body_changed(self, load_body: Callable[[], LoadedConfig]) -> None:
        """A reload linked the declare again: the body reloads as a config does (its
        components reused by ID, changed ones updated)."""
        await self._child.reload(load_body)

    async def enclosing_scope_changed(self) -> None:
        """Nothing to do: a declare's body sees its arguments, not the enclosing scope."""


_NON_ALNUM = re.compile(r"[^A-Za-z0-9]")


def fingerprint(item: Any, id_field: str, hash_strings: bool) -> str:
    """A child pipeline's ID part for an item (spec §7.2: strings cleaned or hashed, numbers
    printed, anything else hashed)."""
    import hashlib  # only foreach needs it: validate never imports it

    if id_field and isinstance(item, dict) and id_field in item:
        item = item[id_field]
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, str):
        if hash_strings:
            return hashlib.sha256(item.encode()).hexdigest()
        return _NON_ALNUM.sub("_", item)
    if isinstance(item, int):
        return str(item)
    if isinstance(item, float):
        return f"{item:f}".replace(".", "_")
    return hashlib.sha256(repr(item).encode()).hexdigest()


class ForeachComponent:
    """`foreach`: one child pipeline per collection item, the item bound to `var`.

    Unchanged fingerprints keep their running children; the template sees the enclosing
    scope (read when a child evaluates) and nothing outside sees into it.
    """

    def __init__(
        self,
        options: ComponentOptions,
        args: Any,
        load_template: Callable[[str], LoadedConfig],
    ) -> None:
        self._options = options
        self._factory: ChildFactory = options.extra[CHILD_CONTROLLER]
        self._outer: Callable[[], dict[str, Any]] = options.extra.get(OUTER_SCOPE, dict)
        self._load_template = load_template
        self._args = args
        self._children: dict[str, tuple[Any, ChildController]] = {}
        self._lock = asyncio.Lock()

    def _wanted(self, args: Any) -> dict[str, Any]:
        wanted: dict[str, Any] = {}
        counts: dict[str, int] = {}
        for item in args.collection:
            key = fingerprint(item, args.id, args.hash_string_id)
            counts[key] = counts.get(key, 0) + 1
            wanted[f"foreach_{key}_{counts[key]}"] = item
        return wanted

    async def initialize(self) -> None:
        try:
            await self._sync(self._args)
        except BaseException:  # never runs: what it started must not outlive it
            await self._stop_children()
            raise

    async def _stop_children(self) -> None:
        for _, child in self._children.values():
            await child.stop()
        self._children.clear()

    async def _sync(self, args: Any) -> None:
        async with self._lock:
            wanted = self._wanted(args)
            for cid in [c for c in self._children if c not in wanted]:
                await self._children.pop(cid)[1].stop()
            for cid, item in wanted.items():
                known = self._children.get(cid)
                if known is not None and known[0] == item and self._args.var == args.var:
                    # kept, but the enclosing exports its template reads may have changed
                    await known[1].refresh()
                    continue
                if known is not None:
                    del self._children[cid]
                    await known[1].stop()
                var = args.var

                def scope(var: str = var, item: Any = item) -> dict[str, Any]:
                    return {**self._outer(), var: item}

                child = self._factory(
                    partial(self._load_template, var), scope, {}, f"{self._options.id}/{cid}"
                )
                try:
                    await child.load()
                except BaseException:
                    await child.stop()  # a pipeline that fails to load leaves nothing behind
                    raise
                self._children[cid] = (item, child)
            self._args = args

    async def run(self) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            await self._stop_children()

    async def update(self, arguments: Any) -> None:
        await self._sync(arguments)

    async def body_changed(self, load_template: Callable[[str], LoadedConfig]) -> None:
        """A reload linked the template again: every pipeline reloads with it."""
        async with self._lock:
            self._load_template = load_template
            for _, child in self._children.values():
                await child.reload(partial(load_template, self._args.var))

    async def enclosing_scope_changed(self) -> None:
        """The template reads the enclosing body's exports: re-evaluate every pipeline."""
        async with self._lock:
            for _, child in self._children.values():
                await child.refresh()
