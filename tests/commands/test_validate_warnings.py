"""Warnings of `alloylite validate` (Alloy's validator: internal/validator/testdata stdlib.diags):
deprecated stdlib functions and components shadowing a stdlib name. Warnings alone print to
stderr and exit 0; `run` logs them."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

from alloylite.runtime.component import Registration, Stability
from alloylite.runtime.controller import Controller
from alloylite.runtime.loader import (
    DEPRECATED_MESSAGE,
    SHADOWING_MESSAGE,
    LoadedConfig,
    link,
)
from alloylite.syntax.diag import Severity
from alloylite.syntax.parser import parse_file
from tests.commands.cli_support import run_cli, write
from tests.runtime.components import Late, LateArgs, make_registry

# Line 6 holds the deprecated call at column 18; Alloy underlines the name `env`, the
# chain a call ends (stdlib.diags: `ast.EndPos` of its last identifier).
DEPRECATED = """\
pyroscope.write "backend" {
  endpoint {
    url = "http://pyroscope:4040"
    basic_auth {
      // from the environment
      username = env("PYROSCOPE_USERNAME")
    }
  }
}
"""


def test_deprecated_function_is_a_warning_under_its_name(tmp_path: Path) -> None:
    path = write(tmp_path, DEPRECATED, "main.alloy")
    rc, out, err = run_cli("validate", path)
    assert (rc, out) == (0, "")
    assert err == (
        f"Warning: {path}:6:18: {DEPRECATED_MESSAGE}\n"
        "\n"
        "5 |       // from the environment\n"
        '6 |       username = env("PYROSCOPE_USERNAME")\n'
        "  |                  ^^^\n"
        "7 |     }\n"
    )
    assert DEPRECATED_MESSAGE == (
        "this stdlib function is deprecated; please refer to the "
        "documentation for updated usage and alternatives"
    )


def test_every_deprecated_name_warns_and_the_new_names_do_not(tmp_path: Path) -> None:
    text = """\
pyroscope.write "backend" {
  endpoint {
    url = string.to_lower(to_upper("http://a:4040"))
  }
  external_labels = {
    "a" = join(split("x,y", ","), "-"),
    "b" = sys.env("HOME"),
    "c" = format("%s", trim_space(" c ")),
  }
}
"""
    rc, out, _ = run_cli("validate", "--format=json", write(tmp_path, text, "main.alloy"))
    assert rc == 0
    items = json.loads(out)
    assert [(i["line"], i["col"], i["end_col"], i["severity"]) for i in items] == [
        (3, 27, 34, "warning"),  # to_upper
        (6, 11, 14, "warning"),  # join
        (6, 16, 20, "warning"),  # split
        (8, 11, 16, "warning"),  # format
        (8, 24, 33, "warning"),  # trim_space
    ]
    assert {i["message"] for i in items} == {DEPRECATED_MESSAGE}


def test_warnings_do_not_hide_errors_and_errors_decide_the_exit_code(tmp_path: Path) -> None:
    text = DEPRECATED.replace('url = "http://pyroscope:4040"', "url = true")
    path = write(tmp_path, text, "main.alloy")
    rc, out, err = run_cli("validate", path)
    assert rc == 1
    headers = [line for line in err.splitlines() if line.startswith(("Error", "Warning"))]
    assert headers == [
        f"Error: {path}:3:11: expected string, got bool",
        f"Warning: {path}:6:18: {DEPRECATED_MESSAGE}",
        "Error: validation failed",
    ]
    assert out == "\n"


def test_github_format_marks_warnings(tmp_path: Path) -> None:
    path = write(tmp_path, DEPRECATED, "main.alloy")
    rc, out, _ = run_cli("validate", "--format=github", path)
    assert rc == 0
    assert out == (
        f"::warning file={path},line=6,col=18,endLine=6,endColumn=20::{DEPRECATED_MESSAGE}\n"
    )


def _registry_with_stdlib_named_component() -> object:
    registry = make_registry()
    registry.register(Registration("sys.late", Stability.GENERALLY_AVAILABLE, LateArgs, Late))
    return registry


def _link(text: str) -> LoadedConfig:
    parsed = parse_file(text)
    assert parsed.file is not None, parsed.diagnostics
    return link(
        {"main.alloy": parsed.file},
        LoadedConfig(sources={"main.alloy": text.encode()}),
        _registry_with_stdlib_named_component(),  # type: ignore[arg-type]
        Stability.EXPERIMENTAL,
        validate_mode=True,
    )


def test_component_shadowing_a_stdlib_name_spans_the_first_name() -> None:
    config = _link('sys.late "x" {}\n\ntest.late "y" {\n  value = sys.late.x.value\n}\n')
    [warning] = config.diagnostics
    assert warning.severity is Severity.WARNING and warning.message == SHADOWING_MESSAGE
    assert (warning.start.line, warning.start.col) == (4, 11)  # type: ignore[union-attr]
    # Alloy underlines the shadowed name only (`sys`), not the whole reference.
    assert (warning.end.line, warning.end.col) == (4, 13)  # type: ignore[union-attr]
    assert config.ok


def test_stdlib_call_without_a_component_of_that_name_is_not_shadowing() -> None:
    config = _link('test.late "y" {\n  value = sys.env("HOME")\n}\n')
    assert config.diagnostics == []


def test_run_logs_the_deprecation_warning_and_starts_anyway() -> None:
    text = 'test.late "y" {\n  value = to_upper("x")\n}\n'
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    def load() -> LoadedConfig:
        parsed = parse_file(text)
        assert parsed.file is not None
        return link(
            {"main.alloy": parsed.file},
            LoadedConfig(sources={"main.alloy": text.encode()}),
            make_registry(),
            Stability.EXPERIMENTAL,
            validate_mode=False,
        )

    async def main() -> None:
        ctl = Controller("main.alloy", make_registry(), Stability.EXPERIMENTAL, load_config=load)
        await ctl.load()
        assert "test.late.y" in ctl.components
        await ctl.stop()

    logger = logging.getLogger("alloylite")
    handler = Collect()
    logger.addHandler(handler)
    try:
        asyncio.run(asyncio.wait_for(main(), 30))
    finally:
        logger.removeHandler(handler)
    warnings = [r for r in records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [f"main.alloy:2:11: {DEPRECATED_MESSAGE}"]
