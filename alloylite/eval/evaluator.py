"""The expression evaluator: AST in, Alloy value out.

Like Alloy's vm, every value an expression produces is remembered together
with the expression (`assoc`, keyed by identity), so an error about a value
deep inside a builtin can be reported at the expression that produced it:
`"a" should be number, got string` at the `"a"`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from alloylite.eval import numbers as num
from alloylite.eval.errors import (
    ArgFault,
    CallError,
    ElementFault,
    EvalError,
    Fault,
    FieldFault,
    PlainFault,
    TypeFault,
    ValueFault,
    plain_error,
)
from alloylite.eval.gostr import unquote_literal
from alloylite.eval.operators import binary_op, unary_op
from alloylite.eval.render import render_value
from alloylite.eval.scope import Scope
from alloylite.eval.values import Function, type_name
from alloylite.gocompat import go_quote
from alloylite.syntax import ast
from alloylite.syntax.diag import Diagnostic, Severity

Value = Any


_CAPSULE_NOT_OBJECT = "expected object or array or a capsule convertible to an object, got capsule"


def evaluate(expr: ast.Expr, scope: Scope | Mapping[str, Any] | None = None) -> Value:
    """Evaluate `expr`; raises EvalError with Alloy's message and position.

    `scope` may also be a plain mapping of names to values.
    """
    if not isinstance(scope, Scope):
        scope = Scope(scope)
    ev = _Evaluator(scope)
    try:
        return ev.eval(expr)
    except Fault as fault:
        raise ev.diagnose(fault) from None
    except PlainFault as fault:
        raise plain_error(str(fault)) from None


def _positioned(message: str, start: ast.Pos, end: ast.Pos) -> EvalError:
    return EvalError(Diagnostic(Severity.ERROR, message, start, end))


class _Evaluator:
    __slots__ = ("scope", "assoc")

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        # id(value) -> (value, node); holding the value keeps its id unique.
        self.assoc: dict[int, tuple[Value, ast.Expr]] = {}

    def eval(self, node: ast.Expr) -> Value:
        value = _DISPATCH[type(node)](self, node)
        if value is not None:
            self.assoc[id(value)] = (value, node)
        return value

    # ------------------------------------------------------------ node kinds

    def _literal(self, node: ast.LiteralExpr) -> Value:
        kind = node.kind
        try:
            if kind is ast.LiteralKind.STRING:
                return unquote_literal(node.raw)
            if kind is ast.LiteralKind.NUMBER:
                return num.parse_int_literal(node.raw)
            if kind is ast.LiteralKind.FLOAT:
                return num.parse_float_literal(node.raw)
        except num.NumberParseError as err:
            raise PlainFault(str(err)) from None
        if kind is ast.LiteralKind.BOOL:
            return node.raw == "true"
        return None

    def _identifier(self, node: ast.IdentifierExpr) -> Value:
        found, value = self.scope.lookup(node.ident.name)
        if not found:
            raise _positioned(
                f"identifier {go_quote(node.ident.name)} does not exist",
                ast.start_pos(node),
                ast.end_pos(node),
            )
        return value

    def _array(self, node: ast.ArrayExpr) -> Value:
        return [self.eval(e) for e in node.elements]

    def _object(self, node: ast.ObjectExpr) -> Value:
        return {f.name.name: self.eval(f.value) for f in node.fields}

    def _paren(self, node: ast.ParenExpr) -> Value:
        return self.eval(node.inner)

    def _unary(self, node: ast.UnaryExpr) -> Value:
        try:
            return unary_op(node.op, self.eval(node.value))
        except Fault as fault:
            fault.hint = fault.hint or node.value
            raise

    def _binary(self, node: ast.BinaryExpr) -> Value:
        left = self.eval(node.left)
        right = self.eval(node.right)
        try:
            return binary_op(node.op, left, right)
        except Fault as fault:
            if fault.hint is None and fault.side is not None:
                fault.hint = node.right if fault.side else node.left
            raise

    def _access(self, node: ast.AccessExpr) -> Value:
        value = self.eval(node.value)
        name = node.name.name
        if isinstance(value, dict):
            if name in value:
                return value[name]
            raise _positioned(
                f"field {go_quote(name)} does not exist", node.name.pos, ast.end_pos(node)
            )
        kind = type_name(value)
        if kind == "capsule":
            raise ValueFault(value, _CAPSULE_NOT_OBJECT)
        raise ValueFault(value, f"cannot access field {go_quote(name)} on value of type {kind}")

    def _index(self, node: ast.IndexExpr) -> Value:
        value = self.eval(node.value)
        index = self.eval(node.index)
        if isinstance(value, list | tuple):
            if not num.is_number(index):
                raise TypeFault(index, "number")
            i = num.to_int(index)
            if not 0 <= i < len(value):
                raise ValueFault(
                    index, f"index {i} is out of range of array with length {len(value)}"
                )
            return value[i]
        if isinstance(value, dict):
            if not isinstance(index, str):
                raise TypeFault(index, "string")
            return value.get(index)
        kind = type_name(value)
        if kind == "capsule":
            raise ValueFault(value, _CAPSULE_NOT_OBJECT)
        raise ValueFault(value, f"expected object or array, got {kind}")

    def _call(self, node: ast.CallExpr) -> Value:
        func = self.eval(node.value)
        if not isinstance(func, Function):
            raise TypeFault(func, "function")
        args = [self.eval(a) for a in node.args]
        n = len(args)
        if func.max_args is None:
            if n < func.min_args:
                raise ValueFault(func, f"expected at least {func.min_args} args, got {n}")
        elif not func.min_args <= n <= func.max_args:
            raise ValueFault(func, f"expected {func.max_args} args, got {n}")
        try:
            return func.call(*args)
        except CallError as err:
            raise ValueFault(func, str(err)) from None
        except ArgFault as fault:
            if fault.hint is None and 0 <= fault.index < len(node.args):
                fault.hint = node.args[fault.index]
            raise
        except (Fault, PlainFault, EvalError):
            raise
        except Exception as err:  # a function from a component must not crash evaluation
            raise ValueFault(func, str(err) or type(err).__name__) from None

    # ---------------------------------------------------------- diagnostics

    def _node_of(self, value: Value) -> ast.Expr | None:
        if value is None:
            return None
        entry = self.assoc.get(id(value))
        if entry is None or entry[0] is not value:
            return None
        return entry[1]

    def diagnose(self, fault: Fault) -> EvalError:
        """Alloy's walk over a value-error chain: find the innermost expression
        that produced a culprit value, keeping `.field`/`[i]` steps only where
        a value had no expression of its own."""
        path: list[str] = []
        node: ast.Expr | None = None
        message = ""
        literal = False
        previous: Value = None
        for level in fault.levels():
            if isinstance(level, ElementFault):
                path.append(f"[{level.index}]")
            elif isinstance(level, FieldFault):
                path.append(f".{level.field}")
            elif isinstance(level, ArgFault):
                message = str(level.inner)
            else:
                message = level.leaf_message()
            if level.value is previous and previous is not None:
                found = node if literal else None  # the same value names the same node
            else:
                found = self._node_of(level.value)
                if found is not None and level.hint is not None:
                    if _shared_in_python(level.value):
                        found = level.hint  # type: ignore[assignment]
            previous = level.value
            if found is not None:
                if literal:
                    path.clear()
                node = found
                literal = True
            else:
                literal = False
        suffix = "".join(path)
        # Like Alloy, attach the culprit's value when no expression shows it.
        shown = None if literal or previous is None else render_value(previous)
        if node is None:
            return EvalError(Diagnostic(Severity.ERROR, f"{suffix} {message}", value=shown))
        # Imported here: only an error prints a culprit, and Alloy prints it with its
        # formatter (`alloy fmt`'s), so the evaluator loads the printer on the first one.
        from alloylite.syntax.printer import format_expr

        text = f"{format_expr(node)}{suffix} {message}"
        return EvalError(
            Diagnostic(Severity.ERROR, text, ast.start_pos(node), ast.end_pos(node), value=shown)
        )


def _shared_in_python(value: Value) -> bool:
    """Values CPython shares between unrelated expressions but Go does not
    (one-character strings, small negative ints, 256), so their last
    expression in `assoc` may be the wrong one: the operand or argument the
    fault names is used instead. Values Go shares too (bools, 0..255) keep
    Alloy's last-expression behaviour (`true + true` blames the second)."""
    if isinstance(value, str):
        return len(value) == 1
    return type(value) is int and (-5 <= value <= -1 or value == 256)


_DISPATCH: dict[type, Callable[[_Evaluator, Any], Value]] = {
    ast.LiteralExpr: _Evaluator._literal,
    ast.IdentifierExpr: _Evaluator._identifier,
    ast.ArrayExpr: _Evaluator._array,
    ast.ObjectExpr: _Evaluator._object,
    ast.ParenExpr: _Evaluator._paren,
    ast.UnaryExpr: _Evaluator._unary,
    ast.BinaryExpr: _Evaluator._binary,
    ast.AccessExpr: _Evaluator._access,
    ast.IndexExpr: _Evaluator._index,
    ast.CallExpr: _Evaluator._call,
}
