"""The validation core: every problem of a config, without starting anything.

Checks syntax, top-level structure, component names, the stability gate,
references, cycles and every component's arguments, as Alloy's validator does
(no function call evaluated); then alloylite's own checks, reported after
(`LoadedConfig.own`): calls evaluated where they read no component's exports
(they are pure, so `sys.env` is fine), exports read by references, imported
modules. `alloylite validate` and `alloylite.validate()` both
call it, so the CLI and the API report the same diagnostics. Imports no HTTP
stack, so `validate` starts fast in CI.
"""

from __future__ import annotations

import os

from alloylite.runtime.component import Stability
from alloylite.runtime.diag_order import alloy_order
from alloylite.runtime.loader import (
    LoadedConfig,
    NodeKind,
    RootNames,
    load,
    load_sources,
    text_end,
)
from alloylite.runtime.registry import default_registry, export_names
from alloylite.syntax.diag import Diagnostic, Severity


def check(path: str, min_stability: Stability, *, community: bool = False) -> LoadedConfig:
    """Load `path` in validate mode and decode every node's arguments into its diagnostics.

    `community` is `--feature.community-components.enabled`.
    """
    registry = default_registry(community_enabled=community)
    return check_loaded(
        load(path, registry, min_stability, validate_mode=True), min_stability=min_stability
    )


def check_text(
    text: bytes, filename: str, min_stability: Stability, *, community: bool = False
) -> LoadedConfig:
    """Like `check`, for config text that stands for the file `filename`."""
    module_path = os.path.dirname(filename) or "."
    sources = {filename: text}
    registry = default_registry(community_enabled=community)
    return check_loaded(
        load_sources(sources, module_path, registry, min_stability, validate_mode=True),
        min_stability=min_stability,
    )


def check_loaded(
    config: LoadedConfig, *, min_stability: Stability = Stability.GENERALLY_AVAILABLE
) -> LoadedConfig:
    """The checks after loading: every node's arguments as Alloy's validator checks them,
    in Alloy's order (runtime/diag_order.py), then alloylite's own checks (`config.own`)."""
    alloys, own = _check(config, min_stability)
    config.diagnostics[:] = alloys + own
    config.own[:] = own
    return config


def _check(
    config: LoadedConfig, min_stability: Stability
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(Alloy's diagnostics of one body, in Alloy's order; alloylite's own).

    Alloy's validator evaluates no function call: a value that calls one is not checked
    there; what evaluating it finds (`array.combine_maps([], [], [])`: `alloy run` refuses
    it) is alloylite's own, as are the blocks' rules and set environment values
    (arguments.validate_node), and what `run` refuses: exports a component does not have,
    capsules of the wrong type, experimental settings below the stability level.
    """
    from alloylite.runtime.arguments import validate_node
    from alloylite.runtime.capsule_refs import capsule_errors
    from alloylite.runtime.catalogue.gates import gate_errors

    known = RootNames()
    component_ids = {nid for nid, n in config.nodes.items() if n.kind is not NodeKind.LOGGING}
    decoded: list[Diagnostic] = []
    own: list[Diagnostic] = []
    for node_id in config.order:
        node = config.nodes[node_id]
        diags, extra = validate_node(
            node,
            config.sources.get(node.filename, b""),
            unknown_ids=component_ids,
            known_names=known,
        )
        (own if node.own else decoded).extend(diags)
        own.extend(extra)
        if node.children is not None:  # a declare's body, a foreach template: Alloy's order
            body, body_own = _check(node.children, min_stability)
            decoded.extend(body)
            own.extend(body_own)
    run_refusals = [*capsule_errors(config), *gate_errors(config, min_stability)]
    own = _sorted(own + _unknown_exports(config) + run_refusals, list(config.sources))
    for module in config.imported:  # alloylite reads imports, Alloy's validate does not
        module_alloys, module_own = _check(module, min_stability)
        own.extend(module_alloys + module_own)
    own.extend(config.own)
    return alloy_order(config.files, config.diagnostics, decoded, []), own


def _unknown_exports(config: LoadedConfig) -> list[Diagnostic]:
    """References to exports a component does not have (`pyroscope.write.a.recever`).

    At run time the evaluator finds these; validate does not evaluate
    references to components, so it checks the export name statically, with
    the evaluator's message and position.
    """
    out: list[Diagnostic] = []
    for node in config.nodes.values():
        for ref in config.graph.deps.get(node.id, []):
            target = config.nodes[ref.target]
            if target.registration is None:
                continue
            trav = ref.traversal
            depth = ref.target.count(".") + 1
            if len(trav.names) <= depth or len(trav.positions) <= depth:
                continue
            name = trav.names[depth]
            if name in export_names(target.registration):
                continue
            start = trav.positions[depth]
            end = text_end(start, name)
            out.append(
                Diagnostic(
                    Severity.ERROR, f'field "{name}" does not exist', start, end, node.filename
                )
            )
    return out


def _sorted(diags: list[Diagnostic], files: list[str]) -> list[Diagnostic]:
    def key(d: Diagnostic) -> tuple[int, int, int, int]:
        if d.start is None:
            return (1, 0, 0, 0)
        index = files.index(d.filename) if d.filename in files else len(files)
        return (0, index, d.start.line, d.start.col)

    return sorted(diags, key=key)
