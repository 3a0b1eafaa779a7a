"""Coloured diagnostics: Alloy's styling, and when it is used (tty, NO_COLOR, FORCE_COLOR).

The exact bytes are what fatih/color writes for Alloy's header (`color.New(FgRed, Bold)`
around "Error: ", `color.New(Bold)` around "pos: message\\n"); the source frame is never
styled. When to colour is checked end to end: the CLI on a real pseudo-terminal, on a pipe,
and with the environment variables.
"""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from alloylite.syntax.ast import Pos
from alloylite.syntax.diag import Diagnostic, Severity, render_pretty, use_color
from alloylite.syntax.parser import parse_file

ROOT = Path(__file__).resolve().parents[2]
RED = "\x1b[31;1m"
YELLOW = "\x1b[33;1m"
BOLD = "\x1b[1m"
RESET = "\x1b[0m"
INVALID = b'logging {\n  colour = "red"\n}\n'


class _Tty(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def test_error_header_is_bold_red_then_bold() -> None:
    src = b"a = #\n"
    text = render_pretty(parse_file(src).diagnostics, {"main.alloy": src}, color=True)
    assert text.startswith(
        f"{RED}Error: {RESET}{BOLD}main.alloy:1:5: illegal character U+0023 '#'\n{RESET}"
        "\n1 | a = #\n  |     ^\n"
    )


def test_warning_header_is_bold_yellow() -> None:
    warning = Diagnostic(Severity.WARNING, "deprecated", Pos(0, 1, 1), filename="x.alloy")
    assert render_pretty([warning], {}, color=True) == (
        f"{YELLOW}Warning: {RESET}{BOLD}x.alloy:1:1: deprecated\n{RESET}"
    )


def test_colour_touches_only_the_headers() -> None:
    src = b"blk {\n\tx = #\n}\n"
    diags = parse_file(src).diagnostics
    plain = render_pretty(diags, {"main.alloy": src})
    coloured = render_pretty(diags, {"main.alloy": src}, color=True)
    for esc in (RED, BOLD, RESET):
        coloured = coloured.replace(esc, "")
    assert coloured == plain


@pytest.mark.parametrize(
    ("env", "tty", "expected"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": ""}, True, True),  # the no-color.org rule: only a non-empty value counts
        ({"FORCE_COLOR": "1"}, False, True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, False),  # NO_COLOR wins
        ({"TERM": "dumb"}, True, False),
        ({"TERM": "dumb", "FORCE_COLOR": "1"}, False, True),
    ],
)
def test_use_color(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], tty: bool, expected: bool
) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert use_color(_Tty(tty)) is expected


def test_use_color_on_a_closed_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    stream = open(os.devnull, "w")
    stream.close()
    assert use_color(stream) is False


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["TERM"] = "xterm"
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def _stderr_on_pty(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal: (exit code, stdout, stderr)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "alloylite", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            proc.kill()
            raise AssertionError("no output from the command on the pty")
        try:
            data = os.read(leader, 4096)
        except OSError:  # EIO: the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    out = proc.stdout.read().decode() if proc.stdout else ""
    code = proc.wait(timeout=60)
    # The terminal turns "\n" into "\r\n".
    return code, out, b"".join(chunks).decode().replace("\r\n", "\n")


@pytest.fixture()
def invalid_config(tmp_path: Path) -> Path:
    path = tmp_path / "bad.alloy"
    path.write_bytes(INVALID)
    return path


def test_validate_on_a_terminal_is_coloured(invalid_config: Path) -> None:
    code, _, err = _stderr_on_pty(["validate", str(invalid_config)], _env())
    assert code == 1
    assert err.startswith(
        f'{RED}Error: {RESET}{BOLD}{invalid_config}:2:3: unrecognized attribute name "colour"\n'
        f"{RESET}\n1 | logging {{\n"
    )


def test_no_color_on_a_terminal(invalid_config: Path) -> None:
    code, _, err = _stderr_on_pty(["validate", str(invalid_config)], _env(NO_COLOR="1"))
    assert code == 1
    assert "\x1b[" not in err
    assert err.startswith(f'Error: {invalid_config}:2:3: unrecognized attribute name "colour"')


def test_eval_on_a_terminal_is_coloured() -> None:
    code, _, err = _stderr_on_pty(["eval", '1 + "a"'], _env())
    assert code == 1
    assert err.startswith(f'{RED}Error: {RESET}{BOLD}1:5: "a" should be number, got string\n')


def test_a_pipe_gets_no_colour_unless_forced(invalid_config: Path) -> None:
    cmd = [sys.executable, "-m", "alloylite", "validate", str(invalid_config)]
    piped = subprocess.run(cmd, capture_output=True, text=True, env=_env(), timeout=60)
    assert piped.returncode == 1 and "\x1b[" not in piped.stderr
    forced = subprocess.run(
        cmd, capture_output=True, text=True, env=_env(FORCE_COLOR="1"), timeout=60
    )
    assert forced.returncode == 1
    assert forced.stderr.startswith(f"{RED}Error: {RESET}{BOLD}")
    # Machine-readable formats are never coloured.
    as_json = subprocess.run(
        [*cmd, "--format=json"],
        capture_output=True,
        text=True,
        env=_env(FORCE_COLOR="1"),
        timeout=60,
    )
    assert "\x1b[" not in as_json.stdout
