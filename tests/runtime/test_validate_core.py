"""The validation core answers the API and the CLI alike: the same diagnostics, in the same
order, whichever way a config reaches it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import alloylite
from alloylite.cli import main
from alloylite.runtime.component import Stability
from alloylite.runtime.validate import check, check_text

CONFIGS = {
    "valid": 'logging {\n  level = "debug"\n}\n',
    "syntax error": "logging {\n  level = #\n}\n",
    "bad argument": 'logging {\n  colour = "red"\n  level = 1\n}\n',
    "unknown component": 'nope.thing "a" {\n}\n',
    "unknown export": 'pyroscope.write "a" {\n  endpoint {\n    url = "http://x"\n  }\n}\n'
    'pyroscope.receive_http "b" {\n  forward_to = [pyroscope.write.a.recever]\n}\n',
    "missing required": 'pyroscope.write "a" {\n  endpoint {\n  }\n}\n',
}


def _cli_json(path: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    main(["validate", "--format=json", "--stability.level=public-preview", str(path)])
    items: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return items


@pytest.mark.parametrize("text", CONFIGS.values(), ids=CONFIGS.keys())
def test_api_cli_and_core_agree(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.alloy"
    path.write_text(text)
    level = Stability.parse("public-preview")
    core = check(str(path), level).diagnostics
    assert check_text(text.encode(), str(path), level).diagnostics == core
    assert alloylite.validate(path, stability_level="public-preview") == core
    assert alloylite.validate(text, filename=str(path), stability_level="public-preview") == core
    printed = _cli_json(path, capsys)
    assert [(d["line"], d["col"], d["message"]) for d in printed] == [
        (d.start.line if d.start else None, d.start.col if d.start else None, d.message)
        for d in core
    ]
    assert (core == []) == (text == CONFIGS["valid"])
