"""Data-driven evaluator tests: expression text -> rendered value or error."""

from __future__ import annotations

import pytest

from alloylite.eval.errors import EvalError
from alloylite.eval.evaluator import evaluate
from alloylite.eval.render import render_value
from alloylite.syntax.parser import parse_expression
from tests.eval.cases import ERRORS, VALUES


def _parse(text: str):  # type: ignore[no-untyped-def]
    result = parse_expression(text)
    assert not result.diagnostics, result.diagnostics
    return result.expr


@pytest.mark.parametrize(("source", "expected"), VALUES)
def test_value(source: str, expected: str) -> None:
    assert render_value(evaluate(_parse(source))) == expected


@pytest.mark.parametrize(("source", "expected"), ERRORS)
def test_error(source: str, expected: str) -> None:
    with pytest.raises(EvalError) as info:
        evaluate(_parse(source))
    assert info.value.text == expected
