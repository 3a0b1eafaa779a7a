"""Decoding a block body into an argument dataclass, Alloy's struct decoder.

Defaults first, then the body laid over them, then the dataclass's `validate()`;
problems become `Diagnostic`s with Alloy's messages and positions (spec
alloy-syntax.md §4.4). The runtime keeps only the first problem of a block
(as Alloy's decoder stops there); `validate` keeps them all, and like Alloy's
type checker goes on to the missing required fields after other problems.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from alloylite.runtime.schema.convert import ConvertError, convert
from alloylite.runtime.schema.fields import FieldSpec, defaults_of, fields_of, label_field_of
from alloylite.runtime.schema.secret_text import holds_secret, mask_literals
from alloylite.runtime.schema.text import TextError, value_span
from alloylite.syntax import ast
from alloylite.syntax.diag import Diagnostic, Severity


@dataclass
class DecodeContext:
    """What decoding one component's body needs from the loader.

    `evaluate` turns an expression into an Alloy value and raises an exception
    with a `.diagnostic` on failure. `unpositioned_prefix` set means runtime
    mode: problems with no position of their own (missing fields, `validate()`)
    are wrapped with it onto `outer`, Alloy's
    `Failed to build component: decoding configuration: ...`. Unset means
    validate mode: they are placed on the innermost block.
    """

    evaluate: Callable[[ast.Expr], Any]
    source: bytes
    filename: str | None
    outer: ast.BlockStmt | None = None
    unpositioned_prefix: str | None = None
    diagnostics: list[Diagnostic] = dataclasses.field(default_factory=list)
    partial: bool = False  # some value was UnknownValue: the whole body cannot be built
    # validate mode: the failures of blocks' own `validate()` rules, alloylite's own
    # checks (Alloy's validate runs none; its `run` does), reported after Alloy's.
    rules: list[Diagnostic] = dataclasses.field(default_factory=list)
    # validate mode: values judged in `run`'s words (`X should be number, got string`), those
    # Alloy's type checker never sees (read from the environment); the others in its words.
    run_words: Callable[[ast.Expr], bool] | None = None

    @property
    def validate_mode(self) -> bool:
        return self.unpositioned_prefix is None

    def expr_text(self, expr: ast.Expr) -> str:
        start, end = ast.start_pos(expr), ast.end_pos(expr)
        if 0 <= start.offset <= end.offset < len(self.source):
            raw = self.source[start.offset : end.offset + 1]
            return raw.decode("utf-8", "surrogateescape")
        from alloylite.syntax.printer import format_expr  # a tree built without its source

        return format_expr(expr)

    def error(self, message: str, start: ast.Pos | None, end: ast.Pos | None) -> None:
        self.diagnostics.append(
            Diagnostic(Severity.ERROR, message, start, end, self.filename if start else None)
        )

    def unpositioned(self, message: str, inner: ast.BlockStmt | None) -> None:
        where = inner
        if self.unpositioned_prefix is not None:
            message = self.unpositioned_prefix + message
            where = self.outer or inner
        if where is None:
            self.error(message, None, None)
        else:
            self.error(message, where.name_pos, where.rcurly)

    def rule_broken(self, message: str, inner: ast.BlockStmt | None) -> None:
        """A block's `validate()` failed: like `unpositioned`, kept apart in validate mode."""
        before = len(self.diagnostics)
        self.unpositioned(message, inner)
        if self.validate_mode:
            self.rules.extend(self.diagnostics[before:])
            del self.diagnostics[before:]


class UnknownValue(Exception):  # noqa: N818 - a signal, not an error
    """Raised by `DecodeContext.evaluate` for a value only known at run time.

    `validate` raises it for expressions that read another component's
    exports: the attribute counts as present, but the instance is not built.
    """


class _Unknown:
    """A value only known at run time, inside a block whose `validate()` still runs.

    Alloy's `Validate()` rules mostly read literals (`modulus`, `scrape_interval`,
    auth settings) while `targets` and `forward_to` are references, so a rule is
    checked unless it touches this value: any use of it raises `UnknownValue`,
    which skips that block's rule instead of judging a value nobody knows yet.
    """

    def _unknown(self, *_: object) -> Any:
        raise UnknownValue()

    __getattr__ = __bool__ = __len__ = __iter__ = __contains__ = __getitem__ = _unknown
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __hash__ = _unknown
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _unknown
    __int__ = __float__ = __index__ = _unknown


_UNKNOWN = _Unknown()


def decode(cls: type, body: ast.Body, ctx: DecodeContext, where: ast.BlockStmt | None) -> Any:
    """Decode a block body into a new `cls` instance laid over its defaults.

    Returns None when any problem was found (the diagnostics are in `ctx`), or
    when a value is only known at run time (`ctx.partial`).
    """
    instance = _decode_over(cls, None, body, ctx, where)
    return None if ctx.partial else instance


def _decode_over(
    cls: type,
    base: Any,
    body: ast.Body,
    ctx: DecodeContext,
    where: ast.BlockStmt | None,
    label: str | None = None,
) -> Any:
    """One block; `ctx.partial` tells, on return, whether it or any block before it held a
    value only known at run time, while this block's own `validate()` ran regardless."""
    outer_partial, ctx.partial = ctx.partial, False
    try:
        return _decode_block_body(cls, base, body, ctx, where, label)
    finally:
        ctx.partial = ctx.partial or outer_partial


def _decode_block_body(
    cls: type,
    base: Any,
    body: ast.Body,
    ctx: DecodeContext,
    where: ast.BlockStmt | None,
    label: str | None,
) -> Any:
    specs = fields_of(cls)
    if base is not None:
        values = {f.name: getattr(base, f.name) for f in dataclasses.fields(cls)}
    else:
        values = defaults_of(cls)
    before, rules_before = len(ctx.diagnostics), len(ctx.rules)
    seen: set[str] = set()
    for stmt in body:
        if isinstance(stmt, ast.AttributeStmt):
            _decode_attr(stmt, specs, values, seen, ctx, where)
        else:
            _decode_block(stmt, specs, values, seen, ctx)
    if len(ctx.diagnostics) > before and not ctx.validate_mode:
        return None  # the runtime reports a block's first problem; validate all of them
    for spec in specs.values():
        if not spec.required or spec.alloy_name in seen:
            continue
        if spec.kind == "attr":
            ctx.unpositioned(f'missing required attribute "{spec.alloy_name}"', where)
        else:
            ctx.unpositioned(f'missing required block "{spec.alloy_name}"', where)
    if len(ctx.diagnostics) > before or len(ctx.rules) > rules_before:
        return None  # a broken inner block: the outer rules would judge its defaults
    label_name = label_field_of(cls)
    if label_name is not None:
        values[label_name] = label or ""
    instance = cls(**values)
    check = getattr(instance, "validate", None)
    if callable(check):
        try:
            check()
        except UnknownValue:
            pass  # the rule reads a value only known at run time: `run` checks it
        except ValueError as err:
            ctx.rule_broken(str(err), where)
            return None
    return instance


def _decode_attr(
    stmt: ast.AttributeStmt,
    specs: dict[str, FieldSpec],
    values: dict[str, Any],
    seen: set[str],
    ctx: DecodeContext,
    where: ast.BlockStmt | None,
) -> None:
    name = stmt.name.name
    start, end = ast.start_pos(stmt), ast.end_pos(stmt)
    spec = specs.get(name)
    if spec is None:
        ctx.error(f'unrecognized attribute name "{name}"', start, end)
        return
    if spec.kind != "attr":
        ctx.error(f'"{name}" must be a block, but is used as an attribute', start, end)
        return
    if name in seen:
        ctx.error(f'attribute "{name}" may only be provided once', start, end)
        return
    seen.add(name)
    secret = holds_secret(spec.type)
    try:
        value = ctx.evaluate(stmt.value)
    except UnknownValue:
        values[spec.py_name] = _UNKNOWN
        ctx.partial = True
        return
    except Exception as err:  # the evaluator's error carries its own diagnostic
        diag = getattr(err, "diagnostic", None)
        if diag is None:
            raise
        if secret:
            diag = dataclasses.replace(diag, message=mask_literals(diag.message, stmt.value))
        ctx.diagnostics.append(diag)
        return
    try:
        values[spec.py_name] = convert(value, spec.type)
    except TextError as err:  # a Go type's own words, at the literal that failed
        ctx.error(err.message, *value_span(stmt.value, err.path))
    except ConvertError as err:
        span = ast.start_pos(stmt.value), ast.end_pos(stmt.value)
        type_checker = ctx.validate_mode and not (ctx.run_words and ctx.run_words(stmt.value))
        if type_checker and not err.path and err.message.startswith(_SHOULD_BE):
            # Alloy's type checker words a whole value of the wrong kind this way.
            message = "expected " + err.message[len(_SHOULD_BE) :]
        else:
            message = f"{ctx.expr_text(stmt.value)}{err.path} {err.message}"
        if secret:
            message = mask_literals(message, stmt.value)
        ctx.error(message, *span)


_SHOULD_BE = "should be "


def _decode_block(
    stmt: ast.BlockStmt,
    specs: dict[str, FieldSpec],
    values: dict[str, Any],
    seen: set[str],
    ctx: DecodeContext,
) -> None:
    name = stmt.full_name
    spec = specs.get(name)
    whole = (stmt.name_pos, stmt.rcurly)
    if spec is None:
        ctx.error(f'unrecognized block name "{name}"', *whole)
        return
    if spec.kind != "block":
        ctx.error(f'"{name}" must be an attribute, but is used as a block', *whole)
        return
    labeled = label_field_of(spec.element) is not None
    if stmt.label is not None and not labeled:
        ctx.error(f'block "{name}" does not support specifying labels', stmt.name_pos, stmt.lcurly)
        return
    if stmt.label is None and labeled:
        ctx.error(f'block "{name}" requires non-empty label', stmt.name_pos, stmt.lcurly)
        return
    if spec.repeated:
        decoded = _decode_over(spec.element, None, stmt.body, ctx, stmt, stmt.label)
        if name not in seen:
            values[spec.py_name] = []
            seen.add(name)
        if decoded is not None:
            values[spec.py_name].append(decoded)
        return
    if name in seen:
        ctx.error(f'block "{name}" may only be specified once', *whole)
        return
    seen.add(name)
    current = values.get(spec.py_name)
    base = current if dataclasses.is_dataclass(current) else None
    decoded = _decode_over(spec.element, base, stmt.body, ctx, stmt, stmt.label)
    if decoded is not None:
        values[spec.py_name] = decoded
