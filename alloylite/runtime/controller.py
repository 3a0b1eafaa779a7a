"""The component controller: load, evaluate, run, reload and stop a graph.

Rules it keeps (alloy-syntax.md §4.3, anchors B4/B6):
- Nodes are evaluated in topological order (dependencies first). When a
  component's exports change, the components that reference it are
  re-evaluated and updated.
- Components start leaves first (writers before receivers) and stop roots
  first (receivers before writers), so nothing accepted is lost.
- A reload reuses components by ID: unchanged arguments are left alone,
  changed ones get `update`. Parse and graph errors keep the old graph;
  evaluation errors install the new graph and leave the failing components
  in their last good state, unhealthy. Either way the reload reports errors.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol, runtime_checkable

from alloylite.runtime import logging as alloy_logging
from alloylite.runtime.arguments import BUILD_FAILED, decode_node
from alloylite.runtime.component import Component, ComponentOptions, Stability
from alloylite.runtime.live.hub import LiveHub
from alloylite.runtime.loader import (
    LIVEDEBUGGING,
    LOGGING,
    LoadedConfig,
    Node,
    NodeKind,
    exports_scope,
    load,
)
from alloylite.runtime.modules.instance import CHILD_CONTROLLER, OUTER_SCOPE
from alloylite.runtime.registry import Registry
from alloylite.syntax.diag import Diagnostic, Severity


@runtime_checkable
class ModuleRunner(Protocol):
    """A custom component instance or a foreach: it runs a body of its own."""

    async def body_changed(self, body: Callable[..., Any]) -> None: ...

    async def enclosing_scope_changed(self) -> None: ...


class Health(Enum):
    UNKNOWN = "unknown"
    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"
    EXITED = "exited"


@dataclass
class ComponentState:
    """What the controller knows of one component node across reloads."""

    node: Node
    arguments: Any = None  # last good arguments
    exports: dict[str, Any] = field(default_factory=dict)
    instance: Component | None = None
    task: asyncio.Task[None] | None = None
    metrics: Any = None  # this component's prometheus CollectorRegistry
    body: Any = None  # a module's: the body loader its instance runs (Registration.body)
    health: Health = Health.UNKNOWN
    message: str = ""
    updated: float = field(default_factory=time.time)

    @property
    def id(self) -> str:
        return self.node.id

    def set_health(self, health: Health, message: str) -> None:
        self.health, self.message, self.updated = health, message, time.time()


class LoadFailed(Exception):
    """A load or reload reported errors; `diagnostics` says which."""

    def __init__(
        self,
        diagnostics: list[Diagnostic],
        sources: dict[str, bytes],
        read_error: str | None = None,
    ) -> None:
        self.diagnostics = diagnostics
        self.sources = sources
        self.read_error = read_error  # the path could not be read at all
        super().__init__("; ".join(str(d) for d in diagnostics if d.severity is Severity.ERROR))


def _new_metrics_registry() -> Any:
    from prometheus_client import CollectorRegistry

    return CollectorRegistry(auto_describe=True)


def _merged(base: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """`own` laid over `base`, nested dicts merged: a template's `pyroscope.relabel.x` and
    the enclosing `pyroscope.write.y` both stay visible under `pyroscope`."""
    out = dict(base)
    for key, value in own.items():
        below = out.get(key)
        if isinstance(below, dict) and isinstance(value, dict):
            value = _merged(below, value)
        out[key] = value
    return out


class Controller:
    def __init__(
        self,
        path: str,
        registry: Registry,
        min_stability: Stability,
        *,
        shutdown_deadline: float = 600.0,
        extra_options: dict[str, Any] | None = None,
        metrics_factory: Callable[[], Any] = _new_metrics_registry,
        load_config: Callable[[], LoadedConfig] | None = None,
        base_scope: Callable[[], dict[str, Any]] | None = None,
        parent: Controller | None = None,
        local_id: str = "",
    ) -> None:
        """`load_config` replaces reading `path` (tests hand in prebuilt configs).

        `base_scope` makes this the controller of a module body or a foreach template: what
        the body sees besides its own nodes (a foreach item, the enclosing scope). Such a
        controller leaves the process-wide logging to the root's `logging` block.

        A module's controller has a `parent` and a `local_id` there (the instance's node ID,
        plus `/foreach_<fingerprint>_<n>` for a foreach pipeline). Its `module_id` is Alloy's
        controller ID (`custom.default`, `foreach.x/foreach_a_1`; empty at the root), and its
        components' `component_path` is `/` + it. `modules` maps the ID of every running
        module to its controller: one map shared by the whole tree, for the API and /metrics.
        """
        self.path = path
        self.parent = parent
        self.owner = local_id.split("/", 1)[0]  # the parent's node that runs this module
        if parent is None:
            self.module_id = ""
            self.modules: dict[str, Controller] = {}
        else:
            self.module_id = f"{parent.module_id}/{local_id}" if parent.module_id else local_id
            self.modules = parent.modules
            self.modules[self.module_id] = self
        self._load_config = load_config or (
            lambda: load(path, registry, min_stability, validate_mode=False)
        )
        self.registry = registry
        self.min_stability = min_stability
        self.shutdown_deadline = shutdown_deadline
        self.extra_options = dict(extra_options or {})
        self._metrics_factory = metrics_factory
        self.components: dict[str, ComponentState] = {}
        self.config: LoadedConfig | None = None
        self.loaded_once = False
        self.last_load_ok = False
        self.load_failures = 0
        self.log = alloy_logging.get_logger()
        self._lock = asyncio.Lock()
        self._loading = False
        self._changed: asyncio.Queue[str] = asyncio.Queue()
        self._propagator: asyncio.Task[None] | None = None
        self._stopped = False
        self._loop: asyncio.AbstractEventLoop | None = None
        # Live debugging: off until a `livedebugging { enabled = true }` block says so.
        # (one hub for the whole tree: a module's components are reached by their global ID)
        self.live: LiveHub = LiveHub() if parent is None else parent.live
        self._base_scope = base_scope
        self._evaluating: tuple[dict[str, dict[str, Any]], LoadedConfig] | None = None

    # ------------------------------------------------------------ loading

    async def load(self) -> None:
        """Load or reload the config; raises LoadFailed with the diagnostics on any error."""
        self._loop = asyncio.get_running_loop()
        async with self._lock:
            try:
                await self._load_locked()
            except LoadFailed:
                self.last_load_ok = False
                self.load_failures += 1
                raise
            self.last_load_ok = True

    async def _load_locked(self) -> None:
        config = await asyncio.to_thread(self._load_config)
        if not config.ok:
            raise LoadFailed(config.diagnostics, config.sources, config.read_error)
        first = not self.loaded_once
        self._loading = True
        try:
            new_states, diags = await self._evaluate_all(config)
        finally:
            self._loading = False
            self._evaluating = None
        # Deprecated stdlib names and stdlib shadowing do not stop a load: Alloy logs them
        # (after the `logging` block is applied, so they use its level and format).
        for warning in config.diagnostics:
            if warning.severity is Severity.WARNING:
                self.log.warning(str(warning))
        if first and diags:
            await self._discard(new_states)
            raise LoadFailed(diags, config.sources)
        await self._install(config, new_states)
        self.loaded_once = True
        if self._propagator is None:
            self._propagator = asyncio.create_task(self._propagate_changes())
        if diags:
            raise LoadFailed(diags, config.sources)

    async def _evaluate_all(
        self, config: LoadedConfig
    ) -> tuple[dict[str, ComponentState], list[Diagnostic]]:
        """Evaluate every node in order; reused components are updated in place."""
        exports = {cid: st.exports for cid, st in self.components.items()}
        self._evaluating = (exports, config)
        states: dict[str, ComponentState] = {}
        diags: list[Diagnostic] = []
        failed: set[str] = set()
        if LOGGING not in config.nodes and self._base_scope is None:
            alloy_logging.apply("info", "logfmt")
        if LIVEDEBUGGING not in config.nodes and self.parent is None:
            self.live.set_enabled(False)
        for node_id in config.order:
            node = config.nodes[node_id]
            blocked = [
                r.target
                for r in config.graph.deps.get(node_id, [])
                if r.target in failed and r.target not in exports
            ]
            if blocked and node_id not in self.components:
                # Its dependency never produced exports: evaluating it would only
                # repeat that failure as a confusing reference error.
                failed.add(node_id)
                states[node_id] = ComponentState(node)
                states[node_id].set_health(
                    Health.UNHEALTHY, f"dependency {blocked[0]} failed to build"
                )
                continue
            source = config.sources.get(node.filename, b"")
            scope = self._scope(exports, config)
            args, problems = decode_node(node, source, scope)
            if node.kind is NodeKind.LOGGING:
                if problems:
                    diags.extend(problems)
                else:
                    alloy_logging.apply(args.level, args.format)
                continue
            if node.kind is NodeKind.CONFIG:  # declare, import.*, services: nothing to run
                diags.extend(problems)
                if node.id == LIVEDEBUGGING and not problems:
                    self.live.set_enabled(args.enabled)
                continue
            state = self.components.get(node_id)
            if state is None:
                state = ComponentState(node)
            else:
                state.node = node
            states[node_id] = state
            if problems:
                diags.extend(problems)
                state.set_health(Health.UNHEALTHY, problems[0].message)
                failed.add(node_id)
                continue
            problem = await self._apply_arguments(state, args)
            if problem is not None:
                diags.append(problem)
                failed.add(node_id)
            if state.instance is not None:
                exports[node_id] = state.exports
        return states, diags

    def _scope(self, exports: dict[str, dict[str, Any]], config: LoadedConfig) -> dict[str, Any]:
        own = exports_scope(exports, config.module_path)
        return own if self._base_scope is None else _merged(self._base_scope(), own)

    def _current_scope(self) -> dict[str, Any]:
        """The scope this body's nodes see now (what a foreach template inherits); while a
        load evaluates, the exports of the nodes evaluated so far."""
        if self._evaluating is not None:
            return self._scope(*self._evaluating)
        exports = {cid: st.exports for cid, st in self.components.items()}
        return self._scope(exports, self.config) if self.config is not None else {}

    def _child(
        self,
        load_config: Callable[[], LoadedConfig],
        base_scope: Callable[[], dict[str, Any]],
        extra: dict[str, Any],
        local_id: str,
    ) -> Controller:
        """The controller of a module instance's body or of one foreach pipeline."""
        return Controller(
            self.path,
            self.registry,
            self.min_stability,
            shutdown_deadline=self.shutdown_deadline,
            extra_options={**self.extra_options, **extra},
            metrics_factory=self._metrics_factory,
            load_config=load_config,
            base_scope=base_scope,
            parent=self,
            local_id=local_id,
        )

    @property
    def component_path(self) -> str:
        """Alloy's `component_path` label of this controller's components."""
        return "/" + self.module_id

    def global_id(self, cid: str) -> str:
        """Alloy's global ID of component `cid` of this controller (`<module ID>/<cid>`)."""
        return f"{self.module_id}/{cid}" if self.module_id else cid

    def module(self, module_id: str) -> Controller | None:
        """The controller of a running module by its ID; this one for `""` (the root)."""
        return self.modules.get(module_id) if module_id else self

    def find(self, global_id: str) -> tuple[Controller, ComponentState] | None:
        """The controller and state of a component by its global ID (Alloy's ParseID: the
        module ID is everything before the last `/`)."""
        module_id, _, cid = global_id.rpartition("/")
        ctl = self.module(module_id)
        state = ctl.components.get(cid) if ctl is not None else None
        return None if ctl is None or state is None else (ctl, state)

    def created_modules(self, cid: str) -> list[str]:
        """The IDs of the modules that component `cid` of this controller runs."""
        mine = self.modules.items()
        return sorted(mid for mid, ctl in mine if ctl.parent is self and ctl.owner == cid)

    async def _apply_arguments(self, state: ComponentState, args: Any) -> Diagnostic | None:
        node = state.node
        assert node.registration is not None
        if state.instance is None:
            state.metrics = state.metrics or self._metrics_factory()
            options = ComponentOptions(
                id=node.id,
                logger=alloy_logging.get_logger(
                    component_path=self.component_path, component_id=node.id
                ),
                on_state_change=self._on_state_change(state),
                registry=state.metrics,
                extra={
                    **self.extra_options,
                    CHILD_CONTROLLER: self._child,
                    OUTER_SCOPE: self._current_scope,
                },
                live=self.live.channel(self.global_id(node.id)),
            )
            try:
                instance = node.registration.build(options, args)
                initialize = getattr(instance, "initialize", None)
                if initialize is not None:  # a module: its body loads before it exports
                    await initialize()
                state.instance = instance
            except Exception as err:  # a component refusing its arguments is user input
                return self._component_error(state, f"building component: {err}")
        else:
            try:
                if args != state.arguments:
                    await state.instance.update(args)
                body = node.registration.body
                if isinstance(state.instance, ModuleRunner):
                    if body is not None and body is not state.body:
                        await state.instance.body_changed(body)  # a reload linked it anew
                    else:
                        # A foreach's template reads the enclosing scope, not its
                        # arguments: unchanged arguments may come with changed exports.
                        await state.instance.enclosing_scope_changed()
            except Exception as err:
                return self._component_error(state, f"updating component: {err}")
        state.body = node.registration.body
        state.arguments = args
        if state.health is not Health.EXITED:
            state.set_health(Health.HEALTHY, "started component")
        return None

    def _component_error(self, state: ComponentState, message: str) -> Diagnostic:
        block = state.node.block
        text = BUILD_FAILED + message
        state.set_health(Health.UNHEALTHY, text)
        return Diagnostic(Severity.ERROR, text, block.name_pos, block.rcurly, state.node.filename)

    def _on_state_change(self, state: ComponentState) -> Callable[[dict[str, Any]], None]:
        def changed(exports: dict[str, Any]) -> None:
            if exports == state.exports and state.exports:
                return
            state.exports = dict(exports)
            if self._loading or self._stopped or self._loop is None:
                return
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is self._loop:
                self._changed.put_nowait(state.id)
            else:  # a component thread: hand the change to the controller's loop
                self._loop.call_soon_threadsafe(self._changed.put_nowait, state.id)

        return changed

    async def _propagate_changes(self) -> None:
        """Re-evaluate the dependants of components whose exports changed."""
        while True:
            changed = await self._changed.get()
            async with self._lock:
                config = self.config
                if config is None or changed not in self.components:
                    continue
                for dependant in [n for n in config.order if n in config.graph.dependants(changed)]:
                    state = self.components.get(dependant)
                    if state is None:
                        continue
                    await self._reevaluate(config, state)

    async def _reevaluate(self, config: LoadedConfig, state: ComponentState) -> None:
        exports = {cid: st.exports for cid, st in self.components.items()}
        scope = self._scope(exports, config)
        source = config.sources.get(state.node.filename, b"")
        args, problems = decode_node(state.node, source, scope)
        if problems:
            state.set_health(Health.UNHEALTHY, problems[0].message)
            self.log.error(
                "failed to evaluate component",
                kv={"component_id": state.id, "err": problems[0].message},
            )
            return
        problem = await self._apply_arguments(state, args)
        if problem is not None:
            self.log.error(
                "failed to update component", kv={"component_id": state.id, "err": problem.message}
            )

    async def _install(self, config: LoadedConfig, states: dict[str, ComponentState]) -> None:
        """Stop what is gone (roots first), then start what is new (leaves first)."""
        old_order = self.config.order if self.config is not None else list(self.components)
        removed = [
            cid for cid in reversed(old_order) if cid in self.components and cid not in states
        ]
        for cid in removed:
            await self._stop_one(self.components[cid])
        self.components = {cid: states[cid] for cid in config.order if cid in states}
        self.config = config
        for cid in config.order:
            state = self.components.get(cid)
            if state is not None and state.instance is not None and state.task is None:
                state.task = asyncio.create_task(self._run_one(state), name=cid)
                await asyncio.sleep(0)  # let a writer start before its receivers

    async def _discard(self, states: dict[str, ComponentState]) -> None:
        """Drop what a failed first load built; the modules of those never run stop too."""
        never_ran = {cid for cid, state in states.items() if state.task is None}
        for cid in never_ran:
            states[cid].instance = None
        await self._stop_modules_of(never_ran)

    async def _run_one(self, state: ComponentState) -> None:
        assert state.instance is not None
        try:
            await state.instance.run()
        except asyncio.CancelledError:
            raise
        except Exception as err:
            state.set_health(Health.EXITED, f"component shut down with error: {err}")
            self.log.error(
                "component exited with error", kv={"component_id": state.id, "err": str(err)}
            )
        else:
            if not self._stopped:
                state.set_health(Health.EXITED, "component shut down normally")

    async def _stop_one(self, state: ComponentState) -> None:
        task, state.task = state.task, None
        if task is None:
            return
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=self.shutdown_deadline)
        if not done:
            self.log.warn(
                "component did not stop before the shutdown deadline", kv={"component_id": state.id}
            )
        state.set_health(Health.EXITED, "component shut down")

    async def reload(self, load_config: Callable[[], LoadedConfig]) -> None:
        """Load again from another source (a module body its parent linked anew)."""
        self._load_config = load_config
        await self.load()

    async def refresh(self) -> None:
        """Re-evaluate every component against the scope as it is now (a foreach pipeline
        whose enclosing body's exports changed)."""
        async with self._lock:
            config = self.config
            if config is None or self._stopped:
                return
            for cid in config.order:
                state = self.components.get(cid)
                if state is not None:
                    await self._reevaluate(config, state)

    # ------------------------------------------------------------ shutdown

    async def stop(self) -> None:
        """Stop every component, receivers (roots) first, writers last."""
        self._stopped = True
        if self.parent is None:  # end the live viewers' streams, or the server waits on them
            self.live.set_enabled(False)
        if self._propagator is not None:
            self._propagator.cancel()
            await asyncio.gather(self._propagator, return_exceptions=True)
            self._propagator = None
        order = self.config.order if self.config is not None else list(self.components)
        for cid in reversed(order):
            state = self.components.get(cid)
            if state is not None:
                await self._stop_one(state)
        await self._stop_modules_of(set(self.components))
        if self.modules.get(self.module_id) is self:
            del self.modules[self.module_id]
        if self.parent is not None:  # its channels' IDs (a foreach item's) may not come back
            self.live.forget(self.module_id)

    async def _stop_modules_of(self, owners: set[str]) -> None:
        """Stop the modules that components `owners` of this controller run (those their
        own `run` did not stop: an instance discarded before it ran)."""
        for child in [c for c in self.modules.values() if c.parent is self and c.owner in owners]:
            await child.stop()

    # ------------------------------------------------------------ views

    def unhealthy(self) -> list[str]:
        return [
            cid
            for cid, st in self.components.items()
            if st.health in (Health.UNHEALTHY, Health.EXITED) and not self._stopped
        ]

    def dependencies(self, cid: str) -> list[str]:
        if self.config is None:
            return []
        return sorted({r.target for r in self.config.graph.deps.get(cid, [])})

    def dependants(self, cid: str) -> list[str]:
        if self.config is None:
            return []
        return sorted(self.config.graph.dependants(cid))
