"""Which literals of a config become secrets, and hiding them in diagnostic messages.

A diagnostic about an attribute quotes the expression it is about (`{ "X-Token" = "..." }.X-Token
should be array, got string`), and the evaluator's messages quote operands, indexes and
call arguments the same way. When the attribute's type holds a secret, each string
literal of its expression is shown as `"***"` in the message, as in the code frame
(runtime/redact.py), in every output format.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

from alloylite.eval.values import Secret
from alloylite.syntax import ast


def holds_secret(tp: Any) -> bool:
    """Whether a field type is, or contains, a Secret."""
    if tp is Secret:
        return True
    return any(holds_secret(arg) for arg in typing.get_args(tp))


def string_literals(expr: ast.Expr) -> Iterator[ast.LiteralExpr]:
    """Every string literal inside an expression."""
    if isinstance(expr, ast.LiteralExpr):
        if expr.kind is ast.LiteralKind.STRING:
            yield expr
        return
    children: list[Any] = []
    if isinstance(expr, ast.ArrayExpr):
        children = list(expr.elements)
    elif isinstance(expr, ast.ObjectExpr):
        children = [f.value for f in expr.fields]
    elif isinstance(expr, ast.BinaryExpr):
        children = [expr.left, expr.right]
    elif isinstance(expr, ast.UnaryExpr):
        children = [expr.value]
    elif isinstance(expr, ast.ParenExpr):
        children = [expr.inner]
    elif isinstance(expr, ast.CallExpr):
        children = list(expr.args)
    elif isinstance(expr, ast.IndexExpr):
        children = [expr.value, expr.index]
    elif isinstance(expr, ast.AccessExpr):
        children = [expr.value]
    for child in children:
        yield from string_literals(child)


def mask_literals(message: str, expr: ast.Expr) -> str:
    """`message` with every string literal of `expr`, and its text, shown as `"***"`."""
    literals = sorted(
        {lit.raw for lit in string_literals(expr) if len(lit.raw) > 2}, key=len, reverse=True
    )
    for raw in literals:
        message = message.replace(raw, '"***"')
        text = raw[1:-1]
        if len(text) >= 4:  # a bare value quoted some other way (%q, a rendered value)
            message = message.replace(text, "***")
    return message
