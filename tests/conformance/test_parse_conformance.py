"""Differential conformance: the parser's diagnostics and Alloy's pretty printer.

Every file case of the corpus is parsed as `main.alloy`; its diagnostics (line, col,
end_line, end_col, msg, in order) and its pretty report must equal what Alloy's own
syntax packages recorded. Expression cases compare the parse errors (all of them).
The test fails when a figure drops below its recorded baseline, so progress is kept.
"""

from __future__ import annotations

from typing import Any

import pytest

from alloylite.syntax.diag import Diagnostic, render_pretty
from alloylite.syntax.parser import parse_expression, parse_file
from tests.conformance import corpus
from tests.conftest import report_conformance

# Recorded figures (matched cases); raise them as the implementation improves.
BASELINE_FILE_DIAGS = 1208
BASELINE_EXPR_PARSE = 469
BASELINE_PRETTY = 286

pytestmark = pytest.mark.skipif(not corpus.available(), reason="conformance corpus not present")

Row = tuple[Any, Any, Any, Any, str]


def _got(diags: list[Diagnostic]) -> list[Row]:
    return [
        (
            d.start.line if d.start else None,
            d.start.col if d.start else None,
            d.end.line if d.end else None,
            d.end.col if d.end else None,
            d.message,
        )
        for d in diags
    ]


def _expected(rows: list[dict[str, Any]]) -> list[Row]:
    return [(r["line"], r["col"], r["end_line"], r["end_col"], r["msg"]) for r in rows]


def test_file_diagnostics_and_pretty() -> None:
    total = matched = pretty_total = pretty_matched = 0
    misses: list[str] = []
    for case in corpus.cases("file"):
        source = corpus.input_bytes(case)
        result = parse_file(source, "main.alloy")
        total += 1
        if _got(result.diagnostics) == _expected(case["expected"]["diags"]):
            matched += 1
        else:
            misses.append(case["id"])
        want = corpus.expected_text(case["expected"]["pretty"])
        if want is not None:
            pretty_total += 1
            text = render_pretty(result.diagnostics, {"main.alloy": source})
            if text.encode("utf-8", "surrogateescape") == want:
                pretty_matched += 1
            else:
                misses.append(case["id"] + " (pretty)")
        if (result.file is None) != bool(case["expected"]["diags"]):
            misses.append(case["id"] + " (AST presence)")
    report_conformance("parse: file diags", matched, total, BASELINE_FILE_DIAGS)
    report_conformance("parse: pretty", pretty_matched, pretty_total, BASELINE_PRETTY)
    assert matched >= BASELINE_FILE_DIAGS, misses[:20]
    assert pretty_matched >= BASELINE_PRETTY, misses[:20]


def test_expression_parse_errors() -> None:
    total = matched = 0
    misses: list[str] = []
    for case in corpus.cases("expr"):
        result = parse_expression(corpus.input_bytes(case))
        variants = corpus.expected_variants(case)
        wanted = []
        for expected in variants:
            error = expected.get("error")
            if error and error["phase"] == "parse":
                wanted.append(_expected(error.get("all") or [error]))
            else:
                wanted.append([])
        total += 1
        if _got(result.diagnostics) in wanted and (result.expr is None) == bool(wanted[0]):
            matched += 1
        else:
            misses.append(case["id"])
    report_conformance("parse: expr errors", matched, total, BASELINE_EXPR_PARSE)
    assert matched >= BASELINE_EXPR_PARSE, misses[:20]
