"""The component graph: references by Alloy's prefix rule, cycles, topological order.

Every maximal chain `a.b.c` in a block body (stopping at `[ ]` or a call) is a
traversal; it links to the node whose ID is its first prefix `a`, `a.b`,
`a.b.c`, ... that names a node (spec alloy-syntax.md §4.2). Edges point from
the referencing node to the referenced one, so a node's dependencies are its
out-edges and a topological order evaluates dependencies first.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field

from alloylite.syntax import ast


@dataclass(frozen=True, slots=True)
class Traversal:
    """`a.b.c` as written: its identifiers and the source range of the chain."""

    names: tuple[str, ...]
    start: ast.Pos
    end: ast.Pos
    positions: tuple[ast.Pos, ...] = ()  # where each name starts

    @property
    def text(self) -> str:
        return ".".join(self.names)


@dataclass(frozen=True, slots=True)
class Reference:
    target: str
    traversal: Traversal


@dataclass
class Unresolved:
    """A traversal that names no node and no scope/stdlib identifier."""

    node_id: str
    traversal: Traversal


@dataclass
class Graph:
    """Node IDs with their dependencies (out-edges), in insertion order."""

    deps: dict[str, list[Reference]] = field(default_factory=dict)

    def add_node(self, node_id: str) -> None:
        self.deps.setdefault(node_id, [])

    def dependants(self, node_id: str) -> list[str]:
        return [n for n, refs in self.deps.items() if any(r.target == node_id for r in refs)]


def _chain(expr: ast.Expr) -> list[ast.Ident] | None:
    if isinstance(expr, ast.IdentifierExpr):
        return [expr.ident]
    if isinstance(expr, ast.AccessExpr):
        head = _chain(expr.value)
        return None if head is None else [*head, expr.name]
    return None


def traversals_of_expr(expr: ast.Expr) -> Iterator[Traversal]:
    chain = _chain(expr)
    if chain is not None:
        last = chain[-1]
        end = ast.Pos(
            last.pos.offset + len(last.name.encode()) - 1,
            last.pos.line,
            last.pos.col + len(last.name.encode()) - 1,
        )
        yield Traversal(
            tuple(i.name for i in chain), chain[0].pos, end, tuple(i.pos for i in chain)
        )
        return
    match expr:
        case ast.ArrayExpr(elements=elements):
            for e in elements:
                yield from traversals_of_expr(e)
        case ast.ObjectExpr(fields=fields):
            for f in fields:
                yield from traversals_of_expr(f.value)
        case ast.AccessExpr(value=value) | ast.UnaryExpr(value=value):
            yield from traversals_of_expr(value)
        case ast.IndexExpr(value=value, index=index):
            yield from traversals_of_expr(value)
            yield from traversals_of_expr(index)
        case ast.CallExpr(value=value, args=args):
            yield from traversals_of_expr(value)
            for a in args:
                yield from traversals_of_expr(a)
        case ast.BinaryExpr(left=left, right=right):
            yield from traversals_of_expr(left)
            yield from traversals_of_expr(right)
        case ast.ParenExpr(inner=inner):
            yield from traversals_of_expr(inner)


def traversals_of_body(body: ast.Body) -> Iterator[Traversal]:
    for stmt in body:
        if isinstance(stmt, ast.AttributeStmt):
            yield from traversals_of_expr(stmt.value)
        else:
            yield from traversals_of_body(stmt.body)


def resolve(traversal: Traversal, node_ids: Container[str]) -> str | None:
    """The node a traversal refers to: its first prefix that is a node ID."""
    for i in range(1, len(traversal.names) + 1):
        candidate = ".".join(traversal.names[:i])
        if candidate in node_ids:
            return candidate
    return None


def build_graph(
    bodies: dict[str, ast.Body], scope_names: Container[str]
) -> tuple[Graph, list[Unresolved]]:
    """Link every node's traversals; report those that resolve to nothing at all."""
    graph = Graph()
    unresolved: list[Unresolved] = []
    for node_id in bodies:
        graph.add_node(node_id)
    for node_id, body in bodies.items():
        for trav in traversals_of_body(body):
            target = resolve(trav, bodies)
            if target is not None:
                graph.deps[node_id].append(Reference(target, trav))
            elif trav.names[0] not in scope_names:
                unresolved.append(Unresolved(node_id, trav))
    return graph, unresolved


def self_references(graph: Graph) -> Iterator[tuple[str, Reference]]:
    for node_id, refs in graph.deps.items():
        for ref in refs:
            if ref.target == node_id:
                yield node_id, ref


def cycles(graph: Graph) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan), members in node order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    order = {n: i for i, n in enumerate(graph.deps)}

    def visit(root: str) -> None:
        nonlocal counter
        work: list[tuple[str, Iterator[str]]] = [(root, _targets(graph, root))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, _targets(graph, nxt)))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    members.append(top)
                    if top == node:
                        break
                if len(members) > 1:
                    found.append(sorted(members, key=order.__getitem__))

    for node_id in graph.deps:
        if node_id not in index:
            visit(node_id)
    return found


def _targets(graph: Graph, node_id: str) -> Iterator[str]:
    seen: set[str] = set()
    for ref in graph.deps.get(node_id, ()):
        if ref.target != node_id and ref.target not in seen:
            seen.add(ref.target)
            yield ref.target


def topological_order(graph: Graph) -> list[str]:
    """Dependencies first; ties keep node order. Nodes on cycles come last, in node order."""
    remaining = {n: {t for t in _targets(graph, n)} for n in graph.deps}
    done: list[str] = []
    placed: set[str] = set()
    progress = True
    while progress:
        progress = False
        for node_id, needs in remaining.items():
            if node_id not in placed and needs <= placed:
                done.append(node_id)
                placed.add(node_id)
                progress = True
    done.extend(n for n in graph.deps if n not in placed)
    return done


def reverse_order(order: Iterable[str]) -> list[str]:
    return list(reversed(list(order)))
