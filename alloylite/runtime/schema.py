"""Component argument schemas and the decoder from a block body into them.

Arguments are dataclasses whose fields carry Alloy metadata through `attr()`
and `block()` (see /work/notes/SCHEMA_API.md). Decoding follows Alloy's struct
decoder: defaults first, then the body laid over them, then `validate()`;
problems become `Diagnostic`s with Alloy's messages and positions (spec
alloy-syntax.md §4.4). The runtime keeps only the first problem of a block
(as Alloy's decoder stops there); `validate` keeps them all.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable
from dataclasses import MISSING, dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from alloylite.eval.decode import to_string
from alloylite.eval.values import Bytes, Capsule, Function, Secret, type_name
from alloylite.syntax import ast
from alloylite.syntax.diag import Diagnostic, Severity

_META_KEY = "alloy"


@dataclass(frozen=True, slots=True)
class _Meta:
    kind: str  # "attr" | "block"
    name: str | None
    required: bool


def attr(
    name: str | None = None,
    *,
    required: bool = False,
    default: Any = MISSING,
    default_factory: Any = MISSING,
) -> Any:
    """An attribute field (`name = value` in the block body)."""
    return _field("attr", name, required, default, default_factory)


def block(
    name: str | None = None,
    *,
    required: bool = False,
    default: Any = MISSING,
    default_factory: Any = MISSING,
) -> Any:
    """A block field: `X | None` optional single, `list[X]` repeatable, `X` required single."""
    return _field("block", name, required, default, default_factory)


def label() -> Any:
    """The field that receives a block's label (Go's `alloy:",label"`): `x "label" { }`.

    A block type with a label field requires a non-empty label; one without rejects labels.
    """
    return dataclasses.field(default="", metadata={_META_KEY: _Meta("label", None, True)})


def label_field_of(cls: type) -> str | None:
    """The Python name of `cls`'s label field, if it has one."""
    for f in dataclasses.fields(cls):
        meta = f.metadata.get(_META_KEY)
        if meta is not None and meta.kind == "label":
            return f.name
    return None


def _field(kind: str, name: str | None, required: bool, default: Any, factory: Any) -> Any:
    meta = {_META_KEY: _Meta(kind, name, required)}
    if default is MISSING and factory is MISSING:
        # Required fields have no default; kw_only lets them follow defaulted fields.
        return dataclasses.field(kw_only=True, metadata=meta)
    if factory is not MISSING:
        return dataclasses.field(default_factory=factory, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


# ---------------------------------------------------------------- schema model


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of an argument dataclass, as the decoder sees it."""

    alloy_name: str
    py_name: str
    kind: str  # "attr" | "block"
    required: bool
    type: Any  # the full annotation
    element: Any  # for blocks: the dataclass of one block
    repeated: bool  # for blocks: list[X]
    field: dataclasses.Field[Any]

    def has_default(self) -> bool:
        return self.field.default is not MISSING or self.field.default_factory is not MISSING

    def default(self) -> Any:
        if self.field.default_factory is not MISSING:
            return self.field.default_factory()
        return self.field.default


@cache
def fields_of(cls: type) -> dict[str, FieldSpec]:
    """The Alloy-visible fields of an argument dataclass, keyed by Alloy name."""
    hints = typing.get_type_hints(cls)
    out: dict[str, FieldSpec] = {}
    for f in dataclasses.fields(cls):
        meta = f.metadata.get(_META_KEY)
        if meta is None or meta.kind == "label":
            continue
        tp = hints[f.name]
        element, repeated = None, False
        if meta.kind == "block":
            element, repeated = _block_element(tp)
        out[meta.name or f.name] = FieldSpec(
            alloy_name=meta.name or f.name,
            py_name=f.name,
            kind=meta.kind,
            required=meta.required,
            type=tp,
            element=element,
            repeated=repeated,
            field=f,
        )
    return out


def _block_element(tp: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(tp)
    if origin is list:
        return typing.get_args(tp)[0], True
    if _is_union(tp):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return inner[0], False
    return tp, False


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


# ------------------------------------------------------------ value conversion


class ConvertError(Exception):
    """A value does not fit its field; `path` is Alloy's `.key` / `[i]` suffix."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def _mismatch(path: str, expected: str, value: Any) -> ConvertError:
    return ConvertError(path, f"should be {expected}, got {type_name(value)}")


def _parse_number(text: str, path: str, value: Any) -> int | float:
    try:
        if any(c in text for c in ".eE"):
            return float(text)
        return int(text, 10)
    except ValueError:
        raise _mismatch(path, "number", value) from None


def convert(value: Any, tp: Any, path: str = "") -> Any:
    """Convert an Alloy value to the Python type `tp` (alloy-syntax.md §3.6)."""
    if tp is Any or tp is object:
        return value
    if _is_union(tp):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        if len(args) == 1:
            return convert(value, args[0], path)
        return value
    if value is None:
        return zero_value(tp)
    origin = typing.get_origin(tp)
    if origin is list:
        if not isinstance(value, list | tuple):
            raise _mismatch(path, "array", value)
        (elem,) = typing.get_args(tp) or (Any,)
        return [convert(v, elem, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise _mismatch(path, "object", value)
        _, elem = typing.get_args(tp) or (str, Any)
        return {k: convert(v, elem, f"{path}.{k}") for k, v in value.items()}
    if tp is str:
        if isinstance(value, str):
            return value
        # Numbers and byte slices (`encoding.from_base64`) become text exactly as the
        # evaluator converts them for a string argument: one helper for both.
        if isinstance(value, Bytes) or (
            isinstance(value, int | float) and not isinstance(value, bool)
        ):
            return to_string(value)
        raise _mismatch(path, "string", value)
    if tp is Secret:
        if isinstance(value, Secret):
            return value
        return Secret(convert(value, str, path))
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise _mismatch(path, "bool", value)
    if tp is int or tp is float:
        if isinstance(value, str):
            value = _parse_number(value, path, value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _mismatch(path, "number", value)
        return tp(value)
    if tp is timedelta:
        if isinstance(value, timedelta):
            return value
        text = convert(value, str, path)
        try:
            return parse_duration(text)
        except ValueError as err:
            raise ConvertError(path, str(err)) from None
    if isinstance(tp, type) and isinstance(value, tp):
        return value
    if isinstance(value, Capsule) or not isinstance(value, str | int | float | list | dict):
        return value  # capsules of component types are checked by the component
    raise _mismatch(path, "capsule", value)


def zero_value(tp: Any) -> Any:
    """Go's zero value for a field type: what `null` assigns."""
    origin = typing.get_origin(tp)
    if origin is list:
        return []
    if origin is dict:
        return {}
    return {str: "", int: 0, float: 0.0, bool: False, timedelta: timedelta(0)}.get(tp)


# ------------------------------------------------------------------ durations

_UNITS = {
    "ns": 1e-3,
    "us": 1.0,
    "µs": 1.0,
    "μs": 1.0,
    "ms": 1e3,
    "s": 1e6,
    "m": 60e6,
    "h": 3600e6,
}
_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)([^0-9.]*)")


def parse_duration(text: str) -> timedelta:
    """Go's `time.ParseDuration` (with Go's error texts), to microsecond precision."""
    orig = text
    sign = 1
    if text[:1] in ("-", "+"):
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    if text == "0":
        return timedelta(0)
    if text == "":
        raise ValueError(f'time: invalid duration "{orig}"')
    total = 0.0
    pos = 0
    while pos < len(text):
        m = _DURATION_PART.match(text, pos)
        assert m is not None
        number, unit = m.group(1), m.group(2)
        if number in ("", "."):
            raise ValueError(f'time: invalid duration "{orig}"')
        if unit == "":
            raise ValueError(f'time: missing unit in duration "{orig}"')
        if unit not in _UNITS:
            raise ValueError(f'time: unknown unit "{unit}" in duration "{orig}"')
        total += float(number) * _UNITS[unit]
        pos = m.end()
    return timedelta(microseconds=sign * total)


def format_duration(value: timedelta) -> str:
    """Go's `Duration.String()`: `1h30m0s`, `100ms`, `0s`."""
    micros = round(value.total_seconds() * 1e6)
    if micros == 0:
        return "0s"
    sign = "-" if micros < 0 else ""
    micros = abs(micros)
    if micros < 1_000_000:
        if micros % 1000 == 0:
            return f"{sign}{micros // 1000}ms"
        return f"{sign}{_trim(micros / 1000)}ms" if micros >= 1000 else f"{sign}{micros}µs"
    hours, rest = divmod(micros, 3_600_000_000)
    minutes, rest = divmod(rest, 60_000_000)
    seconds = _trim(rest / 1e6)
    out = sign
    if hours:
        out += f"{hours}h"
    if hours or minutes:
        out += f"{minutes}m"
    return out + f"{seconds}s"


def _trim(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------- decoder


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
    partial: bool = False  # some value was UnknownValue: nothing can be built

    def expr_text(self, expr: ast.Expr) -> str:
        start, end = ast.start_pos(expr), ast.end_pos(expr)
        if 0 <= start.offset <= end.offset < len(self.source):
            raw = self.source[start.offset : end.offset + 1]
            return raw.decode("utf-8", "surrogateescape")
        return _print_expr(expr)

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


class UnknownValue(Exception):  # noqa: N818 - a signal, not an error
    """Raised by `DecodeContext.evaluate` for a value only known at run time.

    `validate` raises it for expressions that read another component's
    exports: the attribute counts as present, but the instance is not built.
    """


def _print_expr(expr: ast.Expr) -> str:
    """A short rendering of an expression when its source text is not at hand."""
    match expr:
        case ast.LiteralExpr(raw=raw):
            return raw
        case ast.IdentifierExpr(ident=ident):
            return ident.name
        case ast.AccessExpr(value=value, name=name):
            return f"{_print_expr(value)}.{name.name}"
        case ast.ArrayExpr(elements=elements):
            return "[" + ", ".join(_print_expr(e) for e in elements) + "]"
        case ast.ObjectExpr(fields=fields):
            inner = ", ".join(f"{f.name.name} = {_print_expr(f.value)}" for f in fields)
            return "{" + inner + "}"
    return "value"


def decode(cls: type, body: ast.Body, ctx: DecodeContext, where: ast.BlockStmt | None) -> Any:
    """Decode a block body into a new `cls` instance laid over its defaults.

    Returns None when any problem was found (the diagnostics are in `ctx`).
    """
    return _decode_over(cls, None, body, ctx, where)


def defaults_of(cls: type) -> dict[str, Any]:
    """Field values of `cls` before any body is applied (MISSING for required ones)."""
    return {
        spec.py_name: spec.default() if spec.has_default() else MISSING
        for spec in fields_of(cls).values()
    } | {
        f.name: (f.default_factory() if f.default_factory is not MISSING else f.default)
        for f in dataclasses.fields(cls)
        if _META_KEY not in f.metadata
    }


def _decode_over(
    cls: type,
    base: Any,
    body: ast.Body,
    ctx: DecodeContext,
    where: ast.BlockStmt | None,
    label: str | None = None,
) -> Any:
    specs = fields_of(cls)
    if base is not None:
        values = {f.name: getattr(base, f.name) for f in dataclasses.fields(cls)}
    else:
        values = defaults_of(cls)
    before = len(ctx.diagnostics)
    seen: set[str] = set()
    for stmt in body:
        if isinstance(stmt, ast.AttributeStmt):
            _decode_attr(stmt, specs, values, seen, ctx)
        else:
            _decode_block(stmt, specs, values, seen, ctx)
    if len(ctx.diagnostics) > before:
        return None
    for spec in specs.values():
        if not spec.required or spec.alloy_name in seen:
            continue
        if spec.kind == "attr":
            ctx.unpositioned(f'missing required attribute "{spec.alloy_name}"', where)
        else:
            ctx.unpositioned(f'missing required block "{spec.alloy_name}"', where)
    if len(ctx.diagnostics) > before or ctx.partial:
        return None
    label_name = label_field_of(cls)
    if label_name is not None:
        values[label_name] = label or ""
    instance = cls(**values)
    check = getattr(instance, "validate", None)
    if callable(check):
        try:
            check()
        except ValueError as err:
            ctx.unpositioned(str(err), where)
            return None
    return instance


def _decode_attr(
    stmt: ast.AttributeStmt,
    specs: dict[str, FieldSpec],
    values: dict[str, Any],
    seen: set[str],
    ctx: DecodeContext,
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
    try:
        value = ctx.evaluate(stmt.value)
    except UnknownValue:
        ctx.partial = True
        return
    except Exception as err:  # the evaluator's error carries its own diagnostic
        diag = getattr(err, "diagnostic", None)
        if diag is None:
            raise
        ctx.diagnostics.append(diag)
        return
    try:
        values[spec.py_name] = convert(value, spec.type)
    except ConvertError as err:
        text = ctx.expr_text(stmt.value) + err.path
        ctx.error(f"{text} {err.message}", ast.start_pos(stmt.value), ast.end_pos(stmt.value))


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


# -------------------------------------------------------------------- encoding


# The password of a URL's user info (`scheme://user:password@host`): shown as Go's
# URL.Redacted shows it, since a URL argument (an endpoint `url`) is a plain string.
_URL_PASSWORD = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^/?#\s:@]*:)[^/?#\s]*@")


def encode(value: Any) -> Any:
    """Arguments/exports as plain JSON-able data for the API; secrets never leak."""
    if isinstance(value, Secret):
        return "(secret)"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        specs = fields_of(type(value))
        return {spec.alloy_name: encode(getattr(value, spec.py_name)) for spec in specs.values()}
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, str):
        return _URL_PASSWORD.sub(r"\g<head>xxxxx@", value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Function):
        return f"function {value.name}"
    return "(capsule)"
