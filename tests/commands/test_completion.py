"""`alloylite completion bash|zsh|fish`: scripts that parse, and complete what they should.

The bash script is sourced in a real bash and its completion function is driven the way
bash drives it (COMP_WORDS/COMP_CWORD). zsh and fish check the syntax, and fish's own
`complete -C` shows what a user would be offered.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from alloylite.cli import build_parser, main
from alloylite.commands.completion import bash_script, describe, fish_script, zsh_script

ROOT = Path(__file__).resolve().parents[2]
BASH = shutil.which("bash")
ZSH = shutil.which("zsh")
FISH = shutil.which("fish")


@pytest.fixture(scope="module")
def scripts() -> dict[str, str]:
    parser = build_parser()
    return {"bash": bash_script(parser), "zsh": zsh_script(parser), "fish": fish_script(parser)}


@pytest.fixture()
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "a.alloy").write_text("")
    (tmp_path / "b.alloy").write_text("")
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "c.alloy").write_text("")
    return tmp_path


def test_command_prints_each_script(
    capsys: pytest.CaptureFixture[str], scripts: dict[str, str]
) -> None:
    for shell, text in scripts.items():
        assert main(["completion", shell]) == 0
        assert capsys.readouterr().out == text


def test_unknown_shell_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["completion", "tcsh"])
    assert exc.value.code == 2
    assert "invalid choice: 'tcsh'" in capsys.readouterr().err


def test_describe_follows_the_parser() -> None:
    top, commands = describe(build_parser())
    names = {c.name: c for c in commands}
    assert set(names) == {"run", "validate", "fmt", "eval", "completion"}
    assert names["fmt"].aliases == ("format",)
    assert {n for o in top for n in o.names} == {"-h", "--help", "--version"}
    assert names["run"].files and names["validate"].files and names["fmt"].files
    assert not names["eval"].files and names["eval"].words == ()
    assert names["completion"].words == ("bash", "zsh", "fish")
    level = next(o for o in names["validate"].options if "--stability.level" in o.names)
    assert level.takes_value
    assert level.choices == ("experimental", "public-preview", "generally-available")
    write = next(o for o in names["fmt"].options if "--write" in o.names)
    assert not write.takes_value and write.names == ("-w", "--write")


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
def test_bash_script_parses(tmp_path: Path, scripts: dict[str, str]) -> None:
    path = tmp_path / "alloylite.bash"
    path.write_text(scripts["bash"])
    subprocess.run([BASH, "-n", str(path)], check=True, timeout=30)


def _bash_complete(script: Path, cwd: Path, *words: str) -> list[str]:
    """What `_alloylite` offers for a command line whose last word is being completed."""
    driver = (
        f"source {script}\n"
        'COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()\n'
        "_alloylite\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    out = subprocess.run(
        [BASH, "--norc", "--noprofile", "-c", driver, "bash", *words],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert out.stderr == ""
    return sorted(line for line in out.stdout.splitlines() if line)


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["alloylite", ""], ["completion", "eval", "fmt", "format", "run", "validate"]),
        (["alloylite", "va"], ["validate"]),
        (["alloylite", "f"], ["fmt", "format"]),
        (["alloylite", "--v"], ["--version"]),
        (
            ["alloylite", "validate", "--"],
            [
                "--feature.community-components.enabled",
                "--format",
                "--help",
                "--stability.level",
            ],
        ),
        (["alloylite", "run", "--w"], ["--workers"]),
        (["alloylite", "fmt", "-"], ["--help", "--test", "--write", "-h", "-t", "-w"]),
        (["alloylite", "validate", "--format", ""], ["github", "json", "text"]),
        # bash splits `--format=j` at the "=" (COMP_WORDBREAKS).
        (["alloylite", "validate", "--format", "=", ""], ["github", "json", "text"]),
        (["alloylite", "validate", "--format", "=", "j"], ["json"]),
        (["alloylite", "run", "--stability.level", "=", "p"], ["public-preview"]),
        (["alloylite", "run", "--stability.level=g"], ["--stability.level=generally-available"]),
        (["alloylite", "run", "--workers", ""], []),
        (["alloylite", "eval", ""], []),
        (["alloylite", "completion", ""], ["bash", "fish", "zsh"]),
        (["alloylite", "completion", "z"], ["zsh"]),
        # Config paths: *.alloy files and directories, never other files.
        (["alloylite", "validate", ""], ["a.alloy", "b.alloy", "conf.d"]),
        (["alloylite", "run", "--stability.level=public-preview", "a"], ["a.alloy"]),
        (["alloylite", "fmt", "-w", ""], ["a.alloy", "b.alloy", "conf.d"]),
        (["alloylite", "validate", "conf.d/"], ["conf.d/c.alloy"]),
    ],
)
def test_bash_completes(
    tmp_path: Path, workdir: Path, scripts: dict[str, str], words: list[str], expected: list[str]
) -> None:
    script = tmp_path / "alloylite.bash"
    script.write_text(scripts["bash"])
    assert _bash_complete(script, workdir, *words) == expected


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
def test_bash_registers_for_the_command(tmp_path: Path) -> None:
    """What the user actually runs: `source <(alloylite completion bash)`."""
    cmd = f"source <({sys.executable} -m alloylite completion bash)\ncomplete -p alloylite\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [BASH, "--norc", "--noprofile", "-c", cmd],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert out.stdout.strip() == "complete -F _alloylite alloylite"


@pytest.mark.skipif(ZSH is None, reason="zsh is not installed")
def test_zsh_script_parses(tmp_path: Path, scripts: dict[str, str]) -> None:
    path = tmp_path / "_alloylite"
    path.write_text(scripts["zsh"])
    subprocess.run([ZSH, "-n", str(path)], check=True, timeout=30)
    assert scripts["zsh"].startswith("#compdef alloylite\n")
    assert "(experimental public-preview generally-available)" in scripts["zsh"]
    assert '_files -g "*.alloy"' in scripts["zsh"]


@pytest.mark.skipif(ZSH is None, reason="zsh is not installed")
def test_zsh_script_registers_after_compinit(tmp_path: Path, scripts: dict[str, str]) -> None:
    path = tmp_path / "_alloylite"
    path.write_text(scripts["zsh"])
    cmd = (
        f"autoload -Uz compinit && compinit -u -d {tmp_path}/zcompdump\n"
        f"source {path}\n"
        'print -r -- "$_comps[alloylite]"\n'
    )
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [ZSH, "-f", "-c", cmd],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=env,
    )
    assert out.stdout.strip() == "_alloylite"


def _fish_complete(script: Path, cwd: Path, line: str) -> list[str]:
    out = subprocess.run(
        [FISH, "--no-config", "-c", f"source {script}; complete -C '{line}'"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
        env={"HOME": str(cwd), "PATH": "/usr/bin:/bin"},
    )
    return sorted(row.split("\t")[0] for row in out.stdout.splitlines() if row)


@pytest.mark.skipif(FISH is None, reason="fish is not installed")
def test_fish_script_parses_and_completes(
    tmp_path: Path, workdir: Path, scripts: dict[str, str]
) -> None:
    script = tmp_path / "alloylite.fish"
    script.write_text(scripts["fish"])
    subprocess.run([FISH, "--no-config", "-n", str(script)], check=True, timeout=30)
    assert _fish_complete(script, workdir, "alloylite va") == ["validate"]
    assert _fish_complete(script, workdir, "alloylite validate --format ") == [
        "github",
        "json",
        "text",
    ]
    assert _fish_complete(script, workdir, "alloylite validate ") == [
        "a.alloy",
        "b.alloy",
        "conf.d/",
    ]
    assert _fish_complete(script, workdir, "alloylite completion ") == ["bash", "fish", "zsh"]
