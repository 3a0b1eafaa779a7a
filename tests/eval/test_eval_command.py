"""`alloylite eval`: value on stdout and exit 0, Alloy diagnostics on stderr and exit 1."""

from __future__ import annotations

import pytest

from alloylite.cli import main


def test_prints_value(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", 'string.join(["a", "b"], "-")']) == 0
    out = capsys.readouterr()
    assert out.out == '"a-b"\n' and out.err == ""


def test_prints_multiline_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "{b = 1, aa = 2}"]) == 0
    assert capsys.readouterr().out == "{\n\taa = 2,\n\tb  = 1,\n}\n"


def test_eval_error_is_pretty_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", '1 + "a"']) == 1
    err = capsys.readouterr().err
    assert err.startswith('Error: 1:5: "a" should be number, got string\n')
    assert "  |     ^^^" in err
    assert "Traceback" not in err


def test_parse_error_is_pretty_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "[1,"]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.startswith("Error: 1:4: expected ], got EOF")


def test_unpositioned_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "1e309"]) == 1
    assert capsys.readouterr().err == (
        'Error: strconv.ParseFloat: parsing "1e309": value out of range\n'
    )


def test_env(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOYLITE_TEST_VAR", "x y")
    assert main(["eval", 'sys.env("ALLOYLITE_TEST_VAR")']) == 0
    assert capsys.readouterr().out == '"x y"\n'
