"""`alloylite validate`: every error, Alloy's texts, exit codes, output formats, no HTTP stack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from alloylite.cli import main
from tests.commands.cli_support import run_cli, write
from tests.test_api import GATED

VALID = """\
// Receives profiles over HTTP
pyroscope.receive_http "default" {
  http {
    listen_address = "0.0.0.0"
    listen_port    = 9999
  }
  forward_to = [pyroscope.write.backend.receiver]
}

pyroscope.write "backend" {
  endpoint {
    url = "http://pyroscope:4040"
    basic_auth {
      username = "user"
      password = "secret"
    }
  }
  external_labels = {
    "env" = "production",
  }
}
"""

INVALID = """\
colour = "red"
pyroscope.write "backend" {
  endpoint {
    url     = true
    timeout = "1s"
  }
  endpoint { }
}
pyroscope.write "backend" { }
local.nope "x" { }
pyroscope.receive_http "in" {
  forward_to = [pyroscope.write.nope.receiver]
}
"""


def test_valid_config_prints_nothing(tmp_path: Path) -> None:
    rc, out, err = run_cli("validate", write(tmp_path, VALID), "--stability.level=public-preview")
    assert (rc, out, err) == (0, "", "")


def test_stability_gate(tmp_path: Path) -> None:
    rc, _, err = run_cli("validate", write(tmp_path, GATED))
    assert rc == 1
    assert (
        'config.alloy:1:1: component "pyroscope.enrich" is at stability level '
        '"experimental", which is below the minimum allowed stability level '
        '"generally-available". Use --stability.level command-line flag to enable '
        '"experimental" features' in err
    )
    assert err.endswith("Error: validation failed\n")


def test_every_error_is_reported_with_alloy_texts(tmp_path: Path) -> None:
    path = write(tmp_path, INVALID)
    rc, out, err = run_cli("validate", path, "--stability.level=experimental")
    assert rc == 1
    headers = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert headers == [
        f"Error: {path}:1:1: unrecognized attribute colour",
        f"Error: {path}:4:15: expected string, got bool",
        f'Error: {path}:5:5: unrecognized attribute name "timeout"',
        f'Error: {path}:7:3: missing required attribute "url"',
        f"Error: {path}:9:1: block pyroscope.write.backend already declared at {path}:2:1",
        f'Error: {path}:10:1: cannot find the definition of component name "local.nope"',
        f'Error: {path}:12:17: component "pyroscope.write.nope.receiver" does not exist or is '
        "out of scope",
        "Error: validation failed",
    ]
    # Pretty frames: the attribute error underlines the whole statement.
    assert '5 |     timeout = "1s"\n  |     ^^^^^^^^^^^^^^\n' in err
    assert out == "\n"


def test_json_format(tmp_path: Path) -> None:
    path = write(tmp_path, INVALID)
    rc, out, err = run_cli("validate", path, "--format=json")
    assert rc == 1 and err == "Error: validation failed\n"
    items = json.loads(out)
    first = items[0]
    assert first == {
        "file": path,
        "line": 1,
        "col": 1,
        "end_line": 1,
        "end_col": 14,
        "severity": "error",
        "message": "unrecognized attribute colour",
    }
    assert {i["message"] for i in items} >= {'missing required attribute "url"'}


def test_github_format(tmp_path: Path) -> None:
    path = write(tmp_path, 'pyroscope.write "a" {\n  bogus = 1\n}\n')
    rc, out, _ = run_cli("validate", path, "--format", "github")
    assert rc == 1
    assert out == (
        f"::error file={path},line=2,col=3,endLine=2,endColumn=11::"
        'unrecognized attribute name "bogus"\n'
    )


def test_directory_merges_alloy_files_and_ids_are_unique_across_them(tmp_path: Path) -> None:
    write(tmp_path, 'pyroscope.write "a" {\n}\n', "a.alloy")
    write(tmp_path, 'pyroscope.write "a" {\n}\n', "b.alloy")
    write(tmp_path, "this is not alloy", "notes.txt")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "broken {", "c.alloy")
    rc, _, err = run_cli("validate", str(tmp_path))
    assert rc == 1
    a, b = tmp_path / "a.alloy", tmp_path / "b.alloy"
    assert f"Error: {b}:1:1: block pyroscope.write.a already declared at {a}:1:1" in err
    assert err.count("Error: ") == 2


def test_cycles_and_self_references(tmp_path: Path) -> None:
    text = """\
pyroscope.write "a" {
  external_labels = { x = pyroscope.write.b.receiver }
}
pyroscope.write "b" {
  external_labels = { x = pyroscope.write.a.receiver }
}
pyroscope.write "c" {
  external_labels = { x = pyroscope.write.c.receiver }
}
"""
    path = write(tmp_path, text)
    rc, _, err = run_cli("validate", path)
    assert rc == 1
    headers = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert headers == [
        f"Error: {path}:1:1: cycle detected: pyroscope.write.a, pyroscope.write.b",
        f"Error: {path}:4:1: cycle detected: pyroscope.write.a, pyroscope.write.b",
        f"Error: {path}:7:1: cannot reference self",  # the block head, as Alloy
        "Error: validation failed",
    ]


def test_syntax_errors_and_unreadable_paths(tmp_path: Path) -> None:
    rc, _, err = run_cli("validate", write(tmp_path, 'pyroscope.write "a" {\n  url = \n}\n'))
    assert rc == 1 and err.startswith("Error: ") and err.endswith("Error: validation failed\n")
    missing = str(tmp_path / "missing.alloy")
    rc, _, err = run_cli("validate", missing)
    assert rc == 1
    # A plain command error as in Alloy: no position, no code frame.
    assert err == f'Error: reading config path "{missing}": no such file or directory\n'


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_cli("validate")[0] == 2
    assert run_cli("validate", write(tmp_path, VALID), "--format=xml")[0] == 2
    rc, _, err = run_cli("validate", write(tmp_path, VALID), "--stability.level=beta")
    assert rc == 2 and 'invalid stability level "beta"' in err


def test_validate_never_imports_http_stacks(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    code = (
        "import sys\nfrom alloylite.cli import main\n"
        f"rc = main(['validate', {path!r}, '--stability.level=public-preview'])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'starlette', 'uvicorn', 'httpx', 'httpcore', 'h2', 'anyio'})\n"
        "print(rc, heavy)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "0 []", proc.stderr


def test_examples_validate(capsys: pytest.CaptureFixture[str]) -> None:
    examples = sorted((Path(__file__).parents[2] / "examples").rglob("*.alloy"))
    assert examples
    for example in examples:
        rc = main(["validate", str(example), "--stability.level=public-preview"])
        assert rc == 0, (example, capsys.readouterr().err)


def test_unknown_export_fields(tmp_path: Path) -> None:
    text = (
        'pyroscope.receive_http "a" {\n'
        "  forward_to = [pyroscope.write.b.recever, pyroscope.write.b.receiver]\n"
        "}\n"
        'pyroscope.write "b" { }\n'
    )
    path = write(tmp_path, text)
    rc, _, err = run_cli("validate", path, "--stability.level=public-preview")
    assert rc == 1
    assert f'Error: {path}:2:35: field "recever" does not exist' in err
    assert err.count("Error: ") == 2
