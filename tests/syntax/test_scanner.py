"""Scanner tests as data: input -> tokens (name, text, line, col) or diagnostics."""

from __future__ import annotations

import pytest

from alloylite.syntax.scanner import is_identifier, scan, token_name


def _tokens(src: bytes) -> list[tuple[str, str, int, int]]:
    out = []
    for tok in scan(src).tokens:
        name = token_name(tok)
        text = "" if name in ("TERMINATOR", "EOF") else tok.value
        out.append((name, text, tok.line, tok.column))
    return out


def _diags(src: bytes) -> list[tuple[int, int, str]]:
    return [(d.start.line, d.start.col, d.message) for _, _, _, d in scan(src).diags]


T, E = "TERMINATOR", "EOF"


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        (
            b"a = 1\n",
            [
                ("IDENT", "a", 1, 1),
                ("=", "=", 1, 3),
                ("NUMBER", "1", 1, 5),
                (T, "", 1, 6),
                (E, "", 2, 1),
            ],
        ),
        (
            b"x = 1.5e3 .5 1. 010",
            [
                ("IDENT", "x", 1, 1),
                ("=", "=", 1, 3),
                ("FLOAT", "1.5e3", 1, 5),
                ("FLOAT", ".5", 1, 11),
                ("FLOAT", "1.", 1, 14),
                ("NUMBER", "010", 1, 17),
                (T, "", 1, 20),
                (E, "", 1, 20),
            ],
        ),
        (b"0x10", [("NUMBER", "0", 1, 1), ("IDENT", "x10", 1, 2), (T, "", 1, 5), (E, "", 1, 5)]),
        (
            b"true null",
            [("BOOL", "true", 1, 1), ("NULL", "null", 1, 6), (T, "", 1, 10), (E, "", 1, 10)],
        ),
        (
            b"a +\nb",
            [
                ("IDENT", "a", 1, 1),
                ("+", "+", 1, 3),
                ("IDENT", "b", 2, 1),
                (T, "", 2, 2),
                (E, "", 2, 2),
            ],
        ),
        (b"a // c\n", [("IDENT", "a", 1, 1), (T, "", 1, 3), (E, "", 2, 1)]),
        (
            b"a /* c */ b",
            [("IDENT", "a", 1, 1), ("IDENT", "b", 1, 11), (T, "", 1, 12), (E, "", 1, 12)],
        ),
        (b"a /* c */\n", [("IDENT", "a", 1, 1), (T, "", 1, 3), (E, "", 2, 1)]),
        (
            b"|| && == != <= >= < > ! ^ %",
            [
                ("||", "||", 1, 1),
                ("&&", "&&", 1, 4),
                ("==", "==", 1, 7),
                ("!=", "!=", 1, 10),
                ("<=", "<=", 1, 13),
                (">=", ">=", 1, 16),
                ("<", "<", 1, 19),
                (">", ">", 1, 21),
                ("!", "!", 1, 23),
                ("^", "^", 1, 25),
                ("%", "%", 1, 27),
                (E, "", 1, 28),
            ],
        ),
        (
            "métrica_café a۰۱".encode(),
            [
                ("IDENT", "métrica_café", 1, 1),
                ("IDENT", "a۰۱", 1, 16),
                (T, "", 1, 21),
                (E, "", 1, 21),
            ],
        ),
        (
            b"`a\nb` x",
            [("STRING", "`a\nb`", 1, 1), ("IDENT", "x", 2, 4), (T, "", 2, 5), (E, "", 2, 5)],
        ),
        (
            b'"\\u00e9\\x41\\101"',
            [("STRING", '"\\u00e9\\x41\\101"', 1, 1), (T, "", 1, 17), (E, "", 1, 17)],
        ),
        (b"\xef\xbb\xbfa", [("IDENT", "a", 1, 4), (T, "", 1, 5), (E, "", 1, 5)]),
        (
            b"a = 1\r\n",
            [
                ("IDENT", "a", 1, 1),
                ("=", "=", 1, 3),
                ("NUMBER", "1", 1, 5),
                (T, "", 1, 7),
                (E, "", 2, 1),
            ],
        ),
    ],
)
def test_tokens(src: bytes, expected: list[tuple[str, str, int, int]]) -> None:
    assert _tokens(src) == expected


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        (b"#", [(1, 1, "illegal character U+0023 '#'")]),
        (b"\x01", [(1, 1, "illegal character U+0001")]),
        (b"a | b", [(1, 4, "missing second | in ||")]),
        (b"a & b", [(1, 4, "missing second & in &&")]),
        (b"1e", [(1, 1, "exponent has no digits")]),
        (b"1.5e-", [(1, 1, "exponent has no digits")]),
        (b'"abc', [(1, 1, "string literal not terminated")]),
        (b"`abc", [(1, 1, "string literal not terminated")]),
        (b"/* x", [(1, 1, "block comment not terminated")]),
        (b'"\\q"', [(1, 3, "unknown escape sequence")]),
        (b'"\\\'"', [(1, 3, "unknown escape sequence")]),
        (b'"\\x4g"', [(1, 3, "illegal character U+0067 'g' in escape sequence")]),
        (b'"\\400"', [(1, 3, "escape sequence is invalid Unicode code point")]),
        (b'"\\ud800"', [(1, 3, "escape sequence is invalid Unicode code point")]),
        (b'"\\U00110000"', [(1, 3, "escape sequence is invalid Unicode code point")]),
        (
            b'"\\u12',
            [(1, 3, "escape sequence not terminated"), (1, 1, "string literal not terminated")],
        ),
        (b"'x'", [(1, 1, "illegal single-quoted string; use double quotes")]),
        (b"a\x00", [(1, 2, "illegal character NUL"), (1, 2, "illegal character U+0000")]),
        (b'"\xc0\xaf"', [(1, 2, "illegal UTF-8 encoding"), (1, 3, "illegal UTF-8 encoding")]),
        (b"a\n\xef\xbb\xbf", [(2, 1, "illegal byte order mark")]),
        # Alloy reads a /* comment twice when deciding whether it ends the line.
        (b"a = 1 /* \x00 */", [(1, 10, "illegal character NUL"), (1, 10, "illegal character NUL")]),
        ("×".encode(), [(1, 1, "illegal character U+00D7 '×'")]),
    ],
)
def test_diagnostics(src: bytes, expected: list[tuple[int, int, str]]) -> None:
    assert _diags(src) == expected


def test_comments_are_grouped_like_alloy() -> None:
    result = scan(b"// a\n// b\n\n\n// c\nx = 1 /* d */\n")
    groups = result.comment_groups()
    assert [[c.text for c in g] for g in groups] == [["// a", "// b"], ["// c"], ["/* d */"]]
    assert groups[2][0].pos.line == 6 and groups[2][0].pos.col == 7


def test_comment_text_drops_carriage_returns() -> None:
    (group,) = scan(b"// x\r\n").comment_groups()
    assert group[0].text == "// x"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("a", True),
        ("_x1", True),
        ("métrica", True),
        ("a b", False),
        ("1x", False),
        ("true", False),
        ("null", False),
        ("", False),
        ("a-b", False),
    ],
)
def test_is_identifier(text: str, ok: bool) -> None:
    assert is_identifier(text) is ok
