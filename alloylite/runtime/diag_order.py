"""The order `alloy validate` prints its diagnostics in, which is not file order.

Alloy's validator adds the top-level blocks to its graph kind by kind (declares,
then config blocks, then components, then services, each in file order) and, for
each block, reports its own problems (label, duplicate, name), then its type
check, then its references; cycles and self references come after every block.
alloylite's own checks (see docs/compatibility.md) come last, so a config's
Alloy diagnostics read exactly as Alloy prints them.
"""

from __future__ import annotations

from collections.abc import Iterable

from alloylite.syntax import ast
from alloylite.syntax.diag import Diagnostic

CONFIG_BLOCKS = frozenset(
    {
        "argument",
        "export",
        "foreach",
        "logging",
        "tracing",
        "import.file",
        "import.string",
        "import.http",
        "import.git",
    }
)
SERVICES = frozenset({"http", "remotecfg", "livedebugging", "cluster", "otel", "ui", "labelstore"})
_GRAPH_MESSAGES = ("cycle detected: ", "cannot reference self")


COMPONENT_RANK = 2


def block_id(stmt: ast.BlockStmt) -> str:
    """A block's ID as Alloy's validator forms it: its name, then its label if it has one."""
    return f"{stmt.full_name}.{stmt.label}" if stmt.label else stmt.full_name


def kind_rank(stmt: ast.BlockStmt) -> int:
    """Which of Alloy's block lists a block falls in: declares, config blocks (by name),
    components, services (by ID: a labeled `http "x"` is a component)."""
    name = stmt.full_name
    if name == "declare":
        return 0
    if name in CONFIG_BLOCKS:
        return 1
    if name in SERVICES and not stmt.label:
        return 3
    return COMPONENT_RANK


class BlockOrder:
    """Where a diagnostic falls in Alloy's order, found from the block that holds it."""

    def __init__(self, files: dict[str, ast.File]) -> None:
        self._blocks: dict[str, list[tuple[int, int, ast.BlockStmt]]] = {}
        self._rank_of: dict[int, int] = {}
        ranked = []
        for file_index, (filename, file) in enumerate(files.items()):
            for stmt_index, stmt in enumerate(file.body):
                if isinstance(stmt, ast.BlockStmt):
                    ranked.append(((kind_rank(stmt), file_index, stmt_index), filename, stmt))
        ranked.sort(key=lambda item: item[0])
        for rank, (_, filename, stmt) in enumerate(ranked):
            start, end = ast.start_pos(stmt).offset, ast.end_pos(stmt).offset
            self._blocks.setdefault(filename, []).append((start, end, stmt))
            self._rank_of[id(stmt)] = rank

    def block_of(self, diag: Diagnostic) -> ast.BlockStmt | None:
        if diag.start is None or diag.filename is None:
            return None
        for start, end, stmt in self._blocks.get(diag.filename, []):
            if start <= diag.start.offset <= end:
                return stmt
        return None

    def key(self, diag: Diagnostic, stage: int) -> tuple[int, int, int]:
        """(group, block rank, stage): group 0 blocks, 1 cycles, 2 self references."""
        for group, prefix in enumerate(_GRAPH_MESSAGES, start=1):
            if diag.message.startswith(prefix):
                return (group, 0, 0)
        stmt = self.block_of(diag)
        if stmt is None:
            return (0, -1, 0)
        if stage == 0 and diag.start != stmt.name_pos:
            stage = 2  # a reference inside the body, found by the loader
        return (0, self._rank_of[id(stmt)], stage)


def alloy_order(
    files: dict[str, ast.File],
    loaded: Iterable[Diagnostic],
    decoded: Iterable[Diagnostic],
    extras: Iterable[Diagnostic],
) -> list[Diagnostic]:
    """The loader's and the type check's diagnostics in Alloy's order, then alloylite's."""
    order = BlockOrder(files)
    staged = [(d, 0) for d in loaded] + [(d, 1) for d in decoded]
    ordered = sorted(staged, key=lambda item: order.key(*item))
    return [d for d, _ in ordered] + list(extras)
