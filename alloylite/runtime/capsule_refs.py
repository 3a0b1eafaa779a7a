"""References that hand a component a capsule of another type than its argument takes.

`forward_to = [prometheus.remote_write.x.receiver]` in `pyroscope.scrape` parses,
validates with `alloy validate` (it does not type references) and then fails at
`alloy run`, when Alloy's decoder meets a `storage.Appendable` where a
`pyroscope.Appendable` goes. alloylite's validate reports it after Alloy's
diagnostics, in the decoder's words, at the reference (docs/compatibility.md).

It fires only where both sides are known for certain: an attribute typed as one
of the capsule interfaces (or a list of them) whose value is a reference, or an
array literal of references, to an export typed as another of them. Alloy
converts one interface capsule into another when the first's methods include the
second's; none of these four does, so the names decide. Anything else (`any`
arguments, custom components, exports of modules, expressions) is never judged.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

from alloylite.runtime.component import Registration
from alloylite.runtime.graph import Traversal, resolve, traversals_of_expr
from alloylite.runtime.loader import LoadedConfig, Node
from alloylite.runtime.schema import capsule_name, fields_of
from alloylite.syntax import ast
from alloylite.syntax.diag import Diagnostic, Severity

# Alloy's Go interfaces that components hand each other as capsules.
INTERFACES = frozenset(
    {"pyroscope.Appendable", "storage.Appendable", "loki.LogsReceiver", "otelcol.Consumer"}
)
# alloylite's own classes for them, by their capsule names.
_OWN = {"ProfilesReceiver": "pyroscope.Appendable"}


def interface_of(tp: Any) -> str | None:
    """The Go interface a capsule class stands for, or None (not a known capsule)."""
    if not isinstance(tp, type):
        return None
    name = capsule_name(tp)
    name = _OWN.get(name, name)
    return name if name in INTERFACES else None


def capsule_errors(config: LoadedConfig) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for node in config.nodes.values():
        schema = node.registration.arguments if node.registration is not None else None
        if schema is not None:
            out.extend(_check_body(node, schema, node.body, config))
    return out


def _check_body(
    node: Node, schema: type, body: ast.Body, config: LoadedConfig
) -> Iterator[Diagnostic]:
    try:
        specs = fields_of(schema)
    except (TypeError, NameError):  # not a schema class (e.g. a custom component's)
        return
    for stmt in body:
        spec = specs.get(stmt.name.name if isinstance(stmt, ast.AttributeStmt) else stmt.full_name)
        if spec is None:
            continue  # Alloy's diagnostics already name it
        if isinstance(stmt, ast.BlockStmt):
            if spec.kind == "block" and isinstance(spec.element, type):
                yield from _check_body(node, spec.element, stmt.body, config)
            continue
        if spec.kind != "attr":
            continue
        want = interface_of(spec.type)
        if want is not None:
            yield from _check_value(node, stmt.value, want, config)
        elif typing.get_origin(spec.type) is list and isinstance(stmt.value, ast.ArrayExpr):
            want = interface_of(typing.get_args(spec.type)[0])
            for element in stmt.value.elements:
                if want is not None:
                    yield from _check_value(node, element, want, config)


def _check_value(
    node: Node, expr: ast.Expr, want: str, config: LoadedConfig
) -> Iterator[Diagnostic]:
    trav = _whole_reference(expr)
    if trav is None:
        return
    target_id = resolve(trav, config.nodes)
    target = config.nodes.get(target_id) if target_id is not None else None
    if target is None or target.registration is None or target.registration.exports is None:
        return
    depth = target_id.count(".") + 1  # type: ignore[union-attr]
    if len(trav.names) != depth + 1:
        return  # the node itself, or a field inside an export
    got = _export_interface(target.registration, trav.names[depth])
    if got is None or got == want:
        return
    source = config.sources.get(node.filename, b"")
    text = source[trav.start.offset : trav.end.offset + 1].decode("utf-8", "replace")
    yield Diagnostic(
        Severity.ERROR,
        f'{text} expected capsule("{want}"), got capsule("{got}")',
        trav.start,
        trav.end,
        node.filename,
    )


def _export_interface(registration: Registration, export: str) -> str | None:
    """The interface of an export: its annotation (`X | None` counts as `X`), or for a
    running component whose annotation says nothing (`Any`), the catalogue's."""
    tp = typing.get_type_hints(registration.exports).get(export)
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    found = interface_of(args[0] if len(args) == 1 else tp)
    if found is None and tp is Any:
        # Read only then: validating a config of pyroscope components loads no catalogue.
        from alloylite.runtime.catalogue.registration import catalogue_registration

        alloy = catalogue_registration(registration.name)
        if alloy is not None and alloy is not registration:
            return _export_interface(alloy, export)
    return found


def _whole_reference(expr: ast.Expr) -> Traversal | None:
    """The reference `expr` is, when it is nothing but one (`a.b.c.receiver`)."""
    found = list(traversals_of_expr(expr))
    if len(found) != 1:
        return None
    trav = found[0]
    if trav.start != ast.start_pos(expr) or trav.end != ast.end_pos(expr):
        return None
    return trav
