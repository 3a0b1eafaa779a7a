"""DESIGN.md's layering: the package's modules form no import cycle, lower layers never reach
up, and the CI commands (`fmt`, `eval`, like `validate`) never load the HTTP stack, so they
stay fast to start.

The static checks read every import statement the interpreter can run: those inside
functions too (a lazy import still couples the layers), relative ones, and imports of the
package root (`import alloylite`, `from alloylite import x`, whose lazy `__getattr__` pulls
in the API). Imports under `if TYPE_CHECKING:` never run, so they do not count. The dynamic
check runs each command and looks at `sys.modules`.
"""

from __future__ import annotations

import ast
import graphlib
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "alloylite"
ROOT = PACKAGE.name

# Lower layers first: a module may import its own layer, lower layers and base modules only.
LAYERS = ("syntax", "eval", "runtime", "components", "server")
TOP = len(LAYERS)  # commands/, cli, api, the package root and any other top-level module

# Edges still present on this branch that another branch removes; the test ignores them
# until that branch is merged. Each entry is (importer, imported).
KNOWN_EDGES: frozenset[tuple[str, str]] = frozenset()

HTTP_STACK = ("starlette", "uvicorn", "httpx", "httpcore", "h2", "anyio")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement except those under `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for orelse in node.orelse:
                yield from _runtime_imports(orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _runtime_imports(node)


def _existing(name: str) -> str | None:
    """The package module `name` names, or its longest prefix that is one."""
    modules = _modules()
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    modules = _modules()
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name == ROOT or alias.name.startswith(ROOT + "."):
                target = _existing(alias.name)
                if target is not None:
                    yield target
        return
    base = node.module or ""
    if node.level:
        package = module if modules[module].name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    if base != ROOT and not base.startswith(ROOT + "."):
        return
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        target = submodule if submodule in modules else _existing(base)
        if target is not None:
            yield target


@cache
def import_graph() -> dict[str, frozenset[str]]:
    """Module -> the package modules it imports (itself and known edges left out)."""
    graph: dict[str, frozenset[str]] = {}
    for module, path in _modules().items():
        tree = ast.parse(path.read_text(), filename=str(path))
        targets = {t for node in _runtime_imports(tree) for t in _targets(module, node)}
        graph[module] = frozenset(
            t for t in targets if t != module and (module, t) not in KNOWN_EDGES
        )
    return graph


def _cycles(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """Every cycle graphlib finds, each as `a -> b -> ... -> a` in import order; one edge of
    each is set aside before looking again, so every cycle shows up once."""
    remaining = {module: set(targets) for module, targets in graph.items()}
    found: list[list[str]] = []
    while True:
        try:
            graphlib.TopologicalSorter(remaining).prepare()
        except graphlib.CycleError as err:
            # graphlib lists each module before the one importing it.
            cycle: list[str] = list(reversed(err.args[1]))
            found.append(cycle)
            remaining[cycle[0]].discard(cycle[1])
        else:
            return found


def _is_base(module: str) -> bool:
    """A top-level module importing nothing from the package: a fact anyone may use."""
    return module.count(".") == 1 and module != f"{ROOT}.__main__" and not import_graph()[module]


def layer_of(module: str) -> int:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return LAYERS.index(parts[1])
    return TOP


def test_import_graph_sees_every_kind_of_import() -> None:
    graph = import_graph()
    assert f"{ROOT}.api" in graph[ROOT]  # the root's lazy __getattr__
    assert f"{ROOT}.syntax.diag" in graph[f"{ROOT}.syntax.parser"]
    assert f"{ROOT}.runtime.arguments" in graph[f"{ROOT}.runtime.validate"]  # lazy


def test_no_import_cycles() -> None:
    cycles = [" -> ".join(cycle) for cycle in _cycles(import_graph())]
    assert cycles == [], "import cycles:\n" + "\n".join(cycles)


def test_no_upward_imports() -> None:
    layers = " < ".join(LAYERS) + " < commands/cli/api"
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in import_graph().items()
        for target in targets
        if not _is_base(target) and layer_of(module) < layer_of(target)
    )
    assert upward == [], f"imports against the layers ({layers}):\n" + "\n".join(upward)


def test_version_is_a_base_module() -> None:
    assert _is_base(f"{ROOT}._version")


@pytest.mark.parametrize(
    "argv",
    [
        ["fmt", "{path}"],
        ["eval", 'string.join(["a", "b"], "-")'],
    ],
    ids=["fmt", "eval"],
)
def test_ci_commands_never_import_http_stacks(argv: list[str], tmp_path: Path) -> None:
    path = tmp_path / "config.alloy"
    path.write_text('pyroscope.write "backend" {\n  endpoint {\n    url = "http://x"\n  }\n}\n')
    args = [a.format(path=path) for a in argv]
    code = (
        "import sys\nfrom alloylite.cli import main\n"
        f"rc = main({args!r})\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        f"set({HTTP_STACK!r}))\n"
        "print(rc, heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stderr.strip().splitlines()[-1] == "0 []", proc.stderr
