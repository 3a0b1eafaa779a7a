"""Properties of the printer on generated configs: it keeps meaning and comments.

Generated sources use every place where Alloy allows a line break or a
comment. Alloy's own printer changes meaning or is not idempotent in a few
documented corners (escaped quoted keys, TABs in strings, `f(⏎)`, comments
before estimated tokens); the generator stays out of those, so any failure
here is a bug of ours.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alloylite.syntax import ast
from alloylite.syntax.parser import parse_file
from alloylite.syntax.printer import format_file

NAMES = st.sampled_from(["a", "bb", "long_name", "x_1", "métrica"])
LITERALS = st.sampled_from(
    ["1", "0010", "1.50", "1e3", '"s"', '"é ü"', '"q\\"x"', "true", "null", "`raw`", "`r\nw`"]
)
OPERATORS = st.sampled_from(["+", "-", "*", "/", "%", "^", "==", "!=", "<", ">=", "&&", "||"])
# After an operator, a comma or an opener a newline is plain space, and a
# comment may sit there too.
SOFT_BREAK = st.sampled_from([" ", "", "\n", "\n\n  ", " /* c */ ", " // c\n"])


def _list(draw: st.DrawFn, items: list[str], opener: str, closer: str) -> str:
    """A bracketed list with Alloy-legal breaks: a trailing comma when the closer is on
    a new line. A call's `)` is an estimated token, so no comment goes before it (a
    documented quirk: the comment moves past it and a following `]` may need a comma)."""
    if not items:
        return opener + closer
    text = opener + draw(SOFT_BREAK)
    for i, item in enumerate(items):
        text += item
        if i + 1 < len(items):
            text += "," + draw(SOFT_BREAK)
    endings = ["", ",", ", ", ",\n"] + ([] if closer == ")" else [", // end\n"])
    return text + draw(st.sampled_from(endings)) + closer


@st.composite
def expressions(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0:
        return draw(st.one_of(LITERALS, NAMES))
    sub = expressions(depth - 1)
    kind = draw(
        st.sampled_from(
            ["leaf", "binary", "unary", "paren", "array", "object", "call", "access", "index"]
        )
    )
    if kind == "leaf":
        return draw(st.one_of(LITERALS, NAMES))
    if kind == "binary":
        return f"{draw(sub)} {draw(OPERATORS)}{draw(SOFT_BREAK)}{draw(sub)}"
    if kind == "unary":
        return draw(st.sampled_from(["-", "!", "- "])) + draw(sub)
    if kind == "paren":
        return f"({draw(sub)})"
    if kind == "array":
        return _list(draw, draw(st.lists(sub, max_size=3)), "[", "]")
    if kind == "object":
        keys = st.one_of(NAMES, st.sampled_from(['"k-1"', "`raw key`", '"a b"']))
        items = [f"{draw(keys)} = {draw(sub)}" for _ in range(draw(st.integers(0, 3)))]
        return _list(draw, items, "{", "}")
    if kind == "call":
        args = draw(st.lists(sub, min_size=1, max_size=3))
        return draw(NAMES) + _list(draw, args, "(", ")")
    if kind == "access":
        return f"{draw(NAMES)}.{draw(NAMES)}"
    return f"{draw(NAMES)}[{draw(sub)}]"


@st.composite
def bodies(draw: st.DrawFn, depth: int = 2) -> str:
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 4))):
        gap = draw(st.sampled_from(["", "", "\n", "// own line\n", "\n/* block */\n"]))
        if depth and draw(st.booleans()):
            label = draw(st.sampled_from(["", ' "lbl"', ' ""']))
            inner = draw(bodies(depth - 1))
            stmt = f"{draw(NAMES)}.{draw(NAMES)}{label} {{\n{inner}}}"
        else:
            stmt = f"{draw(NAMES)} = {draw(expressions())}"
        trailer = draw(st.sampled_from(["", "", " // trailing"]))
        lines.append(f"{gap}{draw(st.sampled_from(['', '  ', chr(9)]))}{stmt}{trailer}\n")
    return "".join(lines)


def _shape(node: Any) -> Any:
    """The tree without positions: what the formatter must keep."""
    if isinstance(node, ast.Pos):
        return None
    if isinstance(node, tuple):
        return tuple(_shape(item) for item in node)
    if is_dataclass(node):
        return (type(node).__name__,) + tuple(
            _shape(getattr(node, f.name)) for f in fields(node) if f.name != "comments"
        )
    return node


def _comment_texts(file: ast.File) -> list[str]:
    return [comment.text for group in file.comments for comment in group]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies())
def test_formatting_keeps_meaning_and_comments(source: str) -> None:
    parsed = parse_file(source.encode(), "main.alloy")
    assert not parsed.diagnostics, (source, parsed.diagnostics)
    once = format_file(parsed.file) + "\n"
    reparsed = parse_file(once.encode(), "main.alloy")
    assert not reparsed.diagnostics, (source, once, reparsed.diagnostics)
    assert _shape(reparsed.file.body) == _shape(parsed.file.body)
    assert _comment_texts(reparsed.file) == _comment_texts(parsed.file)
    assert not any(line != line.rstrip(" \t") for line in once.splitlines() if "`" not in line)


def _fmt(text: str) -> str:
    parsed = parse_file(text.encode(), "main.alloy")
    assert not parsed.diagnostics, (text, parsed.diagnostics)
    return format_file(parsed.file) + "\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies())
def test_formatting_settles(source: str) -> None:
    """Alloy's printer is not idempotent in one step when it joins lines (a binary
    expression split over lines is printed on one, which changes the alignment runs
    on the next pass), but its output must reach a fixed point, not drift. Comments
    are left out: a comment before an estimated token (`(` of a parenthesis, `)` of
    a call) moves one token further on every pass, as it does in Alloy."""
    source = "\n".join(
        line.split("//")[0].replace("/* c */", "").replace("/* block */", "")
        for line in source.split("\n")
    )
    if parse_file(source.encode(), "main.alloy").diagnostics:
        return  # removing a comment can join lines illegally
    once = _fmt(source)
    twice = _fmt(once)
    assert _fmt(twice) == twice, (source, once, twice)
