"""Function calls in `validate`: Alloy's validator evaluates none, so its part of the report
never depends on one; alloylite evaluates them after, and reports what they add as its own."""

from __future__ import annotations

import pytest

from alloylite.runtime.arguments import calls_a_function
from alloylite.runtime.component import Stability
from alloylite.runtime.validate import check_text
from alloylite.syntax import ast
from alloylite.syntax.parser import parse_file


def _body(text: str) -> ast.Body:
    parsed = parse_file(text)
    assert parsed.file is not None, parsed.diagnostics
    [block] = parsed.file.body
    assert isinstance(block, ast.BlockStmt)
    return block.body


@pytest.mark.parametrize(
    ("value", "calls"),
    [
        ('"x"', False),
        ("a.b.c", False),
        ("[1, {a = -x[0]}]", False),
        ('f("x")', True),
        ('[1, {a = string.join(["x"], "")}]', True),
        ("-(x + y[g()])", True),
        ("h().field", True),
    ],
)
def test_calls_are_found_anywhere_in_an_expression(value: str, calls: bool) -> None:
    assert calls_a_function(_body(f"b {{\n  v = {value}\n}}\n")) is calls


def test_calls_are_found_in_nested_blocks() -> None:
    assert calls_a_function(_body("b {\n  inner {\n    deeper {\n      v = f()\n    }\n  }\n}\n"))
    assert not calls_a_function(_body("b {\n  inner {\n    v = 1\n  }\n}\n"))


def _check(text: str) -> tuple[list[str], list[str]]:
    config = check_text(text.encode(), "main.alloy", Stability.EXPERIMENTAL)
    own = [f"{d.start.line}: {d.message}" for d in config.own if d.start]
    alloys = config.diagnostics[: len(config.diagnostics) - len(config.own)]
    return [f"{d.start.line}: {d.message}" for d in alloys if d.start], own


def test_a_call_s_error_is_alloylite_s_own_and_comes_after_alloy_s_diagnostics() -> None:
    alloys, own = _check(
        'pyroscope.write "a" {\n'
        "  external_labels = array.combine_maps([], [], [])\n"
        "  endpoint {\n    url = true\n  }\n}\n"
    )
    assert alloys == ["4: expected string, got bool"]
    assert own == ["2: [] combine_maps: merge conditions must not be empty"]


def test_a_call_s_value_of_the_wrong_type_is_alloylite_s_own() -> None:
    alloys, own = _check(
        'pyroscope.write "a" {\n  endpoint {\n    url = array.concat(["x"])\n  }\n}\n'
    )
    assert alloys == []
    assert own == ["3: expected string, got array"]


def test_a_value_with_no_call_is_checked_once_in_alloy_s_part() -> None:
    alloys, own = _check('pyroscope.write "a" {\n  endpoint {\n    url = "http://x" + 1\n  }\n}\n')
    assert len(alloys) == 1 and own == []


def test_an_error_that_hangs_on_an_unset_variable_is_not_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`encoding.from_json(sys.env("X"))` fails on the `""` an unset X gives here; where
    `run` runs, X is set: validate says nothing. With X set to bad JSON it reports."""
    text = (
        'pyroscope.write "a" {\n  external_labels = encoding.from_json('
        'sys.env("ALLOYLITE_TEST_JSON"))\n  endpoint {\n    url = "http://x"\n  }\n}\n'
    )
    monkeypatch.delenv("ALLOYLITE_TEST_JSON", raising=False)
    assert _check(text) == ([], [])
    monkeypatch.setenv("ALLOYLITE_TEST_JSON", "{not json")
    alloys, own = _check(text)
    assert alloys == [] and len(own) == 1 and own[0].startswith("2: ")
