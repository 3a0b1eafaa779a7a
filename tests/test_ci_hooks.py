"""The pre-commit hooks of .pre-commit-hooks.yaml work with several files at once.

pre-commit appends every matching file name to one call of the hook's entry;
docs/ci.md documents the hooks, so they must behave as documented: exit 0
when every file passes, 1 (with the file's diagnostics) when one fails.
"""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GOOD = 'pyroscope.write "backend" {\n\tendpoint {\n\t\turl = "http://127.0.0.1:4040"\n\t}\n}\n'
UNFORMATTED = GOOD.replace("\t", "  ")
INVALID = 'pyroscope.write "backend" {\n\tendpoint {\n\t\turll = "http://127.0.0.1:4040"\n\t}\n}\n'
RECEIVER = 'pyroscope.receive_http "default" {\n\tforward_to = []\n}\n'


def _hooks() -> dict[str, dict[str, object]]:
    data = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return {hook["id"]: hook for hook in data}


def _run_hook(hook_id: str, files: list[Path], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run the hook as pre-commit does: entry + args + file names, `alloylite` on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "alloylite"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m alloylite "$@"\n', encoding="utf-8")
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    hook = _hooks()[hook_id]
    argv = shlex.split(str(hook["entry"])) + list(hook.get("args", [])) + [str(f) for f in files]
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        argv, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False
    )


def _write(tmp_path: Path, **files: str) -> list[Path]:
    paths = []
    for name, text in files.items():
        path = tmp_path / f"{name}.alloy"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def test_both_hooks_are_offered() -> None:
    assert set(_hooks()) == {"alloylite-validate", "alloylite-fmt"}


@pytest.mark.parametrize("hook_id", ["alloylite-validate", "alloylite-fmt"])
def test_several_good_files_pass(hook_id: str, tmp_path: Path) -> None:
    files = _write(tmp_path, a=GOOD, b=GOOD, c=RECEIVER)
    result = _run_hook(hook_id, files, tmp_path)
    assert result.returncode == 0, result.stderr


def test_validate_hook_fails_on_one_bad_file_among_several(tmp_path: Path) -> None:
    files = _write(tmp_path, a=GOOD, b=INVALID, c=RECEIVER)
    result = _run_hook("alloylite-validate", files, tmp_path)
    assert result.returncode == 1
    assert 'unrecognized attribute name "urll"' in result.stderr
    assert "usage:" not in result.stderr


def test_fmt_hook_fails_on_one_unformatted_file_among_several(tmp_path: Path) -> None:
    files = _write(tmp_path, a=GOOD, b=UNFORMATTED)
    result = _run_hook("alloylite-fmt", files, tmp_path)
    assert result.returncode == 1
    assert "b.alloy is not formatted correctly" in result.stderr
