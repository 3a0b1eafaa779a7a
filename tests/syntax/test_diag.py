"""Pretty and plain rendering of diagnostics, as input -> exact expected text."""

from __future__ import annotations

import pytest

from alloylite.syntax.ast import Pos
from alloylite.syntax.diag import Diagnostic, Severity, render_plain, render_pretty
from alloylite.syntax.parser import parse_file


def _pretty(src: bytes) -> str:
    return render_pretty(parse_file(src).diagnostics, {"main.alloy": src})


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        (
            b'a "x" = 1\n',
            "Error: main.alloy:1:3: attribute names may not have labels\n\n"
            '1 | a "x" = 1\n  |   ^^^\n2 | \n',
        ),
        (
            b"a {",
            "Error: main.alloy:1:4: expected }, got EOF\n\n1 | a {\n  |    \n",
        ),
        (
            b"blk {\n\tx = #\n}\n",
            "Error: main.alloy:2:6: illegal character U+0023 '#'\n\n"
            "1 | blk {\n2 |     x = #\n  |         ^\n3 | }\n\n"
            "Error: main.alloy:2:6: expected expression, got ILLEGAL\n\n"
            "1 | blk {\n2 |     x = #\n  |         ^\n3 | }\n",
        ),
        (
            b'a = b "x" {\n  c = 1\n}\n',
            "Error: main.alloy:1:5: cannot use a block as an expression\n\n"
            '1 |   a = b "x" {\n  |  _____^^^^^^^\n2 | |   c = 1\n3 | | }\n  | |_^\n4 |   \n',
        ),
        (
            b"\n" * 9 + b"last = ;",
            "Error: main.alloy:10:8: illegal character U+003B ';'\n\n"
            " 9 | \n10 | last = ;\n   |        ^\n\n"
            "Error: main.alloy:10:8: expected expression, got ILLEGAL\n\n"
            " 9 | \n10 | last = ;\n   |        ^\n",
        ),
        (
            b"a = 1\rb = 2\r",
            "Error: main.alloy:1:7: expected TERMINATOR, got IDENT\n\n"
            "1 | a = 1b = 2\n  |       ^\n",
        ),
        (
            b'a = "\xff"\n',
            'Error: main.alloy:1:6: illegal UTF-8 encoding\n\n1 | a = "\ufffd"\n  |      ^\n2 | \n',
        ),
    ],
)
def test_pretty(src: bytes, expected: str) -> None:
    assert _pretty(src) == expected


def test_multiline_frame_expands_tabs() -> None:
    src = b'b {\n\tx = y "l" {\n\t}\n}\n'
    assert _pretty(src) == (
        "Error: main.alloy:2:6: cannot use a block as an expression\n\n"
        "1 |   b {\n"
        '2 |       x = y "l" {\n'
        "  |  _________^^^^^^^\n"
        "3 | |     }\n"
        "  | |_____^\n"
        "4 |   }\n"
    )


def test_plain_and_positionless() -> None:
    diag = Diagnostic(Severity.ERROR, "boom", Pos(0, 2, 3), filename="main.alloy")
    assert render_plain(diag) == "main.alloy:2:3: boom"
    assert render_plain(Diagnostic(Severity.ERROR, "x", Pos(0, 1, 1))) == "1:1: x"
    warning = Diagnostic(Severity.WARNING, "cycle", None)
    assert render_pretty([warning], {}) == "Warning: -: cycle\n"


def test_color_marks_the_header_only() -> None:
    src = b"a = #\n"
    text = render_pretty(parse_file(src).diagnostics, {"main.alloy": src}, color=True)
    assert text.startswith("\x1b[31;1mError: \x1b[0m\x1b[1mmain.alloy:1:5: ")
    assert "1 | a = #\n" in text
