"""Evaluating one node's block body into its arguments, for `run` and `validate`.

`run` evaluates against live exports and, like Alloy's decoder, reports only
the first problem of a block, wrapping position-less ones onto the whole
component block. `validate` has no exports: expressions that read another
component are left unevaluated (`UnknownValue`), everything else is checked
and every problem is reported.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Container, Iterator
from typing import Any

from alloylite.eval.gostr import unquote_literal
from alloylite.runtime.graph import resolve, traversals_of_expr
from alloylite.runtime.loader import Node, NodeKind
from alloylite.runtime.logging_args import LoggingArguments
from alloylite.runtime.schema import DecodeContext, UnknownValue, decode
from alloylite.syntax import ast
from alloylite.syntax.diag import Diagnostic

# Alloy's words for a component that cannot be built: its arguments do not decode, or
# its code refuses them (`run`'s load; validate borrows them for alloylite's own checks).
BUILD_FAILED = "Failed to build component: "
DECODE_PREFIX = BUILD_FAILED + "decoding configuration: "
BUILD_PREFIX = BUILD_FAILED + "building component: "


def _reads_environment(expr: ast.Expr) -> bool:
    """Whether the expression calls `sys.env` (or the deprecated `env`)."""
    for trav in traversals_of_expr(expr):
        if trav.names[:2] == ("sys", "env") or trav.names == ("env",):
            return True
    return False


def _environment_reads(node: ast.Expr | ast.Stmt) -> Iterator[str | None]:
    """The variables a node reads with `sys.env` (or `env`): each name, or None where an
    expression names it."""
    if isinstance(node, ast.CallExpr) and len(node.args) == 1:
        callee = next(traversals_of_expr(node.value), None)
        if callee is not None and callee.names in (("sys", "env"), ("env",)):
            [name] = node.args
            if isinstance(name, ast.LiteralExpr) and name.kind is ast.LiteralKind.STRING:
                yield unquote_literal(name.raw)
            else:
                yield None
    for child in ast.children(node):
        yield from _environment_reads(child)


def _reads_unset_environment(expr: ast.Expr) -> bool:
    """Whether the expression reads an environment variable that is not set here (or is
    named by an expression): its value where `run` runs is unknown to validate."""
    return any(name is None or name not in os.environ for name in _environment_reads(expr))


def _calls(node: ast.Expr | ast.Stmt) -> bool:
    return isinstance(node, ast.CallExpr) or any(map(_calls, ast.children(node)))


def calls_a_function(body: ast.Body) -> bool:
    """Whether any attribute of a block body, nested blocks included, calls a function."""
    return any(map(_calls, body))


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


def decode_node(node: Node, source: bytes, scope: dict[str, Any]) -> tuple[Any, list[Diagnostic]]:
    """`run`: (arguments or None, the first problem), evaluated against live exports."""
    value, ctx, _ = _decode(node, source, scope, (), (), judge_env=False, evaluate_calls=True)
    return value, ctx.diagnostics[:1]


def validate_node(
    node: Node, source: bytes, *, unknown_ids: Container[str], known_names: Container[str]
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """A node's diagnostics in validate mode: (Alloy's, alloylite's own).

    Alloy's validator evaluates no function call: a value that calls one is not checked
    in Alloy's part. alloylite's own are what `alloy run` refuses but `alloy validate`
    does not check: the blocks' `validate()` rules, what evaluating the calls finds
    (`array.combine_maps([], [], [])`), and the values read from environment variables
    that are set (judged like literals; an unset one gives `""` here and is left to
    `run`).
    """
    args = (node, source, None, unknown_ids, known_names)
    _, ctx, judgeable = _decode(*args, judge_env=False, evaluate_calls=False)
    own = list(ctx.rules)
    if judgeable or calls_a_function(node.body):
        _, judged, _ = _decode(*args, judge_env=True, evaluate_calls=True)
        own += [d for d in judged.diagnostics + judged.rules if d not in ctx.diagnostics + own]
    return ctx.diagnostics, own


def _decode(
    node: Node,
    source: bytes,
    scope: dict[str, Any] | None,
    unknown_ids: Container[str],
    known_names: Container[str],
    *,
    judge_env: bool,
    evaluate_calls: bool,
) -> tuple[Any, DecodeContext, bool]:
    """(arguments or None, the decoding context, whether a value read from set
    environment variables was left unjudged). In validate mode, an expression that calls
    a function is left unevaluated unless `evaluate_calls`."""
    from alloylite.eval.evaluator import evaluate
    from alloylite.eval.scope import Scope

    validate_mode = scope is None
    schema = arguments_type(node)
    if schema is None:
        return None, DecodeContext(evaluate=lambda _: None, source=source, filename=None), False
    live_scope = Scope(scope or {})
    judgeable = False

    def evaluate_expr(expr: ast.Expr) -> Any:
        nonlocal judgeable
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
            if validate_mode and _reads_unset_environment(expr):
                # `from_json(sys.env("X"))` fails here with X unset; where `run` runs, X
                # is set: nothing to judge.
                raise UnknownValue() from None
            diag = getattr(err, "diagnostic", None)
            if isinstance(diag, Diagnostic) and diag.filename is None and diag.start:
                err.diagnostic = dataclasses.replace(diag, filename=node.filename)  # type: ignore[attr-defined]
            raise
        if validate_mode and _reads_environment(expr):
            # The expression is checked; its value is judged only where every variable
            # it reads is set (an unset one is "" here, and set where `run` runs).
            settled = not _reads_unset_environment(expr)
            if not (judge_env and settled):
                judgeable = judgeable or settled
                raise UnknownValue()
        return value

    ctx = DecodeContext(
        evaluate=evaluate_expr,
        source=source,
        filename=node.filename,
        outer=node.block,
        run_words=_reads_environment if judge_env else None,
        unpositioned_prefix=None
        if validate_mode
        else (
            DECODE_PREFIX
            if node.kind is NodeKind.COMPONENT
            else "Failed to evaluate node for config block: "
        ),
    )
    value = decode(schema, node.body, ctx, node.block)
    return value, ctx, judgeable
