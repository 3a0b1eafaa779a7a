"""From a config path to a checked graph: read, parse, classify blocks, link, check.

The loader does everything that needs no running component: it is shared by
`validate` (which then decodes every component's arguments) and by the
controller (which evaluates them against live exports). Problems are
collected as `Diagnostic`s; nothing here raises for bad input.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any

from alloylite.runtime.component import Registration, Stability
from alloylite.runtime.diag_order import COMPONENT_RANK, block_id, kind_rank
from alloylite.runtime.graph import (
    Graph,
    Reference,
    Traversal,
    build_graph,
    cycles,
    resolve,
    self_references,
    topological_order,
    traversals_of_body,
    traversals_of_expr,
)
from alloylite.runtime.modules.blocks import (
    CONFIG_BLOCKS,
    IMPORT_BLOCKS,
    SERVICE_BLOCKS,
    ForeachBlock,
)
from alloylite.runtime.modules.context import MAX_DEPTH, ModuleContext
from alloylite.runtime.modules.namespace import OPAQUE, Declare, Namespace, Opaque, Undeclared
from alloylite.runtime.modules.registrations import (
    ARGUMENT,
    EXPORT,
    custom_registration,
    foreach_registration,
)
from alloylite.runtime.registry import Registry
from alloylite.syntax import ast
from alloylite.syntax.diag import Diagnostic, Severity

LOGGING = "logging"
LIVEDEBUGGING = "livedebugging"
_UNCONFIGURABLE_SERVICES = ("cluster", "otel", "ui")
_ROOT_ONLY_CONFIGS = (LOGGING, "tracing")
_NOT_RUN = ("import.http", "import.git")


class NodeKind(Enum):
    COMPONENT = "component"  # built and run (custom components, foreach, argument, export too)
    LOGGING = "logging"
    CONFIG = "config"  # decoded, not run: declare, import.*, tracing, services


@dataclass
class Node:
    """One top-level block of the config: a component or a config block."""

    id: str
    kind: NodeKind
    block: ast.BlockStmt
    filename: str
    registration: Registration | None = None
    # The schema of a config block (None: nothing to decode, e.g. a declare).
    schema: type | None = None
    # The statements its arguments are decoded from (a foreach's, without its template).
    arguments_body: ast.Body | None = None
    # validate: the linked body of a declare or a foreach template, checked with the node.
    children: LoadedConfig | None = None
    # validate: whether Alloy's validator checks this block's arguments and references (not
    # for a component whose name it cannot use, or of a namespace it does not read).
    checked: bool = True
    # validate: a component of a module alloylite read through an import (Alloy's validate
    # reads none): what its arguments get wrong is alloylite's own diagnostic.
    own: bool = False

    @property
    def name(self) -> str:
        return self.block.full_name

    @property
    def body(self) -> ast.Body:
        return self.block.body if self.arguments_body is None else self.arguments_body


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
    # validate: the one warning about import.http/import.git is given once per config.
    warned_remote_import: bool = False
    # validate: the declare bodies of imported modules, checked with the config.
    imported: list[LoadedConfig] = field(default_factory=list)
    # validate: alloylite's own diagnostics (imports it could not read or fetch; after
    # check_loaded, all its checks beyond Alloy's), printed after every Alloy diagnostic
    # (docs/compatibility.md).
    own: list[Diagnostic] = field(default_factory=list)

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


def text_end(start: ast.Pos, text: str) -> ast.Pos:
    """The last byte of one-line `text` written at `start` (Alloy's `Pos.Add(len - 1)`)."""
    n = len(text.encode()) - 1
    return ast.Pos(start.offset + n, start.line, start.col + n)


def _name_end(block: ast.BlockStmt) -> ast.Pos:
    return text_end(block.name_pos, block.full_name)


def _id_end(block: ast.BlockStmt, node_id: str) -> ast.Pos:
    """Where Alloy's validator ends a block's span: its ID's length from the name
    (`declare.a` for `declare "a"`, two columns short of the closing quote)."""
    return text_end(block.name_pos, node_id)


def _label_end(block: ast.BlockStmt) -> ast.Pos:
    if block.label is None or block.label_pos is None:
        return _name_end(block)
    n = len(block.label.encode()) + 1  # the label between its two quotes
    return ast.Pos(block.label_pos.offset + n, block.label_pos.line, block.label_pos.col + n)


Error = Callable[[str, "ast.Pos | None", "ast.Pos | None", "str | None"], None]


def link(
    files: dict[str, ast.File],
    config: LoadedConfig,
    registry: Registry,
    min_stability: Stability,
    *,
    validate_mode: bool,
    module: ModuleContext | None = None,
) -> LoadedConfig:
    """Classify the top-level blocks of parsed files, then link and check the graph.

    `module` says which body this is (the root config by default): declares and imports
    are registered first, so a component may use a declare written after it.
    """
    ctx = module or ModuleContext()
    diags = config.diagnostics

    def error(msg: str, start: ast.Pos | None, end: ast.Pos | None, fname: str | None) -> None:
        diags.append(Diagnostic(Severity.ERROR, msg, start, end, fname if start else None))

    linker = _Linker(config, registry, min_stability, validate_mode, ctx, error)
    blocks: list[tuple[str, ast.BlockStmt]] = []
    for filename, file in files.items():
        for stmt in file.body:
            if isinstance(stmt, ast.AttributeStmt):
                error(
                    f"unrecognized attribute {stmt.name.name}",
                    ast.start_pos(stmt),
                    ast.end_pos(stmt),
                    filename,
                )
            else:
                blocks.append((filename, stmt))
    for filename, stmt in blocks:
        linker.register(stmt, filename)
    per_kind: dict[int, int] = {}
    for filename, stmt in blocks:
        kind = kind_rank(stmt)
        index = per_kind[kind] = per_kind.get(kind, -1) + 1
        previous = config.nodes.get(block_id(stmt))
        node = linker.classify(stmt, filename, previous)
        if node is None:
            continue
        if previous is not None:
            if not validate_mode:
                continue
            # Alloy's validator checks a duplicate too, under an ID nothing can reference
            # (its index among the blocks of its kind).
            node.id = f"{node.id}-{index}"
        config.nodes[node.id] = node
    for link_later in linker.after_nodes:  # what needs every node of this body
        link_later()
    scope_names = _ScopeNames(ctx.names)
    graph, unresolved = build_graph(
        {nid: _graph_body(n) for nid, n in config.nodes.items()}, scope_names
    )
    for node in config.nodes.values():
        if node.name == "foreach" and node.arguments_body is not None:
            graph.deps[node.id].extend(_template_references(node, config.nodes))
    config.graph = graph
    for item in unresolved:
        if resolve(item.traversal, ctx.parent_ids) is not None:
            continue  # a template's reference to a node of a body around it
        node = config.nodes[item.node_id]
        error(
            f'component "{item.traversal.text}" does not exist or is out of scope',
            item.traversal.start,
            item.traversal.end,
            node.filename,
        )
    for node in config.nodes.values():
        for trav in traversals_of_body(_graph_body(node)):
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


class _ScopeNames(RootNames):
    """RootNames plus the names a module body's context adds (`argument`, a foreach var)."""

    def __init__(self, extra: frozenset[str]) -> None:
        super().__init__()
        self._extra = extra

    def __contains__(self, name: object) -> bool:
        return name in self._extra or super().__contains__(name)


def _graph_body(node: Node) -> ast.Body:
    """What a node's references are read from: a declare's body is its own module."""
    if node.name == "declare" or not node.checked:
        return ()
    return node.body


def _template_references(node: Node, nodes: dict[str, Node]) -> list[Reference]:
    """A foreach template's references to the enclosing body's nodes: the foreach depends
    on them (so it is evaluated after them), unless the template defines the name itself."""
    template = next(
        (s for s in node.block.body if isinstance(s, ast.BlockStmt) and s.full_name == "template"),
        None,
    )
    if template is None:
        return []
    own = {
        f"{s.full_name}.{s.label}" if s.label else s.full_name
        for s in template.body
        if isinstance(s, ast.BlockStmt)
    }
    out = []
    for trav in traversals_of_body(template.body):
        if resolve(trav, own) is None:
            target = resolve(trav, nodes)
            if target is not None and target != node.id:
                out.append(Reference(target, trav))
    return out


def _not_runnable(config: LoadedConfig, registry: Registry) -> list[Diagnostic]:
    """`run` refuses, before anything starts, components alloylite only validates:
    one error per such block, each saying what it can run. That includes the blocks of
    the foreach templates and of the declares this body instantiates (their bodies are
    linked only when they run): the whole config is refused at once."""
    runs = ", ".join(registry.names())
    blocks = [
        (node.block, node.filename)
        for node in config.nodes.values()
        if node.registration is not None and not node.registration.runs
    ]
    # Nested bodies: walked in the source, declares by their label (the files of a folder
    # are one body). Declares read through an import are refused when an instance builds.
    declares: _Declares = {}
    for filename, file in config.files.items():
        declares = _declares_of(file.body, filename, declares)
    seen: set[int] = set()
    for node in config.nodes.values():
        if node.name == "foreach" or node.name in declares:
            blocks += _inside(node.block, node.filename, declares, registry, seen)
    blocks.sort(key=lambda b: (b[1], b[0].name_pos.line, b[0].name_pos.col))
    return [
        Diagnostic(
            Severity.ERROR,
            f'component "{block.full_name}" is valid Alloy but alloylite cannot run it '
            f"(alloylite runs {runs})",
            block.name_pos,
            _name_end(block),
            filename,
        )
        for block, filename in blocks
    ]


# A declare's label -> (its block, its file).
_Declares = dict[str, tuple[ast.BlockStmt, str]]


def _declares_of(body: ast.Body, filename: str, outer: _Declares) -> _Declares:
    """The declares a body sees: its own over those of the bodies around it."""
    own = {
        s.label: (s, filename)
        for s in body
        if isinstance(s, ast.BlockStmt) and s.full_name == "declare" and s.label
    }
    return {**outer, **own}


def _inside(
    block: ast.BlockStmt,
    filename: str,
    declares: _Declares,
    registry: Registry,
    seen: set[int],
) -> list[tuple[ast.BlockStmt, str]]:
    """The blocks alloylite cannot run in what a foreach or a custom component instance
    runs (a foreach's template, a declare's body), nested ones too; each declare once.
    A stack, not recursion: a chain of 1,000 declares is valid input."""
    found: list[tuple[ast.BlockStmt, str]] = []
    stack = [(block, filename, declares)]
    while stack:
        runner, where, visible = stack.pop()
        if runner.full_name == "foreach":
            template = next(
                (
                    s
                    for s in runner.body
                    if isinstance(s, ast.BlockStmt) and s.full_name == "template"
                ),
                None,
            )
            body = template.body if template is not None else ()
        else:
            declare, where = visible[runner.full_name]
            if id(declare) in seen:
                continue
            seen.add(id(declare))
            body = declare.body
        inner = _declares_of(body, where, visible)
        for stmt in body:
            if not isinstance(stmt, ast.BlockStmt) or stmt.full_name == "declare":
                continue
            name = stmt.full_name
            if name == "foreach" or name in inner:
                stack.append((stmt, where, inner))
            elif "." in name:
                registration = registry.get(name)
                if registration is not None and not registration.runs:
                    found.append((stmt, where))
    return found


SHADOWING_MESSAGE = "a component is shadowing an existing stdlib name"
DEPRECATED_MESSAGE = (
    "this stdlib function is deprecated; please refer to the documentation "
    "for updated usage and alternatives"
)


def _stdlib_use(
    trav: Traversal, config: LoadedConfig, min_stability: Stability, filename: str
) -> list[Diagnostic]:
    """Alloy's checks of one reference against the stdlib (its validator's order).

    A reference to a component whose first name is a stdlib name shadows it (warning on
    that first name); otherwise a deprecated top-level function (`env`) is a warning and
    an experimental one (`array.group_by`) an error below the experimental level, both
    spanning the whole chain (a call ends the chain: `env` of `env("X")`).
    """
    head = trav.names[0]
    if resolve(trav, config.nodes) is not None:
        if head in stdlib_names():
            first = text_end(trav.start, head)
            return [Diagnostic(Severity.WARNING, SHADOWING_MESSAGE, trav.start, first, filename)]
        return []
    if head in deprecated_names():
        return [Diagnostic(Severity.WARNING, DEPRECATED_MESSAGE, trav.start, trav.end, filename)]
    from alloylite.eval.stdlib import EXPERIMENTAL

    function = ".".join(trav.names[:2])
    if function in EXPERIMENTAL and min_stability > Stability.EXPERIMENTAL:
        message = stability_message(function, Stability.EXPERIMENTAL, min_stability)
        return [Diagnostic(Severity.ERROR, message, trav.start, trav.end, filename)]
    return []


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


IMPORT_NOT_READ = (
    "validate does not fetch import.http or import.git modules: the components used "
    "through them are not checked"
)


class _Linker:
    """Turns the top-level blocks of one body into nodes, Alloy's way for each kind of block."""

    def __init__(
        self,
        config: LoadedConfig,
        registry: Registry,
        min_stability: Stability,
        validate_mode: bool,
        ctx: ModuleContext,
        error: Error,
    ) -> None:
        self.config, self.registry, self.min_stability = config, registry, min_stability
        self.validate_mode, self.ctx, self.error = validate_mode, ctx, error
        self._customs: dict[int, Registration] = {}
        # Run once every block of the body is a node (validate's foreach templates).
        self.after_nodes: list[Callable[[], None]] = []

    def own_error(self, msg: str, start: ast.Pos | None, end: ast.Pos | None, fname: str) -> None:
        """An error in what alloylite reads but Alloy's validate does not (an import): in
        validate, alloylite's own diagnostic, printed after Alloy's; at run, an error."""
        if self.validate_mode:
            self.config.own.append(Diagnostic(Severity.ERROR, msg, start, end, fname))
        else:
            self.error(msg, start, end, fname)

    # ---------------------------------------------------------------- pass 1

    def register(self, stmt: ast.BlockStmt, filename: str) -> None:
        """Declares and imports become custom components of this body's namespace."""
        name, label = stmt.full_name, stmt.label
        if not label:
            return
        namespace = self.ctx.namespace
        if name == "declare" and label not in namespace.declares:
            source = self.config.sources.get(filename, b"")
            namespace.declares[label] = Declare(
                stmt, filename, source, namespace, self.config.module_path
            )
        elif name in IMPORT_BLOCKS and label not in namespace.imports:
            namespace.imports[label] = self._import(stmt, filename)

    def _import(self, stmt: ast.BlockStmt, filename: str) -> Namespace | Opaque:
        name = stmt.full_name
        if name in _NOT_RUN:
            if self.validate_mode and not self.config.warned_remote_import:
                self.config.warned_remote_import = True
                self.config.own.append(
                    Diagnostic(
                        Severity.WARNING, IMPORT_NOT_READ, stmt.name_pos, _name_end(stmt), filename
                    )
                )
            return OPAQUE
        field_name = "filename" if name == "import.file" else "content"
        value = _literal_attribute(stmt, field_name, self.config.module_path)
        if not isinstance(value, str):
            return OPAQUE  # not known before run time: accepted, unchecked
        if name == "import.string":
            label = f"{filename}#import.string.{stmt.label}"
            return self._module({label: value.encode()}, self.config.module_path, stmt, filename)
        key = os.path.realpath(value)
        if key in self.ctx.importing:
            chain = " -> ".join([*self.ctx.importing, key])
            self.own_error(f"import cycle: {chain}", stmt.name_pos, _label_end(stmt), filename)
            return OPAQUE
        try:
            sources = read_sources(value)
        except ConfigReadError as err:
            message = f"{name} {stmt.label!r}: {err}".replace("reading config path", "reading")
            if self.validate_mode:  # alloylite reads imports; Alloy's validate reads none
                self.config.own.append(
                    Diagnostic(
                        Severity.WARNING,
                        f"{message}; the components used through it are not checked",
                        stmt.name_pos,
                        _label_end(stmt),
                        filename,
                    )
                )
            else:
                self.error(message, stmt.name_pos, _label_end(stmt), filename)
            return OPAQUE
        return self._module(sources, module_path_of(value), stmt, filename, key)

    def _module(
        self,
        sources: dict[str, bytes],
        module_path: str,
        stmt: ast.BlockStmt,
        filename: str,
        key: str | None = None,
    ) -> Namespace | Opaque:
        """An imported module: only declares and imports at its top level (spec §7.2)."""
        if self.ctx.depth >= MAX_DEPTH:
            self._too_deep(stmt, filename)
            return OPAQUE
        files, diags = parse_sources(sources)
        self.config.sources.update(sources)
        (self.config.own if self.validate_mode else self.config.diagnostics).extend(diags)
        if diags:
            return OPAQUE
        origin = key or filename
        for file in files.values():
            for top in file.body:
                what = top.full_name if isinstance(top, ast.BlockStmt) else top.name.name
                if what != "declare" and what not in IMPORT_BLOCKS:
                    self.own_error(
                        f'imported content from "{origin}" is invalid: only declare and '
                        f"import blocks are allowed in a module, got {what}",
                        stmt.name_pos,
                        _label_end(stmt),
                        filename,
                    )
                    return OPAQUE
        namespace = Namespace(imported=True)
        child = LoadedConfig(sources=self.config.sources, module_path=module_path)
        child.warned_remote_import = self.config.warned_remote_import
        importing = (*self.ctx.importing, key) if key else self.ctx.importing
        link(
            files,
            child,
            self.registry,
            self.min_stability,
            validate_mode=self.validate_mode,
            module=ModuleContext(
                in_module=True, namespace=namespace, depth=self.ctx.depth + 1, importing=importing
            ),
        )
        self.config.warned_remote_import = child.warned_remote_import
        self.config.own.extend(child.own)  # the root prints them, after Alloy's diagnostics
        child.own.clear()
        # Alloy's validate reads no import: what alloylite finds inside one is its own.
        found = [d for d in child.diagnostics if d not in diags]
        (self.config.own if self.validate_mode else self.config.diagnostics).extend(found)
        if self.validate_mode:
            for node in child.nodes.values():
                if node.children is not None:
                    self.config.imported.append(node.children)
        return namespace

    # ---------------------------------------------------------------- pass 2

    def classify(
        self, stmt: ast.BlockStmt, filename: str, previous: Node | None = None
    ) -> Node | None:
        """The node of one block, its own problems reported in Alloy's order for its kind.

        `previous` is the node already holding this block's ID (a duplicate). Where
        Alloy's validator still checks a block that has such a problem (a duplicate, a
        missing label, a block out of place), validate keeps its node so that its
        arguments and body are checked too; `run` drops it, nothing runs anyway.
        """
        name = stmt.full_name
        head = (stmt.name_pos, _name_end(stmt), filename)
        whole = (ast.start_pos(stmt), ast.end_pos(stmt), filename)
        node_id = block_id(stmt)
        if name == "declare":
            return self._declare(stmt, filename, previous)
        if name == "foreach":
            return self._foreach(stmt, filename, previous)
        if kind_rank(stmt) == COMPONENT_RANK:
            return self._component(stmt, filename, previous)
        self._duplicate(stmt, filename, previous)  # configs and services: first
        if name in ("argument", "export"):
            registration = ARGUMENT if name == "argument" else EXPORT
            node = Node(node_id, NodeKind.COMPONENT, stmt, filename, registration)
            placed = not self.ctx.root
            if not placed:
                self.error(f"{name} blocks only allowed inside a module", *whole)
            return self._kept(node, self._labeled(stmt, filename) and placed)
        if name in _ROOT_ONLY_CONFIGS:
            if stmt.label is not None:
                self.error(
                    f'block "{name}" does not support specifying labels',
                    stmt.name_pos,
                    stmt.lcurly,
                    filename,
                )
                return None
            kind = NodeKind.LOGGING if name == LOGGING else NodeKind.CONFIG
            node = Node(name, kind, stmt, filename, schema=CONFIG_BLOCKS.get(name))
            return self._placed(node)
        if name in IMPORT_BLOCKS:
            node = Node(node_id, NodeKind.CONFIG, stmt, filename, schema=CONFIG_BLOCKS[name])
            if not self._labeled(stmt, filename):
                return self._kept(node, False)
            if name in _NOT_RUN and not self.validate_mode:
                self.error(f'block "{name}" is valid Alloy but alloylite cannot run it', *head)
            return node
        if name in SERVICE_BLOCKS:
            node = Node(name, NodeKind.CONFIG, stmt, filename, schema=SERVICE_BLOCKS[name])
            return self._placed(node)
        self.error(f'service "{name}" does not support being configured', *whole)
        return self._kept(Node(name, NodeKind.CONFIG, stmt, filename), False)

    def _kept(self, node: Node, ok: bool) -> Node | None:
        """The node of a block that has a problem (`ok` false): validate still checks it."""
        return node if ok or self.validate_mode else None

    def _labeled(self, stmt: ast.BlockStmt, filename: str) -> bool:
        if stmt.label:
            return True
        name = stmt.full_name
        self.error(f"{name} block must have a label", stmt.name_pos, _name_end(stmt), filename)
        return False

    def _duplicate(self, stmt: ast.BlockStmt, filename: str, previous: Node | None) -> None:
        if previous is not None:
            where = f"{previous.filename}:{previous.block.name_pos}"
            node_id = block_id(stmt)
            message = f"block {node_id} already declared at {where}"
            self.error(message, stmt.name_pos, _id_end(stmt, node_id), filename)

    def _placed(self, node: Node) -> Node | None:
        message = self.ctx.disallowed(node.id)
        if message is not None:
            block = node.block
            self.error(message, block.name_pos, _name_end(block), node.filename)
            return self._kept(node, False)
        return node

    def _too_deep(self, stmt: ast.BlockStmt, filename: str) -> None:
        self.error(
            f"modules nested more than {MAX_DEPTH} levels deep are not supported",
            stmt.name_pos,
            _label_end(stmt),
            filename,
        )

    def _declare(self, stmt: ast.BlockStmt, filename: str, previous: Node | None) -> Node | None:
        labeled = self._labeled(stmt, filename)
        self._duplicate(stmt, filename, previous)
        if stmt.label == "declare" and not self.validate_mode:
            self.error(
                "'declare' is not a valid label for a declare block",
                stmt.name_pos,
                _label_end(stmt),
                filename,
            )
            return None
        node = Node(block_id(stmt), NodeKind.CONFIG, stmt, filename)
        if not labeled and not self.validate_mode:
            return None
        if self.validate_mode:  # its body is checked, even unlabeled or a duplicate
            if self.ctx.depth >= MAX_DEPTH:
                self._too_deep(stmt, filename)
                return node
            declare = self.ctx.namespace.declares.get(stmt.label or "")
            namespace = Namespace(parent=declare.namespace if declare else self.ctx.namespace)
            node.children = self._body(
                stmt.body,
                filename,
                self.config.module_path,
                in_module=True,
                namespace=namespace,
                names=frozenset({"argument"}),
            )
        return node

    def _body(
        self,
        body: ast.Body,
        filename: str,
        module_path: str,
        *,
        in_module: bool,
        namespace: Namespace,
        names: frozenset[str],
        in_foreach: bool = False,
        parent_ids: frozenset[str] = frozenset(),
    ) -> LoadedConfig:
        """Link a nested body (a declare's, a foreach template) in its own context."""
        file = ast.File(filename, body, ())
        child = LoadedConfig(
            sources=self.config.sources, module_path=module_path, files={filename: file}
        )
        child.warned_remote_import = self.config.warned_remote_import
        ctx = ModuleContext(
            in_module=in_module,
            in_foreach=in_foreach,
            namespace=namespace,
            names=names,
            parent_ids=parent_ids,
            depth=self.ctx.depth + 1,
            importing=self.ctx.importing,
        )
        link(
            {filename: file},
            child,
            self.registry,
            self.min_stability,
            validate_mode=self.validate_mode,
            module=ctx,
        )
        self.config.warned_remote_import = child.warned_remote_import
        self.config.own.extend(child.own)  # the root prints them, after Alloy's diagnostics
        child.own.clear()
        return child

    def _foreach(self, stmt: ast.BlockStmt, filename: str, previous: Node | None) -> Node | None:
        head = (stmt.name_pos, _name_end(stmt), filename)
        self._duplicate(stmt, filename, previous)
        if self.min_stability > Stability.EXPERIMENTAL:
            feature = 'foreach block "foreach"' if self.validate_mode else 'config block "foreach"'
            self.error(
                stability_message(feature, Stability.EXPERIMENTAL, self.min_stability), *head
            )
        if not self._labeled(stmt, filename) and not self.validate_mode:
            return None
        node_id = block_id(stmt)
        rest = tuple(
            s for s in stmt.body if not (isinstance(s, ast.BlockStmt) and s.full_name == "template")
        )
        template = next((s for s in stmt.body if s not in rest), None)
        if not isinstance(template, ast.BlockStmt):
            self.error(
                'missing required block "template"',
                ast.start_pos(stmt),
                ast.end_pos(stmt),
                filename,
            )
            return Node(
                node_id, NodeKind.CONFIG, stmt, filename, schema=ForeachBlock, arguments_body=rest
            )
        ctx, config = self.ctx, self.config
        template_body = template.body

        def link_template(
            names: frozenset[str], parent_ids: frozenset[str] = frozenset()
        ) -> LoadedConfig:
            return self._body(
                template_body,
                filename,
                config.module_path,
                in_module=ctx.in_module,
                in_foreach=True,
                namespace=Namespace(parent=ctx.namespace),
                names=ctx.names | names,
                parent_ids=parent_ids,
            )

        node = Node(
            node_id,
            NodeKind.COMPONENT,
            stmt,
            filename,
            # run: the enclosing scope is merged in when a child evaluates, so any of its
            # first names may start a reference
            foreach_registration(lambda var: link_template(_first_names(config) | {var})),
            arguments_body=rest,
        )
        if self.validate_mode:
            # Alloy's validator checks the template's references against its own nodes,
            # those of the bodies around it and the scope (the `var` when a literal): once
            # every node of this body is known.
            var = _literal_attribute(stmt, "var", config.module_path)

            def link_children() -> None:
                node.children = link_template(
                    frozenset({var}) if isinstance(var, str) else frozenset(),
                    frozenset(config.nodes) | ctx.parent_ids,
                )

            self.after_nodes.append(link_children)
        return node

    def _component(self, stmt: ast.BlockStmt, filename: str, previous: Node | None) -> Node | None:
        """A built-in or custom component. Alloy's validator reports the block's label and
        duplicate before its name; its runtime looks the name up first."""
        name = stmt.full_name
        head = (stmt.name_pos, _name_end(stmt), filename)
        node = Node(block_id(stmt), NodeKind.COMPONENT, stmt, filename)
        if self.validate_mode:
            if not stmt.label:
                self.error(f'component "{name}" must have a label', *head)
            self._duplicate(stmt, filename, previous)
        found, node.registration = self._registration(name, head)
        node.own = self.validate_mode and self.ctx.namespace.through_import(name)
        if not found:
            # validate: still a node, so references to it resolve, but its body is not
            # checked (Alloy's validator skips a block whose name it cannot use).
            node.kind, node.checked = NodeKind.CONFIG, False
            return self._kept(node, False)
        if not self.validate_mode:
            if not stmt.label:
                self.error(f'component "{name}" must have a label', *head)
                return None
            self._duplicate(stmt, filename, previous)
        if node.registration is None:  # a namespace validate cannot read: accepted, unchecked
            node.kind, node.checked = NodeKind.CONFIG, not self.validate_mode
        return node

    def _registration(
        self, name: str, head: tuple[ast.Pos, ast.Pos, str]
    ) -> tuple[bool, Registration | None]:
        """(usable, registration) of a component name: a custom component, a component of
        a namespace validate cannot read (None), or a built-in one allowed by the flags."""
        custom = self.ctx.namespace.lookup(name)
        if isinstance(custom, Opaque):
            return True, None
        registration = None
        if isinstance(custom, Declare):
            registration = self._custom(name, custom)
        elif custom is None:
            registration = self.registry.get(name)
        if registration is None:
            message = f'cannot find the definition of component name "{name}"'
            undeclared = isinstance(custom, Undeclared)  # in a module alloylite read
            (self.own_error if undeclared else self.error)(message, *head)
            return False, None
        if registration.community and not self.registry.community_enabled:
            self.error(community_message(name), *head)
            return False, registration
        if registration.stability < self.min_stability:
            feature = f'component "{name}"'
            message = stability_message(feature, registration.stability, self.min_stability)
            self.error(message, *head)
            # `run` links a gated component still (its references are reported too);
            # Alloy's validator checks nothing more of it.
            return not self.validate_mode, registration
        return True, registration

    def _custom(self, name: str, declare: Declare) -> Registration:
        """The registration of a declare, built once per body that uses it."""
        found = self._customs.get(id(declare))
        if found is not None:
            return found
        ctx, registry, minimum = self.ctx, self.registry, self.min_stability
        validate_mode = self.validate_mode

        def load_body() -> LoadedConfig:
            config = LoadedConfig(
                sources={declare.filename: declare.source}, module_path=declare.module_path
            )
            file = ast.File(declare.filename, declare.block.body, ())
            if ctx.depth >= MAX_DEPTH:
                linker = _Linker(
                    config,
                    registry,
                    minimum,
                    validate_mode,
                    ctx,
                    lambda m, s, e, f: config.diagnostics.append(
                        Diagnostic(Severity.ERROR, m, s, e, f)
                    ),
                )
                linker._too_deep(declare.block, declare.filename)
                return config
            module = ModuleContext(
                in_module=True,
                namespace=Namespace(parent=declare.namespace),
                names=frozenset({"argument"}),
                depth=ctx.depth + 1,
                importing=ctx.importing,
            )
            return link(
                {declare.filename: file},
                config,
                registry,
                minimum,
                validate_mode=False,
                module=module,
            )

        registration = custom_registration(name, declare.block, load_body)
        self._customs[id(declare)] = registration
        return registration


def _first_names(config: LoadedConfig) -> frozenset[str]:
    return frozenset(nid.split(".")[0] for nid in config.nodes)


def _literal_attribute(stmt: ast.BlockStmt, name: str, module_path: str) -> Any:
    """An attribute's value when it needs nothing but `module_path` and the stdlib (an
    import's `filename` or `content`); None when it reads anything else or fails."""
    for attribute in stmt.body:
        if isinstance(attribute, ast.AttributeStmt) and attribute.name.name == name:
            if any(t.names[0] not in RootNames() for t in traversals_of_expr(attribute.value)):
                return None
            from alloylite.eval.evaluator import evaluate
            from alloylite.eval.scope import Scope
            from alloylite.eval.values import Secret

            try:
                value = evaluate(attribute.value, Scope({"module_path": module_path}))
            except Exception:  # reported when the block itself is decoded
                return None
            return value.reveal() if isinstance(value, Secret) else value
    return None
