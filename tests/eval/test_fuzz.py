"""Random expressions never crash the evaluator: a value or an EvalError."""

from __future__ import annotations

from hypothesis import event, given, settings
from hypothesis import strategies as st

from alloylite.eval.errors import EvalError
from alloylite.eval.evaluator import evaluate
from alloylite.eval.render import render_value
from alloylite.syntax.parser import parse_expression

atoms = st.sampled_from(
    [
        "0",
        "1",
        "-1",
        "2.5",
        "1e308",
        "18446744073709551615",
        "9223372036854775807",
        '"a"',
        '""',
        '"\\xff"',
        "`raw`",
        "true",
        "false",
        "null",
        "[]",
        "{}",
        '[1, "x", null]',
        "{a = 1, b = [2]}",
        "sys.env",
        "string",
        "constants.os",
        'encoding.from_base64("aGk=")',
        'encoding.from_yaml("1: a")',
    ]
)
operators = st.sampled_from(
    ["+", "-", "*", "/", "%", "^", "==", "!=", "<", "<=", ">", ">=", "&&", "||"]
)
calls = st.sampled_from(
    [
        "string.format",
        "string.join",
        "string.split",
        "string.replace",
        "string.to_upper",
        "string.trim",
        "encoding.from_json",
        "encoding.to_json",
        "encoding.from_yaml",
        "encoding.to_base64",
        "encoding.url_decode",
        "array.concat",
        "array.combine_maps",
        "array.group_by",
        "coalesce",
        "json_path",
        "file.path_join",
        "convert.nonsensitive",
        "sys.env",
    ]
)


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 3:
        return draw(atoms)
    kind = draw(st.integers(0, 6))
    sub = lambda: draw(expressions(depth + 1))  # noqa: E731
    if kind == 0:
        return draw(atoms)
    if kind == 1:
        return f"{sub()} {draw(operators)} {sub()}"
    if kind == 2:
        return f"{draw(st.sampled_from(['-', '!']))}{sub()}"
    if kind == 3:
        return f"{sub()}[{sub()}]"
    if kind == 4:
        return f"({sub()}).{draw(st.sampled_from(['a', 'b', 'x']))}"
    if kind == 5:
        args = ", ".join(sub() for _ in range(draw(st.integers(0, 4))))
        return f"{draw(calls)}({args})"
    return "[" + ", ".join(sub() for _ in range(draw(st.integers(0, 3)))) + "]"


@settings(max_examples=300, deadline=None)
@given(expressions())
def test_never_crashes(text: str) -> None:
    """The generator builds only well-formed expressions, so each one parses; evaluating it
    gives a value that renders, or an EvalError with a message."""
    parsed = parse_expression(text)
    assert not parsed.diagnostics, [d.message for d in parsed.diagnostics]
    try:
        value = evaluate(parsed.expr)
    except EvalError as err:
        event("evaluation error")
        assert err.text
        return
    event("value")
    assert isinstance(render_value(value), str)
