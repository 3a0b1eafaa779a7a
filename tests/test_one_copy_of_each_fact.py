"""Each fact the package shares is written once: a second copy drifts (the copy of Go's
strconv.Quote in receive_http once left a TAB raw), so these tests fail when one appears.

They read the package's source: string constants, literal collections and match
patterns, outside the one module that owns each fact. User-visible text (help strings,
messages, docs) may mention the facts; it never equals one exactly.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from alloylite.eval.stdlib import EXPERIMENTAL, STDLIB
from alloylite.stability import FLAG_VALUES, Stability

PACKAGE = Path(__file__).resolve().parents[1] / "alloylite"


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name.endswith("_pb2.py"):
            continue
        name = path.relative_to(PACKAGE.parent).as_posix()
        yield name, ast.parse(path.read_text(), filename=name)


MODULES = dict(_modules())


def _strings(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


def _collections(tree: ast.AST) -> Iterator[set[str]]:
    """The string constants of every literal set, list, tuple and dict."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Set | ast.List | ast.Tuple | ast.Dict):
            items = node.keys if isinstance(node, ast.Dict) else node.elts
            yield {
                e.value for e in items if isinstance(e, ast.Constant) and isinstance(e.value, str)
            }


def _outside(owner: str) -> Iterator[tuple[str, ast.Module]]:
    return ((name, tree) for name, tree in MODULES.items() if not name.startswith(owner))


def _functions_outside(owner: str) -> Iterator[tuple[str, ast.FunctionDef]]:
    for name, tree in _outside(owner):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                yield name, node


def test_stability_level_names_are_written_only_in_the_stability_module() -> None:
    copies = sorted(
        f"{name}: {text!r}"
        for name, tree in _outside("alloylite/stability.py")
        for text in _strings(tree)
        if text in FLAG_VALUES or text in Stability.__members__
    )
    assert copies == []


def test_the_stdlib_names_are_listed_only_by_the_stdlib() -> None:
    names = set(STDLIB)
    copies = sorted(
        f"{name}: {sorted(strings)}"
        for name, tree in _outside("alloylite/eval/stdlib/")
        for strings in _collections(tree)
        if len(names & strings) >= 3
    )
    assert copies == []


def test_the_experimental_functions_are_listed_only_by_the_stdlib() -> None:
    names = EXPERIMENTAL | {name.rsplit(".", 1)[-1] for name in EXPERIMENTAL}
    copies = sorted(
        f"{name}: {text!r}"
        for name, tree in _outside("alloylite/eval/stdlib/")
        for text in _strings(tree)
        if text in names
    )
    assert copies == []


def test_go_quote_is_written_only_in_gocompat() -> None:
    """strconv.Quote's escape table (`\\v` is no other escaper's: logfmt, shells) and a
    function of its name."""
    copies = sorted(
        f"{name}: {text!r}"
        for name, tree in _outside("alloylite/gocompat.py")
        for text in _strings(tree)
        if text == "\\v"
    ) + sorted(
        f"{name}: {function.name}"
        for name, function in _functions_outside("alloylite/gocompat.py")
        if function.name.lstrip("_") in {"go_quote", "quote"}
    )
    assert copies == []


def test_go_path_clean_is_written_only_in_gocompat() -> None:
    """path.Clean drops empty and `.` elements and resolves `..`: a function with both."""
    copies = sorted(
        f"{name}: {function.name}"
        for name, function in _functions_outside("alloylite/gocompat.py")
        if any(strings == {"", "."} for strings in _collections(function))
        and ".." in set(_strings(function))
    )
    assert copies == []


def test_where_a_url_password_is_is_written_only_in_url_password() -> None:
    copies = sorted(
        f"{name}: {text!r}"
        for name, tree in _outside("alloylite/runtime/url_password.py")
        for text in _strings(tree)
        if "://[^" in text
    )
    assert copies == []


def _matched_expression_kinds(function: ast.FunctionDef) -> set[str]:
    return {
        ast.unparse(node.cls).rsplit(".", 1)[-1]
        for node in ast.walk(function)
        if isinstance(node, ast.MatchClass) and ast.unparse(node.cls).endswith("Expr")
    }


def test_expressions_are_printed_only_by_the_syntax_printer() -> None:
    """An expression printer is a function to `str` matching on the kinds of expression."""
    copies = sorted(
        f"{name}: {function.name}"
        for name, function in _functions_outside("alloylite/syntax/printer.py")
        if function.returns is not None
        and ast.unparse(function.returns) == "str"
        and len(_matched_expression_kinds(function)) >= 3
    )
    assert copies == []
