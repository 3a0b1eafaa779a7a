"""Parser tests as data: source -> expected AST facts or expected diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alloylite.syntax import ast
from alloylite.syntax import parser as parser_module
from alloylite.syntax.diag import render_pretty
from alloylite.syntax.parser import parse_expression, parse_file


def _diags(src: str | bytes) -> list[tuple[int, int, str]]:
    result = parse_file(src)
    assert result.file is None
    return [(d.start.line, d.start.col, d.message) for d in result.diagnostics if d.start]


def test_block_and_attributes_build_the_ast() -> None:
    src = 'pyroscope.write "backend" {\n  endpoint {\n    url = "http://x"\n  }\n}\n'
    result = parse_file(src)
    assert result.diagnostics == []
    assert result.file is not None
    (block,) = result.file.body
    assert isinstance(block, ast.BlockStmt)
    assert block.name == ("pyroscope", "write")
    assert block.label == "backend"
    assert block.label_pos == ast.Pos(16, 1, 17)
    assert block.lcurly == ast.Pos(26, 1, 27)
    assert block.rcurly == ast.Pos(len(src) - 2, 5, 1)
    (inner,) = block.body
    assert isinstance(inner, ast.BlockStmt) and inner.label is None
    (attr,) = inner.body
    assert isinstance(attr, ast.AttributeStmt)
    assert attr.name == ast.Ident("url", ast.Pos(45, 3, 5))
    assert attr.value == ast.LiteralExpr(ast.LiteralKind.STRING, '"http://x"', ast.Pos(51, 3, 11))


def test_empty_label_means_no_label() -> None:
    result = parse_file('a "" {}\n')
    assert result.file is not None
    block = result.file.body[0]
    assert isinstance(block, ast.BlockStmt) and block.label is None


@pytest.mark.parametrize(
    ("src", "shape"),
    [
        ("1 + 2 * 3", ("+", 1, ("*", 2, 3))),
        ("2 ^ 3 ^ 2", ("^", 2, ("^", 3, 2))),
        ("-2 ^ 2", ("^", ("-", 2), 2)),
        ("1 < 2 == true", ("==", ("<", 1, 2), "true")),
        ("a || b && c", ("||", "a", ("&&", "b", "c"))),
        ("!a.b[0](1, 2,)", ("!", ("call", ("index", ("access", "a", "b"), 0), 1, 2))),
        ("(1 + 2) * 3", ("*", ("paren", ("+", 1, 2)), 3)),
        ('{a = 1, "b c" = [2,]}', ("object", ("a", 1), ("b c", ("array", 2)))),
        ("1 +\n2", ("+", 1, 2)),
    ],
)
def test_expression_shapes(src: str, shape: object) -> None:
    result = parse_expression(src)
    assert result.diagnostics == []
    assert _shape(result.expr) == shape


def _shape(e: object) -> object:
    match e:
        case ast.LiteralExpr(raw=raw):
            return int(raw) if raw.isdigit() else raw
        case ast.IdentifierExpr(ident=ident):
            return ident.name
        case ast.BinaryExpr(op=op, left=left, right=right):
            return (op, _shape(left), _shape(right))
        case ast.UnaryExpr(op=op, value=value):
            return (op, _shape(value))
        case ast.AccessExpr(value=value, name=name):
            return ("access", _shape(value), name.name)
        case ast.IndexExpr(value=value, index=index):
            return ("index", _shape(value), _shape(index))
        case ast.CallExpr(value=value, args=args):
            return ("call", _shape(value), *(_shape(a) for a in args))
        case ast.ParenExpr(inner=inner):
            return ("paren", _shape(inner))
        case ast.ArrayExpr(elements=elements):
            return ("array", *(_shape(x) for x in elements))
        case ast.ObjectExpr(fields=fields):
            return ("object", *((f.name.name, _shape(f.value)) for f in fields))
    raise AssertionError(e)


def test_expression_ignores_text_after_the_terminator() -> None:
    result = parse_expression("1\n+ 2")
    assert _shape(result.expr) == 1


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        (
            "a { b = 1, c = 2 }\n",
            [(1, 10, "expected TERMINATOR, got ,"), (2, 1, "expected }, got EOF")],
        ),
        (
            "a = [1\n, 2]\n",
            [(1, 7, "missing ',' in expression list"), (2, 1, "expected expression, got ,")],
        ),
        ("a = 1 b = 2\n", [(1, 7, "expected TERMINATOR, got IDENT")]),
        ("a\n{\n}\n", [(1, 2, "expected block label, got TERMINATOR")]),
        ("a lbl {}\n", [(1, 3, "expected block label, got IDENT")]),
        ('a "1x" {}\n', [(1, 3, 'expected block label to be a valid identifier, but got "1x"')]),
        ("a {\n  b = 1\n}\n}\n", [(4, 1, "expected identifier, got }")]),
        ("a = {\n  b = 1\n}\n", [(2, 8, "missing ',' in field list")]),
        ("a = 1\n  + 2\n", [(2, 3, "expected identifier, got +")]),
        ("a = 0x10\n", [(1, 6, "expected TERMINATOR, got IDENT")]),
        ("a = +5\n", [(1, 5, "expected expression, got +")]),
        (
            "a.true = 1\n",
            [
                (1, 3, "expected identifier, got BOOL"),
                (1, 1, 'attribute names may only consist of a single identifier with no "."'),
            ],
        ),
        ("a = {true = 1}\n", [(1, 6, "expected field name (string or identifier), got BOOL")]),
        (
            'A"',
            [
                (1, 2, "string literal not terminated"),
                (1, 3, "expected attribute assignment or block body, got TERMINATOR"),
            ],
        ),
        (
            "a = 'x'\n",
            [
                (1, 5, "illegal single-quoted string; use double quotes"),
                (1, 5, "expected expression, got ILLEGAL"),
            ],
        ),
        (
            b"a = 1\x00\n",
            [
                (1, 6, "illegal character NUL"),
                (1, 6, "illegal character U+0000"),
                (1, 6, "expected TERMINATOR, got ILLEGAL"),
            ],
        ),
        (
            b"a\xff = 1\n",
            [
                (1, 2, "illegal UTF-8 encoding"),
                (1, 2, "illegal character U+FFFD '\ufffd'"),
                (1, 2, "expected block label, got ILLEGAL"),
            ],
        ),
    ],
)
def test_file_diagnostics(src: str | bytes, expected: list[tuple[int, int, str]]) -> None:
    assert _diags(src) == expected


def test_span_diagnostics_have_end_positions() -> None:
    (diag,) = parse_file("a.bc = 1\n").diagnostics
    assert (diag.start, diag.end) == (ast.Pos(0, 1, 1), ast.Pos(3, 1, 4))
    assert diag.filename == "main.alloy"
    (diag,) = parse_file('a "xy" = 1\n').diagnostics
    assert (diag.start.col, diag.end.col) == (3, 6)  # type: ignore[union-attr]
    (diag,) = parse_file('a = b "x" {\n}\n').diagnostics
    assert diag.message == "cannot use a block as an expression"
    assert (diag.start, diag.end) == (ast.Pos(4, 1, 5), ast.Pos(12, 2, 1))


def test_expression_leftover_input() -> None:
    result = parse_expression("(1\n+ 2)")
    assert [(d.start.line, d.start.col, d.message) for d in result.diagnostics] == [  # type: ignore[union-attr]
        (1, 3, "expected ), got TERMINATOR"),
        (2, 4, "expected TERMINATOR, got )"),
    ]
    assert all(d.filename is None for d in result.diagnostics)


@pytest.mark.parametrize(
    ("src", "message"),
    [
        (b"a = " + b"[" * 10000 + b"]" * 10000 + b"\n", "nesting of brackets is deeper"),
        (b"a {\n" * 10000 + b"}\n" * 10000, "nesting of brackets is deeper"),
        (b"a = " + b"(" * 10000, "nesting of brackets is deeper"),
        (b"a = " + b"-" * 10000 + b"1\n", "expression or block nesting is deeper"),
        (b"a = 1" + b" + 1" * 10000 + b"\n", "expression or block nesting is deeper"),
        (b"a = 1" + b" ^ 1" * 10000 + b"\n", "expression or block nesting is deeper"),
    ],
)
def test_pathological_nesting_is_a_diagnostic(src: bytes, message: str) -> None:
    result = parse_file(src)
    assert result.file is None
    (diag,) = result.diagnostics
    assert diag.message.startswith(message)


def test_huge_string_and_random_bytes_never_crash() -> None:
    big = b'a = "' + b"x" * 5_000_000 + b'"\n'
    result = parse_file(big)
    assert result.file is not None
    unterminated = parse_file(big[:-2])
    assert [d.message for d in unterminated.diagnostics] == ["string literal not terminated"]
    noise = bytes((i * 7919 + 13) % 256 for i in range(50_000))
    assert parse_file(noise).diagnostics


def test_tree_depth_counts_blocks_and_expressions_together() -> None:
    def nested(unary: int) -> bytes:
        return b"a {\n" * 30 + b"x = " + b"-" * unary + b"1\n" + b"}\n" * 30

    assert parse_file(nested(150)).file is not None
    (diag,) = parse_file(nested(180)).diagnostics
    assert diag.message.startswith("expression or block nesting is deeper")


def test_deep_but_reasonable_nesting_parses() -> None:
    src = b"a = " + b"[" * 150 + b"]" * 150 + b"\nb = " + b"!" * 150 + b"true\n"
    assert parse_file(src).file is not None


_ALPHABET = st.sampled_from(
    [
        "a",
        "b.c",
        " = ",
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        ",",
        "\n",
        " ",
        "1",
        "1.5e",
        '"x"',
        '"\\q',
        "`r`",
        "`",
        "+",
        "-",
        "!",
        "^",
        "==",
        "|",
        "&",
        ".",
        "true",
        "null",
        "// c\n",
        "/* c */",
        "/*",
        '""',
        "'",
        "#",
        "\x00",
        "\ufeff",
        "é",
        "\t",
        "\r",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=200), st.lists(_ALPHABET, max_size=40).map("".join)))
def test_any_input_gives_an_ast_or_positioned_diagnostics(src: bytes | str) -> None:
    data = src if isinstance(src, bytes) else src.encode("utf-8")
    result = parse_file(data)
    assert (result.file is None) == bool(result.diagnostics)
    lines = data.count(b"\n") + 1
    for diag in result.diagnostics:
        assert diag.start is not None and 1 <= diag.start.line <= lines
    text = render_pretty(result.diagnostics, {"main.alloy": data})
    assert text.count("Error: ") == len(result.diagnostics)
    expr = parse_expression(data)
    assert (expr.expr is None) == bool(expr.diagnostics)


def test_grammar_ships_inside_the_package() -> None:
    from importlib import resources

    text = (resources.files("alloylite") / "grammar" / "alloy.lark").read_text(encoding="utf-8")
    assert "expr_start" in text


def test_grammar_analysis_is_cached_in_the_user_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    parser_module._lark.cache_clear()
    try:
        assert parse_file("a = 1\n").file is not None
        assert list((tmp_path / "alloylite").glob("*.lark-cache"))
    finally:
        parser_module._lark.cache_clear()
