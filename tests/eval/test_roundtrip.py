"""Rendered values read back as the same values (strings, numbers, nesting)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from alloylite.eval.evaluator import evaluate
from alloylite.eval.operators import values_equal
from alloylite.eval.render import render_value
from alloylite.syntax.parser import parse_expression


def reread(value: object) -> object:
    parsed = parse_expression(render_value(value))
    assert not parsed.diagnostics, (render_value(value), parsed.diagnostics)
    return evaluate(parsed.expr)


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
scalars = (
    texts
    | st.integers(min_value=0, max_value=2**63 - 1)
    | st.floats(min_value=0, allow_nan=False, allow_infinity=False)
    | st.booleans()
    | st.none()
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_strings_round_trip(text: str) -> None:
    assert reread(text) == text


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=12))
def test_byte_strings_round_trip(data: bytes) -> None:
    text = data.decode("utf-8", "surrogateescape")
    assert reread(text) == text


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0, allow_nan=False, allow_infinity=False))
def test_floats_round_trip(f: float) -> None:
    back = reread(f)
    assert float(back) == f  # type: ignore[arg-type]
    assert math.copysign(1, float(back)) == math.copysign(1, f)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(values)
def test_nested_values_round_trip(value: object) -> None:
    assert values_equal(reread(value), value)
