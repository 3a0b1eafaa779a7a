"""Scope lookup, component exports, capsules and secrets."""

from __future__ import annotations

import pytest

from alloylite.eval.errors import EvalError
from alloylite.eval.evaluator import evaluate
from alloylite.eval.render import RenderError, render_attribute, render_value
from alloylite.eval.scope import Scope
from alloylite.eval.values import Capsule, Function, Secret, UInt, type_name
from alloylite.syntax.parser import parse_expression


def run(text: str, scope: Scope | None = None) -> object:
    parsed = parse_expression(text)
    assert not parsed.diagnostics
    return evaluate(parsed.expr, scope)


class Receiver:
    """Stands in for a component export that is not an Alloy value."""


def test_component_exports_are_nested_objects() -> None:
    receiver = Receiver()
    scope = Scope({"pyroscope": {"write": {"backend": {"receiver": receiver}}}})
    assert run("pyroscope.write.backend.receiver", scope) is receiver
    assert run("[pyroscope.write.backend.receiver][0]", scope) is receiver
    assert type_name(receiver) == "capsule"
    assert render_value(receiver) == 'capsule("Receiver")'
    assert run("pyroscope.write.backend.receiver == pyroscope.write.backend.receiver", scope)


def test_child_scope_shadows_parent_and_stdlib() -> None:
    root = Scope({"a": 1, "string": {"x": 2}})
    child = root.child({"a": 3})
    assert run("a", child) == 3
    assert run("string.x", child) == 2
    assert run("sys.env == null", child) is False
    assert "a" in child and child["a"] == 3


def test_scope_values_keep_their_path_in_errors() -> None:
    scope = Scope({"key_value": {"object": {"field1": [1, 2, "x"], "field2": ["a", True]}}})
    with pytest.raises(EvalError) as info:
        run("key_value.object.field1[2] + 1", scope)
    assert info.value.text == "1:30: 1 should be string, got number"
    with pytest.raises(EvalError) as info:
        run("key_value.object.field1[2] - 1", scope)
    assert info.value.text == (
        "1:1: key_value.object.field1[2] should be one of [number] for binop -, got string"
    )
    with pytest.raises(EvalError) as info:
        run('string.join(key_value.object["field2"], ",")', scope)
    # Like Alloy, the element step is dropped once the argument itself is found.
    assert info.value.text == '1:13: key_value.object["field2"] should be string, got bool'


def test_missing_reference_is_positioned() -> None:
    with pytest.raises(EvalError) as info:
        run("1 + nope.x", Scope())
    d = info.value.diagnostic
    assert (d.start.line, d.start.col, d.end.col) == (1, 5, 8)  # type: ignore[union-attr]


def test_secret_concatenation_stays_secret_and_never_prints() -> None:
    scope = Scope({"token": Secret("hunter2")})
    joined = run('"Bearer " + token', scope)
    assert isinstance(joined, Secret) and joined.reveal() == "Bearer hunter2"
    assert render_value(joined) == "(secret)"
    assert run("convert.nonsensitive(token)", scope) == "hunter2"
    with pytest.raises(EvalError) as info:
        run("token - 1", scope)
    assert "hunter2" not in info.value.text
    assert info.value.text == "1:1: token should be one of [number] for binop -, got capsule"
    with pytest.raises(EvalError) as info:
        run("string.to_upper(token)", scope)
    assert "hunter2" not in info.value.text
    assert run('string.format("%v", token)', scope) == "(secret)"
    assert run('token == "hunter2"', scope) is True  # the string is compared as a secret
    assert run('"hunter2" != token', scope) is False
    with pytest.raises(EvalError) as info:
        run("token + 1", scope)
    assert info.value.text == "1:9: 1 should be capsule, got number"
    with pytest.raises(EvalError) as info:
        run("1 + token", scope)
    assert info.value.text == "1:5: token should be number, got capsule"
    assert info.value.diagnostic.value in (None, "(secret)")


def test_scope_functions_are_called_with_values() -> None:
    scope = Scope({"double": Function("double", lambda x: x * 2, 1, 1)})
    assert run("double(21)", scope) == 42
    with pytest.raises(EvalError) as info:
        run("double()", scope)
    assert info.value.text == "1:1: double expected 1 args, got 0"


def test_a_failing_scope_function_is_an_eval_error() -> None:
    def boom(_: object) -> object:
        raise RuntimeError("backend exploded")

    with pytest.raises(EvalError) as info:
        run("f(1)", Scope({"f": Function("f", boom, 1, 1)}))
    assert info.value.text == "1:1: f backend exploded"


def test_render_of_kinds() -> None:
    assert render_value(UInt(18446744073709551615)) == "18446744073709551615"
    assert render_value(Capsule(object(), "foo.Bar")) == 'capsule("foo.Bar")'
    assert render_value({"": 1, "true": 2}) == '{\n\t""     = 1,\n\t"true" = 2,\n}'
    assert render_value((1, 2)) == "[1, 2]"
    assert render_value(float("inf")) == "+Inf"
    with pytest.raises(RenderError, match="^1:3: expected expression, got [+]$"):
        render_attribute("v", float("inf"))
    assert render_value(float("nan")) == "NaN"
