"""`alloy fmt` conformance: every recorded `fmt` and `expr_fmt` of the corpus.

Figures are printed in the terminal summary; the test fails only when a
figure drops below its recorded baseline (raise the baselines as the
printer or the parser improves).
"""

from __future__ import annotations

from typing import Any

import pytest

from alloylite.syntax.parser import parse_expression, parse_file
from alloylite.syntax.printer import format_expr, format_file
from tests.conformance import corpus
from tests.conftest import report_conformance

FMT_BASELINE = 922
EXPR_FMT_BASELINE = 430
IDEMPOTENT_BASELINE = 922

pytestmark = pytest.mark.skipif(not corpus.available(), reason="conformance corpus not present")


def _format(data: bytes) -> bytes | None:
    """What `alloy fmt` writes for `data`, or None when it does not parse."""
    result = parse_file(data, "main.alloy")
    if result.diagnostics:
        return None
    return (format_file(result.file) + "\n").encode("utf-8", "surrogateescape")


def _fmt_cases() -> list[dict[str, Any]]:
    return [
        case
        for case in corpus.cases("file")
        if any(variant.get("fmt") is not None for variant in corpus.expected_variants(case))
    ]


def test_fmt_matches_alloy() -> None:
    cases = _fmt_cases()
    matched = 0
    mismatched: list[str] = []
    for case in cases:
        got = _format(corpus.input_bytes(case))
        wanted = [corpus.expected_text(v.get("fmt")) for v in corpus.expected_variants(case)]
        if got is not None and got in wanted:
            matched += 1
        else:
            mismatched.append(case["id"])
    report_conformance("fmt", matched, len(cases), FMT_BASELINE)
    assert matched >= FMT_BASELINE, f"fmt regressed; first mismatches: {mismatched[:10]}"


def test_fmt_is_idempotent() -> None:
    """Formatting the output again changes nothing (where the output re-parses)."""
    accepted = matched = 0
    changed: list[str] = []
    for case in _fmt_cases():
        once = _format(corpus.input_bytes(case))
        if once is None:
            continue
        twice = _format(once)
        if twice is None:
            continue
        accepted += 1
        if twice == once:
            matched += 1
        else:
            changed.append(case["id"])
    report_conformance("fmt idempotent", matched, accepted, IDEMPOTENT_BASELINE)
    assert matched >= IDEMPOTENT_BASELINE, f"idempotence regressed; first: {changed[:10]}"


def test_expr_fmt_matches_alloy() -> None:
    total = matched = 0
    mismatched: list[str] = []
    for case in corpus.cases("expr"):
        wanted = {v.get("expr_fmt") for v in corpus.expected_variants(case)} - {None}
        if not wanted:
            continue
        total += 1
        result = parse_expression(corpus.input_bytes(case))
        parsed = result.expr is not None and not result.diagnostics
        if parsed and format_expr(result.expr) in wanted:
            matched += 1
        else:
            mismatched.append(case["id"])
    report_conformance("expr_fmt", matched, total, EXPR_FMT_BASELINE)
    assert matched >= EXPR_FMT_BASELINE, f"expr_fmt regressed; first: {mismatched[:10]}"
