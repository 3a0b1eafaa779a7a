"""The validation core: every problem of a config, without starting anything.

Checks syntax, top-level structure, component names, the stability gate,
references, cycles and every component's arguments (expressions are
evaluated where they do not read another component's exports; they are pure,
so `sys.env` is fine). `alloylite validate` and `alloylite.validate()` both
call it, so the CLI and the API report the same diagnostics. Imports no HTTP
stack, so `validate` starts fast in CI.
"""

from __future__ import annotations

import os

from alloylite.runtime.component import Stability
from alloylite.runtime.diag_order import alloy_order
from alloylite.runtime.loader import LoadedConfig, NodeKind, RootNames, load, load_sources
from alloylite.runtime.registry import default_registry, export_names
from alloylite.syntax.ast import Pos
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
    """The checks after loading: every node's arguments, then alloylite's own checks
    (exports read by references; what `run` refuses: capsules of the wrong type,
    experimental settings), all in Alloy's order (runtime/diag_order.py)."""
    from alloylite.runtime.arguments import decode_node
    from alloylite.runtime.capsule_refs import capsule_errors
    from alloylite.runtime.catalogue.gates import gate_errors

    known = RootNames()
    component_ids = {nid for nid, n in config.nodes.items() if n.kind is not NodeKind.LOGGING}
    decoded: list[Diagnostic] = []
    for node_id in config.order:
        node = config.nodes[node_id]
        _, diags = decode_node(
            node,
            config.sources.get(node.filename, b""),
            None,
            unknown_ids=component_ids,
            known_names=known,
        )
        decoded.extend(diags)
        if node.children is not None:  # a declare's body, a foreach template: by position
            body = check_loaded(node.children, min_stability=min_stability).diagnostics
            decoded.extend(_sorted(body, list(config.sources)))
    extras = _sorted(
        [*_unknown_exports(config), *capsule_errors(config), *gate_errors(config, min_stability)],
        list(config.sources),
    )
    for module in config.imported:  # alloylite reads imports, Alloy's validate does not
        extras.extend(check_loaded(module, min_stability=min_stability).diagnostics)
    extras.extend(config.own)
    config.diagnostics[:] = alloy_order(config.files, config.diagnostics, decoded, extras)
    return config


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
            n = len(name.encode()) - 1
            end = Pos(start.offset + n, start.line, start.col + n)
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
