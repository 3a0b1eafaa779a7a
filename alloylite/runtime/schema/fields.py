"""Declaring the Alloy fields of an argument dataclass, and reading them back.

`attr()` and `block()` are `dataclasses.field`s carrying Alloy metadata (name, required,
docs text); `fields_of()` gives the decoder, the encoder and the docs one view of them.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import MISSING, dataclass
from functools import cache
from typing import Any, Literal

from alloylite.runtime.schema.text import TextValue

META_KEY = "alloy"

FieldKind = Literal["attr", "block", "label"]


@dataclass(frozen=True, slots=True)
class FieldMeta:
    """What `attr()` / `block()` store in a dataclass field's metadata."""

    kind: FieldKind
    name: str | None
    required: bool
    doc: str = ""


def attr(
    name: str | None = None,
    *,
    required: bool = False,
    default: Any = MISSING,
    default_factory: Any = MISSING,
    doc: str = "",
) -> Any:
    """An attribute field (`name = value` in the block body); `doc` is its docs text."""
    return _field(FieldMeta("attr", name, required, doc), default, default_factory)


def block(
    name: str | None = None,
    *,
    required: bool = False,
    default: Any = MISSING,
    default_factory: Any = MISSING,
    doc: str = "",
) -> Any:
    """A block field: `X | None` optional single, `list[X]` repeatable, `X` required single."""
    return _field(FieldMeta("block", name, required, doc), default, default_factory)


def _field(meta: FieldMeta, default: Any, factory: Any) -> Any:
    metadata = {META_KEY: meta}
    if default is MISSING and factory is MISSING:
        # Required fields have no default; kw_only lets them follow defaulted fields.
        return dataclasses.field(kw_only=True, metadata=metadata)
    if factory is not MISSING:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def label() -> Any:
    """The field that receives a block's label (Go's `alloy:",label"`): `x "label" { }`.

    A block type with a label field requires a non-empty label; one without rejects labels.
    """
    return dataclasses.field(default="", metadata={META_KEY: FieldMeta("label", None, True)})


class DataSchema:
    """Base of argument types whose fields come from data, not from a dataclass.

    The component catalogue describes 184 components; making a dataclass of each
    block of each would cost more than validating the config. A subclass instead
    gives its fields (`__alloy_fields__`, called once, when the decoder first meets
    the type) and its label field's name; instances hold the decoded values as
    attributes.
    """

    __alloy_label__: str | None = None

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)

    @classmethod
    def __alloy_fields__(cls) -> dict[str, FieldSpec]:
        raise NotImplementedError


def is_data_schema(cls: type) -> bool:
    """Whether `cls` is a `DataSchema` (a plain bool, so type checkers keep `cls` as it is)."""
    return issubclass(cls, DataSchema)


def data_field(
    alloy_name: str,
    kind: FieldKind,
    required: bool,
    tp: Any,
    *,
    element: Any = None,
    repeated: bool = False,
) -> FieldSpec:
    """A `FieldSpec` for a `DataSchema`: Python name = Alloy name, default None or []."""
    if required and not repeated:
        default = dataclasses.field()
    elif repeated:
        default = dataclasses.field(default_factory=list)
    else:
        default = dataclasses.field(default=None)
    return FieldSpec(alloy_name, alloy_name, kind, required, tp, element, repeated, default)


@cache
def label_field_of(cls: type) -> str | None:
    """The Python name of `cls`'s label field, if it has one."""
    if is_data_schema(cls):
        return getattr(cls, "__alloy_label__", None)
    for f in dataclasses.fields(cls):
        meta = f.metadata.get(META_KEY)
        if meta is not None and meta.kind == "label":
            return f.name
    return None


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of an argument dataclass, as the decoder sees it."""

    alloy_name: str
    py_name: str
    kind: FieldKind
    required: bool
    type: Any  # the full annotation
    element: Any  # for blocks: the dataclass of one block
    repeated: bool  # for blocks: list[X]
    field: dataclasses.Field[Any]
    doc: str = ""

    def has_default(self) -> bool:
        return self.field.default is not MISSING or self.field.default_factory is not MISSING

    def default(self) -> Any:
        if self.field.default_factory is not MISSING:
            return self.field.default_factory()
        return self.field.default


@cache
def fields_of(cls: type) -> dict[str, FieldSpec]:
    """The Alloy-visible fields of an argument dataclass, keyed by Alloy name."""
    if is_data_schema(cls):
        fields: dict[str, FieldSpec] = getattr(cls, "__alloy_fields__")()  # noqa: B009
        return fields
    hints = typing.get_type_hints(cls, include_extras=True)
    out: dict[str, FieldSpec] = {}
    for f in dataclasses.fields(cls):
        meta = f.metadata.get(META_KEY)
        if meta is None or meta.kind == "label":
            continue
        tp = _converted_as(hints[f.name])
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
            doc=meta.doc,
        )
    return out


def _converted_as(tp: Any) -> Any:
    """The type a field converts by: `Annotated[str, Regexp]` is a `str` to its class (and
    to mypy) that Alloy decodes through the Go type's own `UnmarshalText`."""
    if typing.get_origin(tp) is not typing.Annotated:
        return tp
    base, *extras = typing.get_args(tp)
    texts = [x for x in extras if isinstance(x, type) and issubclass(x, TextValue)]
    return texts[0] if texts else base


def defaults_of(cls: type) -> dict[str, Any]:
    """Field values of `cls` before any body is applied (MISSING for required ones)."""
    return {
        spec.py_name: spec.default() if spec.has_default() else MISSING
        for spec in fields_of(cls).values()
    } | {
        f.name: (f.default_factory() if f.default_factory is not MISSING else f.default)
        for f in (dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else ())
        if META_KEY not in f.metadata
    }


def _block_element(tp: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(tp)
    if origin is list:
        return typing.get_args(tp)[0], True
    if is_union(tp):
        return union_members(tp)[0], False
    return tp, False


def is_union(tp: Any) -> bool:
    """`X | Y` or `Optional[X]`, however it was written."""
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def union_members(tp: Any) -> list[Any]:
    """The members of a union other than `None`."""
    return [a for a in typing.get_args(tp) if a is not type(None)]
