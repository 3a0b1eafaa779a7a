"""`alloylite fmt`: the command's contract (spec: alloy-syntax.md §6.2)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from alloylite.cli import main

UNFORMATTED = b"a = 1\nbbb   =   2\n"
FORMATTED = b"a   = 1\nbbb = 2\n"


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def _run(argv: list[str], capsys: pytest.CaptureFixture[bytes]) -> tuple[int, bytes, bytes]:
    code = main(["fmt", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_prints_formatted_file(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = tmp_path / "config.alloy"
    path.write_bytes(UNFORMATTED)
    assert _run([str(path)], capsysbinary) == (0, FORMATTED, b"")
    assert path.read_bytes() == UNFORMATTED


def test_format_alias_and_empty_file(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path = tmp_path / "empty.alloy"
    path.write_bytes(b"")
    code = main(["format", str(path)])
    assert (code, capsysbinary.readouterr().out) == (0, b"\n")


def test_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin(UNFORMATTED))
    assert _run(["-"], capsysbinary) == (0, FORMATTED, b"")
    monkeypatch.setattr("sys.stdin", _Stdin(UNFORMATTED))
    assert _run([], capsysbinary) == (0, FORMATTED, b"")


def test_write_rewrites_only_when_changed(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    changed = tmp_path / "changed.alloy"
    changed.write_bytes(UNFORMATTED)
    assert _run(["-w", str(changed)], capsysbinary) == (0, b"", b"")
    assert changed.read_bytes() == FORMATTED

    same = tmp_path / "same.alloy"
    same.write_bytes(FORMATTED)
    os.utime(same, (1_000_000, 1_000_000))
    assert _run(["--write", str(same)], capsysbinary) == (0, b"", b"")
    assert same.stat().st_mtime == 1_000_000


def test_check_mode(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    good = tmp_path / "good.alloy"
    good.write_bytes(FORMATTED)
    assert _run(["-t", str(good)], capsysbinary) == (0, b"", b"")

    bad = tmp_path / "bad.alloy"
    bad.write_bytes(UNFORMATTED)
    message = f"Error: file {bad} is not formatted correctly\n".encode()
    assert _run(["--test", str(bad)], capsysbinary) == (1, b"", message)
    assert bad.read_bytes() == UNFORMATTED


def test_check_mode_on_stdin(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin(UNFORMATTED))
    message = b"Error: file <stdin> is not formatted correctly\n"
    assert _run(["-t", "-"], capsysbinary) == (1, b"", message)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-w", "-t", "x.alloy"], "cannot use -w/--write and -t/--test at the same time"),
        (["-w", "-"], "cannot use -w with standard input"),
        (["-w"], "cannot use -w with standard input"),
    ],
)
def test_usage_errors(
    argv: list[str], message: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert _run(argv, capsysbinary) == (1, b"", f"Error: {message}\n".encode())


def test_directory_is_refused(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert _run([str(tmp_path)], capsysbinary) == (1, b"", b"Error: cannot format a directory\n")


def test_missing_file(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = tmp_path / "nope.alloy"
    message = f"Error: stat {path}: no such file or directory\n".encode()
    assert _run([str(path)], capsysbinary) == (1, b"", message)


def test_parse_errors_are_listed(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path = tmp_path / "broken.alloy"
    path.write_bytes(b"a = 1 b = 2\nc = 3\nd = [1,\n2\n]\n")
    code, out, err = _run([str(path)], capsysbinary)
    assert (code, out) == (1, b"")
    lines = err.decode().splitlines()
    assert lines[0] == f"{path}:1:7: expected TERMINATOR, got IDENT"
    assert lines[-1] == "Error: encountered errors during formatting"
    assert len(lines) >= 3
    assert all(line.startswith(f"{path}:") for line in lines[:-1])
    assert path.read_bytes().startswith(b"a = 1 b = 2")


def test_unicode_text_is_kept(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = tmp_path / "unicode.alloy"
    path.write_bytes('a   =   "é"\n'.encode())
    assert _run([str(path)], capsysbinary) == (0, 'a = "é"\n'.encode(), b"")
