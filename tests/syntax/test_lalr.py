"""The LALR driver against Lark itself: same trees, same accept/reject, on real inputs.

alloylite parses with Lark's parse tables run by `alloylite.syntax.lalr` (so parsing does not
import Lark). Here Lark parses the same token lists with the same callbacks; any difference
in how a reduction shapes its children, or in what is accepted, shows up as a mismatch.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alloylite.syntax import lalr
from alloylite.syntax import parser as parser_module
from alloylite.syntax.scanner import TERMINATOR, scan
from tests.conformance import corpus

ROOT = Path(__file__).resolve().parents[2]


def _lark_parser() -> Any:
    from lark import Lark
    from lark.lexer import Lexer

    class Feed(Lexer):
        def __init__(self, conf: Any) -> None:
            pass

        def lex(self, tokens: Any) -> Any:  # type: ignore[override]
            return iter(tokens)

    return Lark(
        parser_module._grammar_text(),
        parser="lalr",
        lexer=Feed,
        transformer=parser_module._Builder(),
        start=list(parser_module._STARTS),
        maybe_placeholders=True,
    )


LARK = _lark_parser()


def _both(tokens: list[Any], start: str) -> tuple[Any, Any]:
    from lark.exceptions import LarkError

    results = []
    for run in (
        lambda: LARK.parse(tokens, start=start),
        lambda: parser_module._lark().parse(tokens, start=start),
    ):
        try:
            results.append(("ok", run()))
        except (LarkError, lalr.ParseError):
            results.append(("rejected", None))
        except parser_module._NeedsRecovery:
            results.append(("recover", None))
    return results[0], results[1]


def _sources() -> Iterator[bytes]:
    for path in sorted((ROOT / "examples").rglob("*.alloy")):
        yield path.read_bytes()
    yield (ROOT / "tests" / "syntax" / "test_lalr.py").read_bytes()  # mostly rejected
    for case in corpus.cases():
        yield corpus.input_bytes(case)


def _check(data: bytes) -> None:
    scanned = scan(data, parser_module.MAX_NESTING)
    if scanned.depth_pos is not None:
        return
    ours_file = _both(scanned.tokens[:-1], "start")
    assert ours_file[0] == ours_file[1], data
    tokens = scanned.tokens
    end = next(i for i, t in enumerate(tokens) if t.type in (TERMINATOR, "EOF"))
    if tokens[end].type == TERMINATOR:
        ours_expr = _both(tokens[: end + 1], "expr_start")
        assert ours_expr[0] == ours_expr[1], data


def test_same_trees_as_lark_on_examples_and_the_corpus() -> None:
    count = 0
    for data in _sources():
        _check(data)
        count += 1
    assert count > 5


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "a",
                "b.c",
                "=",
                "1",
                "2.5",
                '"s"',
                "+",
                "-",
                "*",
                "!",
                "(",
                ")",
                "[",
                "]",
                "{",
                "}",
                ",",
                ".",
                "\n",
                " ",
                "true",
                "null",
                "==",
                "||",
                "^",
                'x "l"',
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_same_result_as_lark_on_random_token_soup(text: str) -> None:
    _check(text.encode())


def test_cache_round_trip_and_damage(tmp_path: Path) -> None:
    grammar = parser_module._grammar_text()
    tables = lalr.build_tables(grammar, parser_module._STARTS, parser_module._Builder())
    path = str(tmp_path / "t.lark-cache")
    lalr.save_tables(path, grammar, tables)
    assert lalr.load_tables(path, grammar) == tables
    assert lalr.load_tables(path, grammar + " ") is None  # another grammar: stale
    good = Path(path).read_bytes()
    for damage in (good[: len(good) // 2], b"", b"junk\n", lalr.FORMAT + b"\x00"):
        Path(path).write_bytes(damage)
        assert lalr.load_tables(path, grammar) is None


def test_unsupported_grammar_features_are_refused() -> None:
    grammar = 'start: _inner\n_inner: "a"\n'
    with pytest.raises(lalr.GrammarFeatureError):
        lalr.build_tables(grammar, ["start"], object())
