"""DESIGN.md's layering: the pipeline's lower layers never reach up, and the CI commands
(`fmt`, `eval`, like `validate`) never load the HTTP stack, so they stay fast to start.

The static check reads every import statement, those inside functions too (a lazy import
still couples the layers); the dynamic one runs each command and looks at `sys.modules`.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "alloylite"

# layer -> the alloylite packages it must not import
FORBIDDEN = {
    "syntax": ("eval", "runtime", "components", "server", "commands"),
    "eval": ("runtime", "components", "server", "commands"),
}
HTTP_STACK = ("starlette", "uvicorn", "httpx", "httpcore", "h2", "anyio")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            # `from alloylite import runtime` names the package in the alias
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_lower_layers_do_not_import_upper_ones(layer: str) -> None:
    bad = [f"alloylite.{name}" for name in FORBIDDEN[layer]]
    found = sorted(
        f"{path.relative_to(PACKAGE.parent)}: {module}"
        for path in (PACKAGE / layer).rglob("*.py")
        for module in _imported_modules(path)
        if any(module == b or module.startswith(b + ".") for b in bad)
    )
    assert found == []


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
