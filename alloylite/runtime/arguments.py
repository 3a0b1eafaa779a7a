"""Evaluating one node's block body into its arguments, for `run` and `validate`.

`run` evaluates against live exports and, like Alloy's decoder, reports only
the first problem of a block, wrapping position-less ones onto the whole
component block. `validate` has no exports: expressions that read another
component are left unevaluated (`UnknownValue`), everything else is checked
and every problem is reported.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Container
from typing import Any

from alloylite.runtime.graph import resolve, traversals_of_expr
from alloylite.runtime.loader import Node, NodeKind
from alloylite.runtime.logging_args import LoggingArguments
from alloylite.runtime.schema import DecodeContext, UnknownValue, decode
from alloylite.syntax import ast
from alloylite.syntax.diag import Diagnostic

DECODE_PREFIX = "Failed to build component: decoding configuration: "


def _reads_environment(expr: ast.Expr) -> bool:
    """Whether the expression calls `sys.env` (or the deprecated `env`)."""
    for trav in traversals_of_expr(expr):
        if trav.names[:2] == ("sys", "env") or trav.names == ("env",):
            return True
    return False


def _calls(expr: ast.Expr) -> bool:
    match expr:
        case ast.CallExpr():
            return True
        case ast.ArrayExpr(elements=elements):
            return any(_calls(e) for e in elements)
        case ast.ObjectExpr(fields=fields):
            return any(_calls(f.value) for f in fields)
        case ast.AccessExpr(value=inner) | ast.UnaryExpr(value=inner) | ast.ParenExpr(inner=inner):
            return _calls(inner)
        case ast.IndexExpr(value=left, index=right) | ast.BinaryExpr(left=left, right=right):
            return _calls(left) or _calls(right)
    return False


def calls_a_function(body: ast.Body) -> bool:
    """Whether any attribute of a block body, nested blocks included, calls a function."""
    return any(
        _calls(stmt.value) if isinstance(stmt, ast.AttributeStmt) else calls_a_function(stmt.body)
        for stmt in body
    )


def arguments_type(node: Node) -> type | None:
    """The schema a node's body decodes into; None for a body that is not arguments (a
    declare's, or a component of a namespace validate cannot read)."""
    if not node.checked:
        return None
    if node.kind is NodeKind.LOGGING:
        return LoggingArguments
    if node.registration is not None:
        return node.registration.arguments
    return node.schema


def decode_node(
    node: Node,
    source: bytes,
    scope: dict[str, Any] | None,
    *,
    unknown_ids: Container[str] = (),
    known_names: Container[str] = (),
    evaluate_calls: bool = True,
) -> tuple[Any, list[Diagnostic]]:
    """(arguments or None, diagnostics). `scope=None` means validate mode.

    In validate mode an expression reading a node in `unknown_ids`, or a name
    that is neither a node nor in `known_names` (already reported by the
    loader), is left unevaluated, and so is one that calls a function unless
    `evaluate_calls` (Alloy's validator evaluates no call); one reading the
    environment is evaluated (errors count) but its value is not checked
    against the component.
    """
    from alloylite.eval.evaluator import evaluate
    from alloylite.eval.scope import Scope

    validate_mode = scope is None
    schema = arguments_type(node)
    if schema is None:
        return None, []
    live_scope = Scope(scope or {})

    def evaluate_expr(expr: ast.Expr) -> Any:
        if validate_mode and not evaluate_calls and _calls(expr):
            raise UnknownValue()
        if validate_mode and any(
            resolve(t, unknown_ids) is not None
            or t.names[0] not in known_names
            or t.names[0] == "module_path"  # the directory `run` will see, not validate's
            for t in traversals_of_expr(expr)
        ):
            raise UnknownValue()
        try:
            value = evaluate(expr, live_scope)
        except Exception as err:
            diag = getattr(err, "diagnostic", None)
            if isinstance(diag, Diagnostic) and diag.filename is None and diag.start:
                err.diagnostic = dataclasses.replace(diag, filename=node.filename)  # type: ignore[attr-defined]
            raise
        if validate_mode and _reads_environment(expr):
            # The expression is checked, but its value is the CI machine's, not
            # the one `run` will see: don't judge the component by it.
            raise UnknownValue()
        return value

    ctx = DecodeContext(
        evaluate=evaluate_expr,
        source=source,
        filename=node.filename,
        outer=node.block,
        unpositioned_prefix=None
        if validate_mode
        else (
            DECODE_PREFIX
            if node.kind is NodeKind.COMPONENT
            else "Failed to evaluate node for config block: "
        ),
    )
    value = decode(schema, node.body, ctx, node.block)
    diags = ctx.diagnostics if validate_mode else ctx.diagnostics[:1]
    return value, diags
