"""Running the `alloylite` CLI as a user does: a config file on disk, a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def write(tmp_path: Path, text: str, name: str = "config.alloy") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def run_cli(*args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `python -m alloylite ARGS`, without colours."""
    proc = subprocess.run(
        [sys.executable, "-m", "alloylite", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
    )
    return proc.returncode, proc.stdout, proc.stderr
