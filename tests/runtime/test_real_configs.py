"""Representative real-world configs (Kubernetes monitoring, profiling, logs, OTel)
validate cleanly, and a typo in any of their components is caught with Alloy's message."""

from __future__ import annotations

from pathlib import Path

import pytest

import alloylite

CONFIGS = sorted((Path(__file__).parent / "real_configs").glob("*.alloy"))


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_real_config_validates(path: Path) -> None:
    assert alloylite.validate(path, stability_level="public-preview") == []


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_a_typo_in_the_last_block_is_reported(path: Path) -> None:
    text = path.read_text()
    head, brace, rest = text.rpartition("{\n")
    typo = head + brace + "  no_such_argument = true\n" + rest
    diags = alloylite.validate(typo, stability_level="public-preview")
    assert [d.message for d in diags] == ['unrecognized attribute name "no_such_argument"']
