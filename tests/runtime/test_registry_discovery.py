"""Built-in components are found by convention: the component `a.b` is the package
`alloylite.components.a.b` exposing `REGISTRATION`, so adding one touches only its package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from alloylite.runtime.registry import Registry, RegistryError, builtin_modules, default_registry

_REGISTRATION = """
from dataclasses import dataclass
from alloylite.runtime.component import Registration, Stability

@dataclass
class Arguments:
    pass

REGISTRATION = Registration({name!r}, Stability.EXPERIMENTAL, Arguments, build=print)
"""


def _package(root: Path, dotted: str, body: str) -> None:
    folder = root.joinpath(*dotted.split("."))
    folder.mkdir(parents=True)
    for parent in [folder, *folder.relative_to(root).parents][:-1]:
        (root / parent / "__init__.py").touch()
    (folder / "__init__.py").write_text(body, encoding="utf-8")


def test_the_shipped_components_are_found_without_a_table() -> None:
    found = builtin_modules()
    assert {"pyroscope.receive_http", "pyroscope.write", "pyroscope.relabel"} <= set(found)
    assert all(module == f"alloylite.components.{name}" for name, module in found.items())
    registry = default_registry()
    assert registry.names() == sorted(found)
    registration = registry.get("pyroscope.write")
    assert registration is not None and registration.name == "pyroscope.write"


def test_listing_names_imports_no_component_and_no_http_stack() -> None:
    code = (
        "import sys\n"
        "from alloylite.runtime.registry import default_registry\n"
        "print(default_registry().names())\n"
        "loaded = [m for m in sys.modules if m.startswith(('alloylite.components.pyroscope.',"
        " 'starlette', 'uvicorn', 'httpx', 'prometheus_client'))]\n"
        "assert not loaded, loaded\n"
    )
    root = str(Path(__file__).resolve().parents[2])
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": root},
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_a_package_that_declares_itself_is_registered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "fakecomponents"
    _package(root, "demo.thing", _REGISTRATION.format(name="demo.thing"))
    _package(root, "demo.helpers", '"""A package with no REGISTRATION is no component."""\n')
    _package(root, "demo.wrong", _REGISTRATION.format(name="demo.other"))
    monkeypatch.syspath_prepend(str(tmp_path))

    found = builtin_modules(root, "fakecomponents")
    assert found == {
        "demo.thing": "fakecomponents.demo.thing",
        "demo.wrong": "fakecomponents.demo.wrong",
    }
    registry = Registry(modules=found)
    thing = registry.get("demo.thing")
    assert thing is not None and thing.name == "demo.thing"
    assert registry.get("demo.helpers") is None
    with pytest.raises(RegistryError, match="registers 'demo.other', expected 'demo.wrong'"):
        registry.get("demo.wrong")
