"""Alloy's own `validate` golden cases (validate-and-modules.jsonl, kind `validate`).

Each case's files are written to a folder and validated as `alloy validate` would be
(one file, or the folder when the case has several); the pretty-printed diagnostics
must equal Alloy's stderr (alloylite's own trailing warnings set aside). The cases
that use only components are counted apart from those that need declare, import,
foreach or the services (issue 11's modules part), and each figure must not fall
below its recorded baseline; the test prints both.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from alloylite.commands.report import pretty
from alloylite.runtime.component import Stability
from alloylite.runtime.validate import check
from tests.conformance.corpus import CORPUS_DIR
from tests.conftest import report_conformance

CASES_FILE = CORPUS_DIR / "validate-and-modules.jsonl"
# Cases whose configs use declare, import.*, foreach or the service blocks.
MODULE_CASES = frozenset(
    {
        "duplicates",
        "invalid_declare",
        "invalid_foreach",
        "invalid_properties",
        "invalid_refs",
        "stdlib",
        "valid",
        "non_ga",
    }
)
# Matching cases when this runner was written (component cases / module cases).
BASELINE_COMPONENTS = 5
BASELINE_MODULES = 8


def _cases() -> list[dict[str, Any]]:
    if not CASES_FILE.exists():
        return []
    with CASES_FILE.open(encoding="utf-8") as lines:
        return [c for c in map(json.loads, lines) if c["kind"] == "validate"]


def output(case: dict[str, Any], folder: Path) -> str:
    """What alloylite prints for the case, with the folder's path taken out."""
    for name, text in case["files"].items():
        (folder / name).write_text(text, encoding="utf-8")
    target = folder / "main.alloy" if list(case["files"]) == ["main.alloy"] else folder
    config = check(str(target), Stability.parse(case["stability_level"]))
    # alloylite's own warnings (imports it could not read) follow Alloy's diagnostics and
    # are not Alloy's output (docs/compatibility.md): compare what comes before them.
    own = len(config.own)
    assert config.diagnostics[len(config.diagnostics) - own :] == config.own
    alloys = config.diagnostics[: len(config.diagnostics) - own]
    if not alloys:
        return ""
    text = pretty(alloys, config.sources, color=False)
    text = text if text.endswith("\n") else text + "\n"
    return text.replace(f"{folder}/", "")


def _matches(case: dict[str, Any], tmp: Path) -> bool:
    folder = tmp / case["id"].replace("/", "_")
    folder.mkdir()
    expected: str = case["expected_stderr"]
    return output(case, folder).rstrip("\n") == expected.rstrip("\n")


@pytest.mark.skipif(not _cases(), reason="conformance corpus not available")
def test_validate_golden_cases_match_alloy(tmp_path: Path) -> None:
    results = {case["id"]: _matches(case, tmp_path) for case in _cases()}
    parts = {"components": [], "modules": []}  # type: dict[str, list[str]]
    for case_id in results:
        kind = "modules" if case_id.rsplit("/", 1)[-1] in MODULE_CASES else "components"
        parts[kind].append(case_id)
    figures = {k: sum(results[i] for i in ids) for k, ids in parts.items()}
    baselines = {"components": BASELINE_COMPONENTS, "modules": BASELINE_MODULES}
    for kind, ids in parts.items():
        report_conformance(f"validate ({kind})", figures[kind], len(ids), baselines[kind])
    assert figures["components"] >= BASELINE_COMPONENTS, results
    assert figures["modules"] >= BASELINE_MODULES, results
