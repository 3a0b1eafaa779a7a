"""The source text of an expression, for error messages (`"a" should be number`).

Alloy re-prints the offending sub-expression with its formatter. The project's
formatter (`alloylite.syntax.printer.format_expr`) is used when present; the
one-line printer below is the fallback so the evaluator never depends on it.
"""

from __future__ import annotations

from collections.abc import Callable

from alloylite.eval.gostr import quote
from alloylite.syntax import ast


def _fallback(expr: ast.Expr) -> str:
    match expr:
        case ast.LiteralExpr(raw=raw):
            return raw
        case ast.IdentifierExpr(ident=ident):
            return ident.name
        case ast.ArrayExpr(elements=elements):
            return "[" + ", ".join(_fallback(e) for e in elements) + "]"
        case ast.ObjectExpr(fields=fields):
            parts = [
                f"{quote(f.name.name) if f.quoted else f.name.name} = {_fallback(f.value)}"
                for f in fields
            ]
            return "{" + ", ".join(parts) + "}"
        case ast.AccessExpr(value=value, name=name):
            return f"{_fallback(value)}.{name.name}"
        case ast.IndexExpr(value=value, index=index):
            return f"{_fallback(value)}[{_fallback(index)}]"
        case ast.CallExpr(value=value, args=args):
            return f"{_fallback(value)}(" + ", ".join(_fallback(a) for a in args) + ")"
        case ast.UnaryExpr(op=op, value=value):
            return f"{op}{_fallback(value)}"
        case ast.BinaryExpr(op=op, left=left, right=right):
            return f"{_fallback(left)} {op} {_fallback(right)}"
        case ast.ParenExpr(inner=inner):
            return f"({_fallback(inner)})"
    return "?"


def _pick() -> Callable[[ast.Expr], str]:
    try:
        from alloylite.syntax.printer import format_expr
    except ImportError:
        return _fallback
    return format_expr  # type: ignore[no-any-return]


_printer: Callable[[ast.Expr], str] | None = None


def expr_text(expr: ast.Expr) -> str:
    global _printer
    if _printer is None:
        _printer = _pick()
    try:
        return _printer(expr)
    except Exception:  # a printer bug must not hide the user's real error
        return _fallback(expr)
