"""`--help` for every command (with examples that parse), `--version`, and a bare `alloylite`."""

from __future__ import annotations

import shlex

import pytest

from alloylite import __version__
from alloylite.cli import build_parser, main
from alloylite.commands.completion import describe

COMMANDS = ["run", "validate", "fmt", "format", "eval", "completion"]


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--help"])
    assert exc.value.code == 0
    return capsys.readouterr().out


def _argv(example: str) -> list[str]:
    """The arguments of an example command line, up to a redirection or pipe."""
    lexer = shlex.shlex(example, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words = []
    for word in lexer:
        if word in (">", ">>", "|", "<", ";", "&&"):
            break
        words.append(word)
    return words[1:]


def _examples(text: str) -> list[str]:
    """The `alloylite ...` command lines of the examples section, comments dropped."""
    section = text.split("\nexample", 1)[1]
    lines = [line.strip() for line in section.splitlines()[1:] if line.startswith("  ")]
    if not lines:  # a one-line `example: alloylite ...`
        lines = [section.split(":", 1)[1].strip()]
    return [line.split("  #")[0].strip() for line in lines if line.startswith("alloylite ")]


def test_every_command_is_covered() -> None:
    _, commands = describe(build_parser())
    assert {n for c in commands for n in c.all_names} == set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_examples_that_parse(capsys: pytest.CaptureFixture[str], command: str) -> None:
    text = _help(capsys, command)
    canonical = "fmt" if command == "format" else command
    assert text.startswith(f"usage: alloylite {canonical}")
    examples = _examples(text)
    assert examples, text
    parser = build_parser()
    for example in examples:
        argv = _argv(example)
        assert argv[0] == canonical, example
        args = parser.parse_args(argv)  # exits (fails the test) on a wrong example
        assert args.command == canonical


@pytest.mark.parametrize("command", COMMANDS)
def test_help_describes_every_argument(capsys: pytest.CaptureFixture[str], command: str) -> None:
    text = _help(capsys, command)
    _, commands = describe(build_parser())
    cmd = next(c for c in commands if command in c.all_names)
    for opt in cmd.options:
        for name in opt.names:
            assert name in text
        assert opt.help, f"{opt.names} has no help"
    positional = text.split("positional arguments:\n", 1)[1].split("\n\n", 1)[0]
    # Each positional has a description after its name, not just the name.
    assert all(len(line.split()) > 1 for line in positional.splitlines()[:1]), positional


def test_top_level_help_lists_commands_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(capsys)
    for command in ("run", "validate", "fmt", "eval", "completion"):
        assert f"\n    {command}" in text
    parser = build_parser()
    for example in _examples(text):
        parser.parse_args(_argv(example))


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"alloylite {__version__}\n"


def test_no_command_prints_usage_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert capsys.readouterr().err.startswith("usage: alloylite")


def test_validate_help_says_what_it_checks_beyond_alloy(capsys: pytest.CaptureFixture[str]) -> None:
    text = " ".join(_help(capsys, "validate").split())
    assert "for every built-in Alloy component" in text
    assert "for the others only `alloy run` checks those rules" in text
