"""Top-level structure of a config, as the loader classifies it (spec §4.1, §4.5)."""

from __future__ import annotations

from pathlib import Path

from alloylite.runtime.component import Stability
from alloylite.runtime.loader import load, read_sources
from tests.runtime.components import make_registry


def messages(
    tmp_path: Path, text: str, level: Stability = Stability.EXPERIMENTAL, validate_mode: bool = True
) -> list[str]:
    path = tmp_path / "main.alloy"
    path.write_text(text)
    config = load(str(path), make_registry(), level, validate_mode=validate_mode)
    return [str(d).replace(str(tmp_path) + "/", "") for d in config.diagnostics]


def test_top_level_rules(tmp_path: Path) -> None:
    text = (
        "a = 1\n"
        'argument "x" { }\n'
        'export "y" { }\n'
        'logging "z" { }\n'
        'foreach "f" { }\n'
        "cluster { }\n"
        "test.writer { }\n"
        'nope.thing "x" { }\n'
    )
    assert messages(tmp_path, text) == [
        "main.alloy:1:1: unrecognized attribute a",
        "main.alloy:2:1: argument blocks only allowed inside a module",
        "main.alloy:3:1: export blocks only allowed inside a module",
        'main.alloy:4:1: block "logging" does not support specifying labels',
        'main.alloy:5:1: missing required block "template"',
        'main.alloy:6:1: service "cluster" does not support being configured',
        'main.alloy:7:1: component "test.writer" must have a label',
        'main.alloy:8:1: cannot find the definition of component name "nope.thing"',
    ]


def test_stability_gate_for_components_and_foreach(tmp_path: Path) -> None:
    text = 'test.late "a" { }\nforeach "f" {\n template { }\n}\n'
    # validate words the foreach gate as Alloy's validator does; run as its runtime does
    assert messages(tmp_path, text, Stability.PUBLIC_PREVIEW)[1].startswith(
        'main.alloy:2:1: foreach block "foreach" is at stability level "experimental"'
    )
    assert messages(tmp_path, text, Stability.PUBLIC_PREVIEW, validate_mode=False) == [
        'main.alloy:1:1: component "test.late" is at stability level "experimental", which is '
        'below the minimum allowed stability level "public-preview". Use --stability.level '
        'command-line flag to enable "experimental" features',
        'main.alloy:2:1: config block "foreach" is at stability level "experimental", which is '
        'below the minimum allowed stability level "public-preview". Use --stability.level '
        'command-line flag to enable "experimental" features',
    ]


def test_duplicates_span_the_block_id_length(tmp_path: Path) -> None:
    # Alloy's validator spans len("test.writer.a") from the name, short of the closing quote.
    path = tmp_path / "main.alloy"
    path.write_text('test.writer "a" { }\ntest.writer "a" { }\nlogging { }\nlogging { }\n')
    config = load(str(path), make_registry(), Stability.EXPERIMENTAL, validate_mode=True)
    first, second = config.diagnostics
    assert first.message == f"block test.writer.a already declared at {path}:1:1"
    assert (first.start.line, first.start.col, first.end.col) == (2, 1, 13)
    assert second.message == f"block logging already declared at {path}:3:1"


def test_runtime_cycle_messages_have_no_position(tmp_path: Path) -> None:
    text = (
        'test.writer "a" {\n name = test.writer.b.name\n}\n'
        'test.writer "b" {\n name = test.writer.a.name\n}\n'
        'test.writer "c" {\n name = test.writer.c.name\n}\n'
    )
    assert messages(tmp_path, text, validate_mode=False) == [
        "-: self reference: test.writer.c",
        "-: cycle: test.writer.a, test.writer.b",
    ]


def test_directory_reads_only_alloy_files_sorted(tmp_path: Path) -> None:
    (tmp_path / "b.alloy").write_text("")
    (tmp_path / "a.alloy").write_text("")
    (tmp_path / "c.txt").write_text("")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "e.alloy").write_text("")
    assert list(read_sources(str(tmp_path))) == [
        str(tmp_path / "a.alloy"),
        str(tmp_path / "b.alloy"),
    ]


def test_experimental_stdlib_functions_are_gated(tmp_path: Path) -> None:
    text = 'test.writer "a" {\n  name = array.group_by([], "k", true)\n}\n'
    assert messages(tmp_path, text, Stability.PUBLIC_PREVIEW) == [
        'main.alloy:2:10: array.group_by is at stability level "experimental", which is below '
        'the minimum allowed stability level "public-preview". Use --stability.level '
        'command-line flag to enable "experimental" features'
    ]
    assert messages(tmp_path, text, Stability.EXPERIMENTAL) == []
