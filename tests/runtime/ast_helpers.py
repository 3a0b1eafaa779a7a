"""Hand-built AST pieces and a tiny literal evaluator, so runtime tests need no parser."""

from __future__ import annotations

import json
from typing import Any

from alloylite.syntax import ast


class Cursor:
    """Hands out increasing positions, one line per statement, so spans are distinct."""

    def __init__(self) -> None:
        self.line = 0

    def pos(self, col: int = 1) -> ast.Pos:
        self.line += 1
        return ast.Pos(self.line * 100 + col, self.line, col)


CUR = Cursor()


def lit(value: Any, pos: ast.Pos | None = None) -> ast.Expr:
    pos = pos or CUR.pos(10)
    if isinstance(value, bool):
        return ast.LiteralExpr(ast.LiteralKind.BOOL, "true" if value else "false", pos)
    if value is None:
        return ast.LiteralExpr(ast.LiteralKind.NULL, "null", pos)
    if isinstance(value, float):
        return ast.LiteralExpr(ast.LiteralKind.FLOAT, repr(value), pos)
    if isinstance(value, int):
        return ast.LiteralExpr(ast.LiteralKind.NUMBER, str(value), pos)
    if isinstance(value, str):
        return ast.LiteralExpr(ast.LiteralKind.STRING, json.dumps(value), pos)
    if isinstance(value, list):
        return ast.ArrayExpr(tuple(lit(v, pos) for v in value), pos, pos)
    if isinstance(value, dict):
        fields = tuple(
            ast.ObjectField(ast.Ident(k, pos), False, lit(v, pos)) for k, v in value.items()
        )
        return ast.ObjectExpr(fields, pos, pos)
    raise TypeError(value)


def ref(path: str) -> ast.Expr:
    pos = CUR.pos(10)
    parts = path.split(".")
    expr: ast.Expr = ast.IdentifierExpr(ast.Ident(parts[0], pos))
    col = pos.col + len(parts[0]) + 1
    for part in parts[1:]:
        expr = ast.AccessExpr(expr, ast.Ident(part, ast.Pos(pos.offset, pos.line, col)))
        col += len(part) + 1
    return expr


def array(*elements: ast.Expr) -> ast.ArrayExpr:
    pos = ast.start_pos(elements[0]) if elements else CUR.pos(10)
    return ast.ArrayExpr(tuple(elements), pos, pos)


def attr(name: str, value: Any) -> ast.AttributeStmt:
    expr = value if _is_expr(value) else lit(value)
    pos = ast.Pos(ast.start_pos(expr).offset - 9, ast.start_pos(expr).line, 1)
    return ast.AttributeStmt(ast.Ident(name, pos), expr)


def block(name: str, *body: ast.Stmt, label: str | None = None) -> ast.BlockStmt:
    start = CUR.pos(1)
    end = CUR.pos(1)
    return ast.BlockStmt(
        tuple(name.split(".")),
        start,
        label,
        ast.Pos(start.offset + len(name) + 1, start.line, len(name) + 2) if label else None,
        tuple(body),
        ast.Pos(start.offset + 30, start.line, 30),
        end,
    )


def _is_expr(value: Any) -> bool:
    return isinstance(
        value,
        ast.LiteralExpr | ast.ArrayExpr | ast.ObjectExpr | ast.IdentifierExpr | ast.AccessExpr,
    )


class FakeEvalError(Exception):
    def __init__(self, diagnostic: Any) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def evaluate_literal(expr: ast.Expr, scope: dict[str, Any] | None = None) -> Any:
    """Literals, arrays, objects and dotted references into `scope` (nested dicts)."""
    from alloylite.syntax.diag import Diagnostic, Severity

    match expr:
        case ast.LiteralExpr(kind=ast.LiteralKind.NULL):
            return None
        case ast.LiteralExpr(raw=raw):
            return json.loads(raw)
        case ast.ArrayExpr(elements=elements):
            return [evaluate_literal(e, scope) for e in elements]
        case ast.ObjectExpr(fields=fields):
            return {f.name.name: evaluate_literal(f.value, scope) for f in fields}
        case ast.IdentifierExpr(ident=ident):
            if scope is None or ident.name not in scope:
                raise FakeEvalError(
                    Diagnostic(
                        Severity.ERROR, f'identifier "{ident.name}" does not exist', ident.pos, None
                    )
                )
            return scope[ident.name]
        case ast.AccessExpr(value=value, name=name):
            return evaluate_literal(value, scope)[name.name]
    raise TypeError(expr)
