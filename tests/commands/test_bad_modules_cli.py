"""Bad module input through the CLI (issue 11, Tests): `alloylite validate` and the load of
`alloylite run` answer with Alloy-style diagnostics, never a Python traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

IMPORT = 'import.file "{label}" {{\n  filename = module_path + "/{file}"\n}}\n'
CHAIN = "".join(f'declare "d{i}" {{\n  d{i + 1} "x" {{ }}\n}}\n' for i in range(1000))
NESTED = "".join(f'declare "n{i}" {{\n' for i in range(1000)) + "}\n" * 1000

# case -> (files, validate's first error or None when valid, run's first error)
CASES: dict[str, tuple[dict[str, str], str | None, str]] = {
    "imports itself": (
        {"main.alloy": IMPORT.format(label="me", file="main.alloy")},
        "main.alloy:1:1: import cycle: {d}/main.alloy -> {d}/main.alloy",
        "main.alloy:1:1: import cycle: {d}/main.alloy -> {d}/main.alloy",
    ),
    "import cycle": (
        {
            "main.alloy": IMPORT.format(label="a", file="a.alloy"),
            "a.alloy": IMPORT.format(label="b", file="b.alloy"),
            "b.alloy": IMPORT.format(label="a", file="a.alloy"),
        },
        "b.alloy:1:1: import cycle: {d}/a.alloy -> {d}/b.alloy -> {d}/a.alloy",
        "b.alloy:1:1: import cycle: {d}/a.alloy -> {d}/b.alloy -> {d}/a.alloy",
    ),
    "folder with a broken file": (
        {
            "main.alloy": IMPORT.format(label="lib", file="lib") + 'lib.ok "x" { }\n',
            "lib/good.alloy": 'declare "ok" { }\n',
            "lib/bad.alloy": 'declare "broken" {\n',
        },
        "lib/bad.alloy:2:1: expected }}, got EOF",
        "lib/bad.alloy:2:1: expected }}, got EOF",
    ),
    "declare shadowing a built-in": (
        {
            "main.alloy": 'declare "pyroscope" { }\ndeclare "pyroscope" { }\n'
            'pyroscope.write "w" {\n  endpoint { url = "http://127.0.0.1:1" }\n}\n'
        },
        "main.alloy:2:1: block declare.pyroscope already declared at {d}/main.alloy:1:1",
        "main.alloy:2:1: block declare.pyroscope already declared at {d}/main.alloy:1:1",
    ),
    "1,000 nested instantiations": (
        {"main.alloy": CHAIN + 'declare "d1000" { }\nd0 "root" { }\n'},
        None,  # as in Alloy, validate does not instantiate custom components
        "main.alloy:3002:1: Failed to build component: building component: ",
    ),
    "1,000 nested declares": (
        {"main.alloy": NESTED},
        "main.alloy:201:16: nesting of brackets is deeper than the supported maximum of 200",
        "main.alloy:201:16: nesting of brackets is deeper than the supported maximum of 200",
    ),
}


def alloylite(*args: str) -> tuple[int, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "alloylite", *args, "--stability.level=experimental"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    return proc.returncode, proc.stderr


def first_error(stderr: str) -> str:
    return next(line for line in stderr.splitlines() if line.startswith("Error: "))


def config(tmp_path: Path, files: dict[str, str]) -> str:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return str(tmp_path / "main.alloy")


@pytest.mark.parametrize("case", CASES)
def test_validate(tmp_path: Path, case: str) -> None:
    files, error, _ = CASES[case]
    rc, err = alloylite("validate", config(tmp_path, files))
    assert "Traceback" not in err
    if error is None:
        assert (rc, err) == (0, "")
    else:
        assert rc == 1 and first_error(err) == f"Error: {tmp_path}/" + error.format(d=tmp_path)
        assert err.endswith("Error: validation failed\n")


@pytest.mark.parametrize("case", CASES)
def test_run_fails_at_load(tmp_path: Path, case: str) -> None:
    files, _, error = CASES[case]
    path = config(tmp_path, files)
    rc, err = alloylite("run", path, "--server.http.listen-addr=127.0.0.1:0")
    assert "Traceback" not in err
    assert rc == 1 and first_error(err).startswith(f"Error: {tmp_path}/" + error.format(d=tmp_path))
    assert err.endswith("Error: could not perform the initial load successfully\n")
    if case.endswith("instantiations"):
        assert "modules nested more than 100 levels deep are not supported" in err
