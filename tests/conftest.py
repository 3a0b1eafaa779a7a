"""Shared pytest setup: conformance figures are printed at the end of every run."""

from __future__ import annotations

from typing import Any

import pytest

CONFORMANCE_FIGURES: list[str] = []


def report_conformance(kind: str, matched: int, total: int, baseline: int) -> None:
    """Record a conformance figure to print in the terminal summary."""
    rate = 100.0 * matched / total if total else 100.0
    CONFORMANCE_FIGURES.append(
        f"{kind:<28} {matched:>5}/{total:<5} ({rate:5.1f}%)  baseline {baseline}"
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if CONFORMANCE_FIGURES:
        terminalreporter.section("alloy conformance (matched/total)")
        for line in CONFORMANCE_FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _plain_terminal_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests compare exact stderr bytes: a CI that forces colour must not change them.

    Tests about colour set these variables themselves.
    """
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("CLICOLOR_FORCE", raising=False)
