"""Expression evaluation against the values and errors recorded from Alloy's vm.

Every `expr` case of the corpus is parsed and evaluated; values are compared
as Alloy's builder prints them (`v = ...`), errors by phase, position and
message. The test fails only when the figures drop below the baselines.
"""

from __future__ import annotations

from typing import Any

import pytest

from alloylite.eval.errors import EvalError
from alloylite.eval.evaluator import evaluate
from alloylite.eval.numbers import kind_of
from alloylite.eval.render import RenderError, render_attribute
from alloylite.eval.values import type_name
from alloylite.syntax.parser import parse_expression
from tests.conformance import corpus
from tests.conftest import report_conformance

VALUES_BASELINE = 332
ERRORS_BASELINE = 137


def _diag_record(phase: str, d: Any, text: str | None = None) -> dict[str, Any]:
    start, end = d.start, d.end
    return {
        "phase": phase,
        "line": start.line if start else None,
        "col": start.col if start else None,
        "end_line": end.line if end else None,
        "end_col": end.col if end else None,
        "msg": d.message,
    }


def outcome(source: bytes) -> dict[str, Any]:
    """What alloylite makes of one expression, in the corpus's terms."""
    parsed = parse_expression(source)
    if parsed.diagnostics:
        return {"error": _diag_record("parse", parsed.diagnostics[0])}
    try:
        value = evaluate(parsed.expr)
    except EvalError as err:
        record = _diag_record("eval", err.diagnostic)
        record["text"] = err.text
        if err.diagnostic.value is not None:
            record["value"] = err.diagnostic.value
        return {"error": record}
    result: dict[str, Any] = {"type": type_name(value)}
    if result["type"] == "number":
        result["num_kind"] = kind_of(value)
    try:
        result["value"] = render_attribute("v", value)
    except RenderError as err:
        result["value"] = ""
        result["value_error"] = str(err)
    return result


def matches(got: dict[str, Any], expected: dict[str, Any]) -> bool:
    if "error" in expected:
        if "error" not in got:
            return False
        want, have = expected["error"], got["error"]
        keys = ["phase", "line", "col", "msg"]
        if not want.get("not_diag"):
            keys += ["end_line", "end_col"]
        if "value" in want:
            keys.append("value")
        if want.get("phase") == "eval" and "text" in have and want.get("text") != have["text"]:
            return False
        return all(want.get(k) == have.get(k) for k in keys)
    if "error" in got:
        return False
    for key in ("type", "num_kind", "value", "value_error"):
        want = expected.get(key)
        if isinstance(want, dict):
            want = corpus.expected_text(want).decode("utf-8", "surrogateescape")  # type: ignore[union-attr]
        if want != got.get(key):
            return False
    return True


@pytest.mark.skipif(not corpus.available(), reason="conformance corpus not present")
def test_expressions_match_alloy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOY_ORACLE_ENV", "hello")
    counts = {"values": [0, 0], "errors": [0, 0]}
    failures: list[str] = []
    for case in corpus.cases("expr"):
        variants = corpus.expected_variants(case)
        bucket = "errors" if "error" in variants[0] else "values"
        counts[bucket][1] += 1
        got = outcome(corpus.input_bytes(case))
        if any(matches(got, want) for want in variants):
            counts[bucket][0] += 1
        else:
            failures.append(
                f"{case['id']}: {case.get('input')!r}\n  want {variants[0]}\n  got  {got}"
            )
    report_conformance("expr values", *counts["values"], VALUES_BASELINE)
    report_conformance("expr errors", *counts["errors"], ERRORS_BASELINE)
    detail = "\n".join(failures[:40])
    assert counts["values"][0] >= VALUES_BASELINE, detail
    assert counts["errors"][0] >= ERRORS_BASELINE, detail


if __name__ == "__main__":  # a quick report while developing
    import os

    os.environ["ALLOY_ORACLE_ENV"] = "hello"
    for case in corpus.cases("expr"):
        variants = corpus.expected_variants(case)
        got = outcome(corpus.input_bytes(case))
        if not any(matches(got, want) for want in variants):
            print(f"{case['id']}: {case.get('input')!r}\n  want {variants[0]}\n  got  {got}")
