"""The wheel: it builds, carries the grammar and the web UI, and works installed in a fresh venv.

The build runs on a copy of the project's sources (what an sdist holds), so stale `build/`
folders or other people's work in the checkout never leak into the wheel. The venv sees the
tests' own packages (lark, starlette...: no downloads) but alloylite only from the wheel, and
every command runs from a folder outside the checkout. The same venv then checks the
grammar cache: it goes to the user's cache folder, never next to the installed package, and
an unusable cache folder, a read-only install or a corrupt cache file is never fatal.
"""

from __future__ import annotations

import os
import shutil
import site
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import alloylite
from tests.test_api import GATED

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "receive-profiles-basic.alloy"
UI_FILES = sorted(p.name for p in (ROOT / "alloylite" / "server" / "ui").iterdir() if p.is_file())


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    outside: Path  # a folder outside the checkout to run commands from

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def cli(self) -> Path:
        return self.venv / "bin" / "alloylite"

    def package_dir(self) -> Path:
        out = self.run([str(self.python), "-c", "import alloylite; print(alloylite.__file__)"])
        return Path(out.stdout.strip()).parent

    def run(
        self, argv: list[str], *, env: dict[str, str] | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv,
            cwd=self.outside,
            env=env or clean_env(self.outside),
            capture_output=True,
            text=True,
            timeout=60,
            check=check,
        )


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment without anything that could point Python at the checkout."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "PYTHONPATH",
            "PYTHONHOME",
            "XDG_CACHE_HOME",
            "NO_COLOR",
            "FORCE_COLOR",
            "PYTHONSAFEPATH",
            "VIRTUAL_ENV",
        )
    }
    env["HOME"] = str(home)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def _copy_sources(dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, dest / name)
    # alloylite/grammar is a relative symlink to ../grammar: copy both, keep the link.
    shutil.copytree(ROOT / "grammar", dest / "grammar", ignore=ignore)
    shutil.copytree(ROOT / "alloylite", dest / "alloylite", symlinks=True, ignore=ignore)


def _make_venv_seeing_our_dependencies(venv: Path) -> None:
    """A venv that imports the dependencies the tests run with, so nothing downloads.

    `--system-site-packages` alone shows the *base* interpreter's packages: when the tests
    themselves run in a virtualenv (where the dependencies usually are), those are missing.
    So the running interpreter's site-packages folders are appended through a `.pth` file:
    listed folders join sys.path after the venv's own site-packages (where the wheel goes),
    and the `.pth` files inside them (an editable install of the checkout) are not run.
    """
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
        check=True,
        timeout=60,
    )
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    own_site = venv / "lib" / version / "site-packages"
    (own_site / "_tests_dependencies.pth").write_text(
        "".join(f"{folder}\n" for folder in site.getsitepackages())
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("packaging")
    src, dist, outside = base / "src", base / "dist", base / "elsewhere"
    for folder in (src, dist, outside):
        folder.mkdir()
    _copy_sources(src)
    # No build isolation: setuptools and wheel come from the test extras, nothing is fetched.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(dist),
            str(src),
        ],
        cwd=base,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=clean_env(base),
    )
    [wheel] = dist.glob("alloylite-*.whl")
    venv = base / "venv"
    _make_venv_seeing_our_dependencies(venv)
    subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "-q",
            str(wheel),
        ],
        cwd=outside,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=clean_env(outside),
    )
    yield Installed(wheel, venv, outside)


def test_wheel_contents(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as whl:
        names = set(whl.namelist())
        grammar = whl.read("alloylite/grammar/alloy.lark")
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        scripts = whl.read(entry_points).decode()
    assert grammar == (ROOT / "grammar" / "alloy.lark").read_bytes()
    assert UI_FILES, "the checkout has no UI files to ship"
    for name in UI_FILES:
        assert f"alloylite/server/ui/{name}" in names, name
    assert "alloylite/py.typed" in names
    assert "alloylite = alloylite.cli:main" in scripts
    assert installed.wheel.name.startswith(f"alloylite-{alloylite.__version__}-")
    assert not any(
        n.startswith(("tests/", "bench/", "examples/", "tools/", "docs/")) for n in names
    )
    # The catalogue ships as data; the tool that compiles it stays in the checkout.
    assert "alloylite/runtime/catalogue/schemas.json" in names
    assert not [n for n in names if "compile" in n.rsplit("/", 1)[-1]]


def test_the_wheel_is_what_runs(installed: Installed) -> None:
    package = installed.package_dir()
    assert package.is_relative_to(installed.venv), package
    assert not package.is_relative_to(ROOT)
    assert (package / "grammar" / "alloy.lark").is_file()
    version = installed.run([str(installed.cli), "--version"])
    assert version.stdout == f"alloylite {alloylite.__version__}\n"


def test_installed_cli_validates_and_evaluates(installed: Installed, tmp_path: Path) -> None:
    config = installed.outside / "config.alloy"
    shutil.copy(EXAMPLE, config)
    ok = installed.run(
        [str(installed.cli), "validate", "--stability.level=public-preview", "config.alloy"]
    )
    assert ok.stdout == "" and ok.stderr == ""
    (installed.outside / "gated.alloy").write_text(GATED)
    gated = installed.run([str(installed.cli), "validate", "gated.alloy"], check=False)
    assert gated.returncode == 1 and '"experimental"' in gated.stderr
    evaluated = installed.run([str(installed.cli), "eval", "1 + 2"])
    assert evaluated.stdout == "3\n"
    formatted = installed.run([str(installed.cli), "fmt", "config.alloy"])
    assert formatted.stdout.startswith("// From Alloy's guide")


def test_installed_python_api(installed: Installed) -> None:
    code = (
        "import alloylite\n"
        'print(alloylite.evaluate(\'string.join(["a", "b"], "-")\'))\n'
        "print(len(alloylite.validate('logging {\\n  colour = 1\\n}\\n')))\n"
    )
    out = installed.run([str(installed.python), "-c", code])
    assert out.stdout == "a-b\n1\n"


# ------------------------------------------------------------------------- grammar cache


def _files(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*") if "__pycache__" not in p.parts}


def test_grammar_cache_goes_to_the_user_cache(installed: Installed, tmp_path: Path) -> None:
    package = installed.package_dir()
    before = _files(package)
    cache_home = tmp_path / "cache"
    env = clean_env(tmp_path, XDG_CACHE_HOME=str(cache_home))
    assert installed.run([str(installed.cli), "eval", "[1, 2]"], env=env).stdout == "[1, 2]\n"
    [cache_file] = (cache_home / "alloylite").iterdir()
    assert cache_file.name.endswith(".lark-cache") and cache_file.stat().st_size > 0
    first = cache_file.read_bytes()
    assert installed.run([str(installed.cli), "eval", "1"], env=env).stdout == "1\n"
    assert cache_file.read_bytes() == first  # reused, not rebuilt
    # Without XDG_CACHE_HOME the cache lives under ~/.cache.
    home = tmp_path / "home"
    home.mkdir()
    installed.run([str(installed.cli), "eval", "1"], env=clean_env(home))
    assert len(list((home / ".cache" / "alloylite").glob("*.lark-cache"))) == 1
    assert _files(package) == before  # nothing was ever written next to the package
    assert not list(installed.venv.rglob("*.lark-cache"))


@pytest.mark.parametrize("home_kind", ["file", "read-only", "missing"])
def test_unwritable_home_falls_back_to_no_cache(
    installed: Installed, tmp_path: Path, home_kind: str
) -> None:
    if home_kind == "file":  # even root cannot create a folder below a file
        home = tmp_path / "home-is-a-file"
        home.write_text("")
    elif home_kind == "read-only":
        home = tmp_path / "ro-home"
        home.mkdir()
        home.chmod(stat.S_IRUSR | stat.S_IXUSR)
    else:
        home = tmp_path / "no" / "such" / "home"
        (tmp_path / "no").mkdir()
        (tmp_path / "no").chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        out = installed.run([str(installed.cli), "eval", '"ok"'], env=clean_env(home))
        assert out.stdout == '"ok"\n' and out.stderr == ""
        bad = installed.run([str(installed.cli), "eval", "1 +"], env=clean_env(home), check=False)
        assert bad.returncode == 1 and bad.stderr.startswith("Error: 1:4: expected expression")
    finally:
        for folder in (home, tmp_path / "no"):
            if folder.is_dir():
                folder.chmod(stat.S_IRWXU)


def test_read_only_install_and_cache(installed: Installed, tmp_path: Path) -> None:
    """A package folder nobody may write to (as in a system install), and a cache folder
    that exists but is read-only: the parser still works, every time."""
    package = installed.package_dir()
    cache_home = tmp_path / "cache"
    (cache_home / "alloylite").mkdir(parents=True)
    (cache_home / "alloylite").chmod(stat.S_IRUSR | stat.S_IXUSR)
    modes = {p: p.stat().st_mode for p in [package, *package.rglob("*")]}
    try:
        for path in modes:
            path.chmod(modes[path] & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        env = clean_env(tmp_path, XDG_CACHE_HOME=str(cache_home))
        for _ in range(2):
            out = installed.run([str(installed.cli), "eval", "2 * 3"], env=env)
            assert out.stdout == "6\n" and out.stderr == ""
    finally:
        for path, mode in sorted(modes.items(), key=lambda item: len(item[0].parts)):
            path.chmod(mode)
        (cache_home / "alloylite").chmod(stat.S_IRWXU)


def test_corrupt_cache_file_is_replaced(installed: Installed, tmp_path: Path) -> None:
    env = clean_env(tmp_path, XDG_CACHE_HOME=str(tmp_path / "cache"))
    installed.run([str(installed.cli), "eval", "1"], env=env)
    [cache_file] = (tmp_path / "cache" / "alloylite").iterdir()
    good = cache_file.read_bytes()
    for damage in (good[: len(good) // 2], b"not a cache\n", b""):
        cache_file.write_bytes(damage)
        out = installed.run([str(installed.cli), "eval", '"a" + "b"'], env=env)
        assert out.stdout == '"ab"\n' and out.stderr == ""
        # Rewritten whole (pickles need not be byte-identical), then reused as it is.
        rewritten = cache_file.read_bytes()
        assert rewritten.split(b"\n", 1)[0] == good.split(b"\n", 1)[0]
        assert len(rewritten) > len(damage)
        installed.run([str(installed.cli), "eval", "1"], env=env)
        assert cache_file.read_bytes() == rewritten


def test_relative_cache_locations_are_ignored(installed: Installed, tmp_path: Path) -> None:
    """A relative XDG_CACHE_HOME is ignored (XDG spec); a home that does not resolve to an
    absolute path (`~` left unexpanded when HOME is unset and the user has no passwd entry)
    means no cache at all: nothing is ever created in the working directory."""
    home = tmp_path / "home"
    home.mkdir()
    work = installed.outside / "work"
    work.mkdir()
    before = _files(installed.outside)
    env = clean_env(home, XDG_CACHE_HOME="relative-cache")
    out = subprocess.run(
        [str(installed.cli), "eval", "1"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout == "1\n"
    assert len(list((home / ".cache" / "alloylite").glob("*.lark-cache"))) == 1
    env = clean_env(home)
    env["HOME"] = "relative-home"
    out = subprocess.run(
        [str(installed.cli), "eval", "2"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout == "2\n"
    assert _files(installed.outside) == before
