"""From a config path to a checked graph: read, parse, classify blocks, link, check.

The loader does everything that needs no running component: it is shared by
`validate` (which then decodes every component's arguments) and by the
controller (which evaluates them against live exports). Problems are
collected as `Diagnostic`s; nothing here raises for bad input.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any

from alloylite.runtime.component import Registration, Stability
from alloylite.runtime.graph import (
    Graph,
    Traversal,
    build_graph,
    cycles,
    resolve,
    self_references,
    topological_order,
    traversals_of_body,
)
from alloylite.runtime.registry import Registry
from alloylite.syntax import ast
from alloylite.syntax.diag import Diagnostic, Severity

LOGGING = "logging"
# Root-only blocks Alloy knows but alloylite does not implement.
_UNSUPPORTED_CONFIG = (
    "declare",
    "tracing",
    "import.file",
    "import.string",
    "import.http",
    "import.git",
    "http",
    "remotecfg",
    "livedebugging",
    "labelstore",
)
_UNCONFIGURABLE_SERVICES = ("cluster", "otel", "ui")


class NodeKind(Enum):
    COMPONENT = "component"
    LOGGING = "logging"


@dataclass
class Node:
    """One top-level block of the config: a component or a config block."""

    id: str
    kind: NodeKind
    block: ast.BlockStmt
    filename: str
    registration: Registration | None = None

    @property
    def name(self) -> str:
        return self.block.full_name


@dataclass
class LoadedConfig:
    nodes: dict[str, Node] = field(default_factory=dict)
    graph: Graph = field(default_factory=Graph)
    order: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, bytes] = field(default_factory=dict)
    # The parsed files: `validate` orders its diagnostics by their top-level blocks.
    files: dict[str, ast.File] = field(default_factory=dict)
    module_path: str = "."
    # Set when the path itself could not be read: Alloy reports that as a plain
    # command error (`Error: reading config path ...`), not as a diagnostic.
    read_error: str | None = None

    @property
    def ok(self) -> bool:
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)


class ConfigReadError(Exception):
    """The config path cannot be read (Alloy: `reading config path "P": ...`)."""


def read_sources(path: str) -> dict[str, bytes]:
    """The file, or every `*.alloy` file directly in the directory, sorted by name."""
    try:
        if os.path.isdir(path):
            names = sorted(
                n
                for n in os.listdir(path)
                if n.endswith(".alloy") and os.path.isfile(os.path.join(path, n))
            )
            out = {}
            for name in names:
                full = os.path.join(path, name)
                with open(full, "rb") as fh:
                    out[full] = fh.read()
            return out
        with open(path, "rb") as fh:
            return {path: fh.read()}
    except OSError as err:
        reason = err.strerror or str(err)
        raise ConfigReadError(f'reading config path "{path}": {reason.lower()}') from None


def module_path_of(path: str) -> str:
    return path if os.path.isdir(path) else (os.path.dirname(path) or ".")


def parse_sources(sources: dict[str, bytes]) -> tuple[dict[str, ast.File], list[Diagnostic]]:
    from alloylite.syntax.parser import parse_file

    files: dict[str, ast.File] = {}
    diags: list[Diagnostic] = []
    for filename, data in sources.items():
        result = parse_file(data, filename)
        diags.extend(result.diagnostics)
        if result.file is not None:  # None only with diagnostics, which stop the load
            files[filename] = result.file
    return files, diags


@cache
def stdlib_names() -> frozenset[str]:
    """The stdlib's top-level names, as eval.stdlib defines them; like the deprecated and
    experimental lists, read from the stdlib on first use only (see RootNames)."""
    from alloylite.eval.stdlib import STDLIB

    return frozenset(STDLIB)


@cache
def deprecated_names() -> frozenset[str]:
    from alloylite.eval.stdlib import DEPRECATED

    return frozenset(DEPRECATED)


class RootNames:
    """Names a reference may start with besides node IDs: `module_path` and the stdlib.

    The stdlib is imported only when a reference does not resolve to a node,
    so configs that only wire components together validate without it.
    """

    def __init__(self) -> None:
        self._names: frozenset[str] | None = None

    def __contains__(self, name: object) -> bool:
        if name == "module_path":
            return True
        if self._names is None:
            self._names = stdlib_names()
        return name in self._names


def stability_message(feature: str, level: Stability, minimum: Stability) -> str:
    return (
        f'{feature} is at stability level "{level.flag_value}", which is below the minimum '
        f'allowed stability level "{minimum.flag_value}". Use --stability.level command-line '
        f'flag to enable "{level.flag_value}" features'
    )


def community_message(name: str) -> str:
    return (
        f'the component "{name}" is a community component. Use the '
        "--feature.community-components.enabled command-line flag to enable community components"
    )


def load(
    path: str, registry: Registry, min_stability: Stability, *, validate_mode: bool
) -> LoadedConfig:
    try:
        sources = read_sources(path)
    except ConfigReadError as err:
        return LoadedConfig(diagnostics=[Diagnostic(Severity.ERROR, str(err))], read_error=str(err))
    return load_sources(
        sources, module_path_of(path), registry, min_stability, validate_mode=validate_mode
    )


def load_sources(
    sources: dict[str, bytes],
    module_path: str,
    registry: Registry,
    min_stability: Stability,
    *,
    validate_mode: bool,
) -> LoadedConfig:
    """Parse and link config texts already read (file name -> bytes)."""
    files, diags = parse_sources(sources)
    config = LoadedConfig(sources=sources, module_path=module_path, files=files)
    if diags:
        config.diagnostics = diags
        return config
    return link(files, config, registry, min_stability, validate_mode=validate_mode)


def _name_end(block: ast.BlockStmt) -> ast.Pos:
    n = len(block.full_name.encode()) - 1
    return ast.Pos(block.name_pos.offset + n, block.name_pos.line, block.name_pos.col + n)


def _label_end(block: ast.BlockStmt) -> ast.Pos:
    if block.label is None or block.label_pos is None:
        return _name_end(block)
    n = len(block.label.encode()) + 1  # the label between its two quotes
    return ast.Pos(block.label_pos.offset + n, block.label_pos.line, block.label_pos.col + n)


def link(
    files: dict[str, ast.File],
    config: LoadedConfig,
    registry: Registry,
    min_stability: Stability,
    *,
    validate_mode: bool,
) -> LoadedConfig:
    """Classify the top-level blocks of parsed files, then link and check the graph."""
    diags = config.diagnostics

    def error(msg: str, start: ast.Pos | None, end: ast.Pos | None, fname: str | None) -> None:
        diags.append(Diagnostic(Severity.ERROR, msg, start, end, fname if start else None))

    for filename, file in files.items():
        for stmt in file.body:
            if isinstance(stmt, ast.AttributeStmt):
                error(
                    f"unrecognized attribute {stmt.name.name}",
                    ast.start_pos(stmt),
                    ast.end_pos(stmt),
                    filename,
                )
                continue
            node = _classify(stmt, filename, registry, min_stability, error)
            if node is None:
                continue
            previous = config.nodes.get(node.id)
            if previous is not None:
                where = f"{previous.filename}:{previous.block.name_pos}"
                error(
                    f"block {node.id} already declared at {where}",
                    stmt.name_pos,
                    _label_end(stmt),
                    filename,
                )
                continue
            config.nodes[node.id] = node
    graph, unresolved = build_graph(
        {nid: n.block.body for nid, n in config.nodes.items()}, RootNames()
    )
    config.graph = graph
    for item in unresolved:
        node = config.nodes[item.node_id]
        error(
            f'component "{item.traversal.text}" does not exist or is out of scope',
            item.traversal.start,
            item.traversal.end,
            node.filename,
        )
    for node in config.nodes.values():
        for trav in traversals_of_body(node.block.body):
            diags.extend(_stdlib_use(trav, config, min_stability, node.filename))
    for node_id, _ in self_references(graph):
        node = config.nodes[node_id]
        if validate_mode:  # Alloy's validator spans the block's head, up to its `{`
            error("cannot reference self", node.block.name_pos, node.block.lcurly, node.filename)
        else:
            error(f"self reference: {node_id}", None, None, None)
    for members in cycles(graph):
        if validate_mode:
            text = ", ".join(members)
            for member in members:
                node = config.nodes[member]
                error(
                    f"cycle detected: {text}",
                    node.block.name_pos,
                    node.block.lcurly,
                    node.filename,
                )
        else:
            error(f"cycle: {', '.join(members)}", None, None, None)
    config.order = topological_order(graph)
    if not validate_mode:
        diags.extend(_not_runnable(config, registry))
    return config


def _not_runnable(config: LoadedConfig, registry: Registry) -> list[Diagnostic]:
    """`run` refuses, before anything starts, components alloylite only validates:
    one error per such block, each saying what it can run."""
    runs = ", ".join(registry.names())
    return [
        Diagnostic(
            Severity.ERROR,
            f'component "{node.name}" is valid Alloy but alloylite cannot run it '
            f"(alloylite runs {runs})",
            node.block.name_pos,
            _name_end(node.block),
            node.filename,
        )
        for node in config.nodes.values()
        if node.registration is not None and not node.registration.runs
    ]


SHADOWING_MESSAGE = "a component is shadowing an existing stdlib name"
DEPRECATED_MESSAGE = (
    "this stdlib function is deprecated; please refer to the documentation "
    "for updated usage and alternatives"
)


def _stdlib_use(
    trav: Traversal, config: LoadedConfig, min_stability: Stability, filename: str
) -> list[Diagnostic]:
    """Alloy's checks of one reference against the stdlib (its validator's order).

    A reference to a component whose first name is a stdlib name shadows it (warning);
    otherwise a deprecated top-level function (`env`) is a warning and an experimental
    one (`array.group_by`) an error below the experimental level. The warnings span from
    the first name to the start of the last, as Alloy's do (one caret for `env`).
    """
    start = trav.positions[0] if trav.positions else trav.start
    end = trav.positions[-1] if trav.positions else trav.start
    head = trav.names[0]
    if resolve(trav, config.nodes) is not None:
        if head in stdlib_names():
            return [Diagnostic(Severity.WARNING, SHADOWING_MESSAGE, start, end, filename)]
        return []
    if head in deprecated_names():
        return [Diagnostic(Severity.WARNING, DEPRECATED_MESSAGE, start, end, filename)]
    from alloylite.eval.stdlib import EXPERIMENTAL

    function = ".".join(trav.names[:2])
    if function in EXPERIMENTAL and min_stability > Stability.EXPERIMENTAL:
        message = stability_message(function, Stability.EXPERIMENTAL, min_stability)
        return [Diagnostic(Severity.ERROR, message, trav.start, trav.end, filename)]
    return []


def _classify(
    stmt: ast.BlockStmt, filename: str, registry: Registry, min_stability: Stability, error: Any
) -> Node | None:
    name = stmt.full_name
    head = (stmt.name_pos, _name_end(stmt), filename)
    if name == LOGGING:
        if stmt.label is not None:
            error(
                f'block "{name}" does not support specifying labels',
                stmt.name_pos,
                stmt.lcurly,
                filename,
            )
            return None
        return Node(LOGGING, NodeKind.LOGGING, stmt, filename)
    if name in ("argument", "export"):
        error(f"{name} blocks only allowed inside a module", *head)
        return None
    if name == "foreach":
        if min_stability > Stability.EXPERIMENTAL:
            error(
                stability_message('config block "foreach"', Stability.EXPERIMENTAL, min_stability),
                *head,
            )
        else:
            error('config block "foreach" is not supported by alloylite', *head)
        return None
    if name in _UNSUPPORTED_CONFIG:
        error(f'block "{name}" is not supported by alloylite', *head)
        return None
    if name in _UNCONFIGURABLE_SERVICES:
        error(f'service "{name}" does not support being configured', *head)
        return None
    registration = registry.get(name)
    if registration is None:
        error(f'cannot find the definition of component name "{name}"', *head)
        return None
    if not stmt.label:
        error(f'component "{name}" must have a label', *head)
        return None
    if registration.community and not registry.community_enabled:
        error(community_message(name), *head)
        return None
    if registration.stability < min_stability:
        # Kept as a node, so its references and arguments are still checked.
        error(
            stability_message(f'component "{name}"', registration.stability, min_stability), *head
        )
    return Node(f"{name}.{stmt.label}", NodeKind.COMPONENT, stmt, filename, registration)


def exports_scope(exports: dict[str, dict[str, Any]], module_path: str) -> dict[str, Any]:
    """The root scope: `module_path` plus every node's exports nested by ID fragments."""
    root: dict[str, Any] = {"module_path": module_path}
    for node_id, values in exports.items():
        *parents, last = node_id.split(".")
        target = root
        for part in parents:
            nxt = target.get(part)
            if not isinstance(nxt, dict):
                nxt = {}
                target[part] = nxt
            target = nxt
        target[last] = values
    return root
