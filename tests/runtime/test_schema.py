"""Decoding block bodies into argument dataclasses (spec alloy-syntax.md §4.4, §3.6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from alloylite.eval.values import Secret
from alloylite.runtime.schema import (
    DecodeContext,
    attr,
    block,
    decode,
    encode,
    format_duration,
    parse_duration,
)
from tests.runtime import ast_helpers as A


@dataclass
class BasicAuth:
    username: str = attr(default="")
    password: Secret | None = attr(default=None)


@dataclass
class Endpoint:
    url: str = attr(required=True)
    name: str = attr(default="")
    remote_timeout: timedelta = attr(default=timedelta(seconds=10))
    headers: dict[str, str] = attr(default_factory=dict)
    basic_auth: BasicAuth | None = block(default=None)
    retries: int = attr(name="max_backoff_retries", default=10)

    def validate(self) -> None:
        if self.retries < 0:
            raise ValueError("max_backoff_retries must not be negative")


@dataclass
class Tuning:
    level: str = attr(default="info")
    format: str = attr(default="logfmt")


@dataclass
class Arguments:
    endpoints: list[Endpoint] = block(name="endpoint", default_factory=list)
    external_labels: dict[str, str] = attr(default_factory=dict)
    tuning: Tuning | None = block(default_factory=lambda: Tuning(format="json"))
    forward_to: list[Any] = attr(required=True)
    enabled: bool = attr(default=True)
    ratio: float = attr(default=1.0)
    internal: int = field(default=5)  # not an Alloy field


def run(cls: type, *body: Any, runtime: bool = False) -> tuple[Any, list[str]]:
    outer = A.block("test.component", *body, label="x")
    ctx = DecodeContext(
        evaluate=A.evaluate_literal,
        source=b"",
        filename="main.alloy",
        outer=outer,
        unpositioned_prefix="Failed to build component: decoding configuration: "
        if runtime
        else None,
    )
    value = decode(cls, outer.body, ctx, outer)
    return value, [d.message for d in ctx.diagnostics + ctx.rules]


def test_defaults_then_body() -> None:
    value, diags = run(
        Arguments,
        A.attr("forward_to", []),
        A.block("endpoint", A.attr("url", "http://a"), A.attr("remote_timeout", "1m30s")),
        A.block("endpoint", A.attr("url", 12), A.attr("headers", {"X": 1})),
        A.attr("external_labels", {"env": "prod"}),
    )
    assert diags == []
    assert value.external_labels == {"env": "prod"}
    assert [e.url for e in value.endpoints] == ["http://a", "12"]
    assert value.endpoints[0].remote_timeout == timedelta(seconds=90)
    assert value.endpoints[1].remote_timeout == timedelta(seconds=10)
    assert value.endpoints[1].headers == {"X": "1"}
    assert value.tuning == Tuning(format="json")
    assert value.internal == 5


def test_block_is_laid_over_its_default_instance() -> None:
    value, diags = run(
        Arguments, A.attr("forward_to", []), A.block("tuning", A.attr("level", "debug"))
    )
    assert diags == []
    assert value.tuning == Tuning(level="debug", format="json")


def test_secret_from_string_and_encode_hides_it() -> None:
    value, diags = run(
        Endpoint,
        A.attr("url", "http://x"),
        A.block("basic_auth", A.attr("username", "u"), A.attr("password", "hunter2")),
    )
    assert diags == []
    assert isinstance(value.basic_auth.password, Secret)
    assert value.basic_auth.password.reveal() == "hunter2"
    shown = encode(value)
    assert shown["basic_auth"] == {"username": "u", "password": "(secret)"}
    assert shown["remote_timeout"] == "10s"
    assert "hunter2" not in repr(shown)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ((A.attr("url", "a"), A.attr("colour", "red")), 'unrecognized attribute name "colour"'),
        ((A.attr("url", "a"), A.block("nope")), 'unrecognized block name "nope"'),
        (
            (A.attr("url", "a"), A.block("url")),
            '"url" must be an attribute, but is used as a block',
        ),
        (
            (A.attr("url", "a"), A.attr("basic_auth", 1)),
            '"basic_auth" must be a block, but is used as an attribute',
        ),
        (
            (A.attr("url", "a"), A.attr("url", "b")),
            'attribute "url" may only be provided once',
        ),
        (
            (A.attr("url", "a"), A.block("basic_auth"), A.block("basic_auth")),
            'block "basic_auth" may only be specified once',
        ),
        (
            (A.attr("url", "a"), A.block("basic_auth", label="x")),
            'block "basic_auth" does not support specifying labels',
        ),
        ((A.attr("url", True),), "true should be string, got bool"),
        ((A.attr("url", "a"), A.attr("headers", [])), "[] should be object, got array"),
        (
            (A.attr("url", "a"), A.attr("max_backoff_retries", "x")),
            '"x" should be number, got string',
        ),
        (
            (A.attr("url", "a"), A.attr("remote_timeout", "1d")),
            '"1d" time: unknown unit "d" in duration "1d"',
        ),
    ],
)
def test_decoder_messages(body: tuple[Any, ...], message: str) -> None:
    value, diags = run(Endpoint, *body, runtime=True)
    assert value is None
    assert diags == [message]


def test_validate_goes_on_to_missing_fields_and_words_kinds_as_the_type_checker() -> None:
    _, diags = run(Endpoint, A.attr("colour", "red"), A.attr("headers", []))
    assert diags == [
        'unrecognized attribute name "colour"',
        "expected object, got array",
        'missing required attribute "url"',
    ]


def test_positions_of_attribute_errors_span_the_statement() -> None:
    stmt = A.attr("colour", "red")
    outer = A.block("x", stmt)
    ctx = DecodeContext(A.evaluate_literal, b"", "f.alloy")
    decode(Endpoint, outer.body, ctx, outer)
    diag = ctx.diagnostics[0]
    assert diag.start == stmt.name.pos
    assert diag.end.line == stmt.value.pos.line and diag.filename == "f.alloy"


def test_missing_required_validate_mode_is_on_the_inner_block() -> None:
    inner = A.block("endpoint")
    outer = A.block("test.component", A.attr("forward_to", []), inner, label="x")
    ctx = DecodeContext(A.evaluate_literal, b"", "f.alloy", outer=outer)
    assert decode(Arguments, outer.body, ctx, outer) is None
    assert [d.message for d in ctx.diagnostics] == ['missing required attribute "url"']
    assert ctx.diagnostics[0].start == inner.name_pos


def test_missing_required_runtime_mode_is_wrapped_onto_the_component() -> None:
    value, diags = run(Arguments, runtime=True)
    assert value is None
    assert diags == [
        'Failed to build component: decoding configuration: missing required attribute "forward_to"'
    ]


def test_validate_hook() -> None:
    value, diags = run(Endpoint, A.attr("url", "a"), A.attr("max_backoff_retries", -1))
    assert diags == ["max_backoff_retries must not be negative"]


def test_collects_all_problems() -> None:
    # Alloy's validator reports the missing required fields too (validator invalid_properties)
    _, diags = run(Endpoint, A.attr("a", 1), A.attr("b", 2))
    assert diags == [
        'unrecognized attribute name "a"',
        'unrecognized attribute name "b"',
        'missing required attribute "url"',
    ]
    _, diags = run(Endpoint, A.attr("a", 1), runtime=True)
    assert diags == ['unrecognized attribute name "a"']  # the runtime stops at the first


def test_null_gives_zero_value_and_number_conversions() -> None:
    value, diags = run(
        Arguments,
        A.attr("forward_to", None),
        A.attr("ratio", "2.5"),
        A.attr("external_labels", None),
    )
    assert diags == []
    assert value.forward_to == [] and value.ratio == 2.5 and value.external_labels == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("100ms", timedelta(milliseconds=100)),
        ("0", timedelta(0)),
        ("-1.5s", timedelta(seconds=-1.5)),
        ("1m0.5s", timedelta(seconds=60.5)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", 'time: invalid duration ""'),
        ("10", 'time: missing unit in duration "10"'),
        ("1x", 'time: unknown unit "x" in duration "1x"'),
        ("s", 'time: invalid duration "s"'),
    ],
)
def test_parse_duration_errors(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_duration(text)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(0), "0s"),
        (timedelta(seconds=10), "10s"),
        (timedelta(minutes=90), "1h30m0s"),
        (timedelta(milliseconds=100), "100ms"),
        (timedelta(seconds=1.5), "1.5s"),
    ],
)
def test_format_duration(value: timedelta, text: str) -> None:
    assert format_duration(value) == text
