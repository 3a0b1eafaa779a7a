"""Converting Alloy values to field types: one converter per kind of annotation, and
capsules handed to components as the objects they carry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, Protocol, runtime_checkable

import pytest

from alloylite.eval.values import Bytes, Capsule, Function, Secret
from alloylite.runtime.schema import (
    ConvertError,
    DecodeContext,
    alloy_type,
    attr,
    block,
    capsule_name,
    capsule_type,
    convert,
    decode,
    fields_of,
)
from tests.runtime import ast_helpers as A


@capsule_type("ThingReceiver")
@runtime_checkable
class Receiver(Protocol):
    def receive(self, item: str) -> None: ...


class Sink:
    def __init__(self) -> None:
        self.items: list[str] = []

    def receive(self, item: str) -> None:
        self.items.append(item)


class Unnamed:
    """A class with no declared capsule name."""


@pytest.mark.parametrize(
    ("value", "tp", "expected"),
    [
        ("a", Any, "a"),
        (None, Any, None),
        ({"k": 1}, object, {"k": 1}),
        ("a", str, "a"),
        (12, str, "12"),
        (Bytes(b"hi"), str, "hi"),
        ("s", Secret, Secret("s")),
        (True, bool, True),
        ("12", int, 12),
        (3, float, 3.0),
        ("2.5", float, 2.5),
        ("1m30s", timedelta, timedelta(seconds=90)),
        (timedelta(seconds=1), timedelta, timedelta(seconds=1)),
        ([1, "2"], list[str], ["1", "2"]),
        ({"a": 1}, dict[str, str], {"a": "1"}),
        (None, str | None, None),
        ("5s", timedelta | None, timedelta(seconds=5)),
        (None, str, ""),
        (None, int, 0),
        (None, list[str], []),
        (None, dict[str, str], {}),
        (None, timedelta, timedelta(0)),
    ],
)
def test_each_kind_converts(value: Any, tp: Any, expected: Any) -> None:
    assert convert(value, tp) == expected


@pytest.mark.parametrize(
    ("value", "tp", "path", "message"),
    [
        (True, str, "", "should be string, got bool"),
        ("x", int, "", "should be number, got string"),
        (True, int, "", "should be number, got bool"),
        (1, bool, "", "should be bool, got number"),
        ("a", list[str], "", "should be array, got string"),
        ([], dict[str, str], "", "should be object, got array"),
        ([1, True], list[str], "[1]", "should be string, got bool"),
        ({"a": [1]}, dict[str, str], ".a", "should be string, got array"),
        ("1d", timedelta, "", 'time: unknown unit "d" in duration "1d"'),
    ],
)
def test_each_kind_reports_alloys_mismatch(value: Any, tp: Any, path: str, message: str) -> None:
    with pytest.raises(ConvertError) as info:
        convert(value, tp)
    assert (info.value.path, info.value.message) == (path, message)


def test_an_annotation_with_no_conversion_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="no Alloy conversion"):
        convert(1, tuple[int, int])


def test_a_capsule_hands_its_payload_to_the_component() -> None:
    sink = Sink()
    assert convert(Capsule(sink, "ThingReceiver"), Receiver) is sink
    assert convert([Capsule(sink, "ThingReceiver"), sink], list[Receiver]) == [sink, sink]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nope", "should be capsule, got string"),
        (None, "should be capsule, got null"),
        ([], "should be capsule, got array"),
        (Function("f", len), "should be capsule, got function"),
        (Unnamed(), 'expected capsule("ThingReceiver"), got capsule("Unnamed")'),
        (
            Capsule(1, "OtherReceiver"),
            'expected capsule("ThingReceiver"), got capsule("OtherReceiver")',
        ),
    ],
)
def test_anything_else_is_a_capsule_mismatch(value: Any, message: str) -> None:
    with pytest.raises(ConvertError) as info:
        convert([value], list[Receiver])
    assert (info.value.path, info.value.message) == ("[0]", message)


def test_capsule_names_come_from_the_class() -> None:
    assert capsule_name(Receiver) == "ThingReceiver"
    assert capsule_name(Unnamed) == "Unnamed"
    assert alloy_type(list[Receiver]) == "list(ThingReceiver)"
    assert alloy_type(dict[str, list[Secret]]) == "map(list(secret))"
    assert alloy_type(timedelta | None) == "duration"


@dataclass
class Options:
    level: str = attr(default="info", doc="How much to say.")


@dataclass
class Forwarding:
    forward_to: list[Receiver] = attr(required=True, doc="Where things go.")
    options: Options | None = block(default=None, doc="Tuning.")


BUILD_FAILED = "Failed to build component: decoding configuration: "


def _decode(targets: list[Any], prefix: str | None = None) -> tuple[Any, list[str]]:
    """Decode `forward_to = targets` (validate mode; run mode with `prefix`)."""
    outer = A.block("thing.forward", A.attr("forward_to", A.ref("targets")), label="x")
    evaluate = partial(A.evaluate_literal, scope={"targets": targets})
    ctx = DecodeContext(evaluate, b"", "main.alloy", outer, prefix)
    return decode(Forwarding, outer.body, ctx, outer), [d.message for d in ctx.diagnostics]


def test_decoded_arguments_hold_the_plain_objects() -> None:
    sink = Sink()
    decoded, diags = _decode([Capsule(sink, "ThingReceiver")])
    assert diags == []
    assert decoded.forward_to == [sink]


def test_a_capsule_mismatch_is_reported_on_the_value_like_any_type_error() -> None:
    message = "targets[0] should be capsule, got string"
    assert _decode(["nope"]) == (None, [message])
    assert _decode(["nope"], BUILD_FAILED) == (None, [message])


def test_fields_keep_their_docs_text() -> None:
    specs = fields_of(Forwarding)
    assert specs["forward_to"].doc == "Where things go."
    assert specs["options"].doc == "Tuning."
    assert fields_of(Options)["level"].doc == "How much to say."
