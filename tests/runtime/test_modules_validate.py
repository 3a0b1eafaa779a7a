"""Modules and config blocks in validate and at load (issue 11, Deliver 4): Alloy's messages
and scoping rules, reproduced with the test components, and bad input that never tracebacks.
Cases are data: (config files, expected diagnostics as `file:line:col: message`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from alloylite.runtime.component import Stability
from alloylite.runtime.controller import Controller, LoadFailed
from alloylite.runtime.loader import load
from alloylite.runtime.validate import check_loaded
from tests.runtime.components import make_registry

CASES: list[tuple[str, dict[str, str], list[str]]] = [
    (
        "placement, labels, duplicates and schemas of config blocks (invalid_declare)",
        {
            "main.alloy": 'argument "root" {}\n'
            'export "root" {\n  value = ""\n}\n'
            'declare "module" {\n'
            '  argument "invalid_attr" {\n    test = ""\n  }\n'
            '  export "missing_attr" {}\n'
            '  argument "duplicate" {}\n'
            '  argument "duplicate" {}\n'
            "  argument {}\n"
            "  logging { }\n"
            '  local.missing "x" { }\n'
            "}\n"
            'module_3 "test" {\n  test = "test"\n}\n'
            'declare "module_3" {\n  argument "arg" {\n    optional = false\n  }\n}\n'
        },
        [
            'main.alloy:7:5: unrecognized attribute name "test"',
            'main.alloy:9:3: missing required attribute "value"',
            "main.alloy:11:3: block argument.duplicate already declared at main.alloy:10:3",
            "main.alloy:12:3: argument block must have a label",
            "main.alloy:13:3: logging not allowed in module",
            'main.alloy:14:3: cannot find the definition of component name "local.missing"',
            # Alloy's order: declares and their bodies first, then the root's blocks.
            "main.alloy:1:1: argument blocks only allowed inside a module",
            "main.alloy:2:1: export blocks only allowed inside a module",
            # Alloy lists the unrecognized name first; validate sorts by position
            'main.alloy:17:3: unrecognized attribute name "test"',
            'main.alloy:16:1: missing required attribute "arg"',
        ],
    ),
    (
        "a nested declare is visible only inside its declare; a module cannot see outside",
        {
            "main.alloy": 'test.writer "outside" { }\n'
            'declare "outer" {\n'
            '  declare "inner" { }\n'
            '  inner "ok" { }\n'
            '  test.writer "w" {\n    name = test.writer.outside.name\n  }\n'
            "}\n"
            'inner "no" { }\n'
        },
        [
            'main.alloy:6:12: component "test.writer.outside.name" does not exist or is out '
            "of scope",
            'main.alloy:9:1: cannot find the definition of component name "inner"',
        ],
    ),
    (
        "foreach: template required, services refused, references inside unchecked",
        {
            "main.alloy": 'foreach "missing" { }\n'
            'foreach "f" {\n  collection = [1]\n  var = "each"\n'
            "  template {\n    livedebugging { }\n"
            '    test.writer "w" {\n      name = each\n    }\n  }\n}\n'
            'test.writer "x" {\n  name = test.writer.w.name\n}\n'
        },
        [
            'main.alloy:1:1: missing required block "template"',
            'main.alloy:1:1: missing required attribute "collection"',
            'main.alloy:1:1: missing required attribute "var"',
            "main.alloy:6:5: livedebugging not allowed in foreach",
            'main.alloy:13:10: component "test.writer.w.name" does not exist or is out of scope',
        ],
    ),
    (
        "service blocks have their own schemas; unconfigurable services are refused",
        {
            "main.alloy": "livedebugging {\n  enabled = 1\n}\n"
            "tracing {\n  sampling_fraction = 0.5\n  nope = 1\n}\n"
            "remotecfg {\n  url = true\n}\n"
            'http {\n  tls {\n    cert_file = "x"\n  }\n}\n'
            "ui { }\n"
        },
        [
            # Alloy's order: config blocks (tracing) before services; the type checker's
            # wording for a literal of the wrong kind.
            'main.alloy:6:3: unrecognized attribute name "nope"',
            "main.alloy:2:13: expected bool, got number",
            "main.alloy:9:9: expected string, got bool",
            'main.alloy:16:1: service "ui" does not support being configured',
        ],
    ),
    (
        "import.file is read (beyond Alloy): its declares are checked, unknown ones refused",
        {
            "main.alloy": 'import.file "lib" {\n  filename = module_path + "/lib.alloy"\n}\n'
            'lib.ok "a" {\n  x = 1\n}\n'
            'lib.nope "b" { }\n',
            "lib.alloy": 'declare "ok" {\n  argument "x" { }\n'
            '  test.writer "w" {\n    nme = 1\n  }\n}\n',
        },
        # both alloylite's own (Alloy's validate reads no import): the module's body first
        [
            'lib.alloy:4:5: unrecognized attribute name "nme"',
            'main.alloy:7:1: cannot find the definition of component name "lib.nope"',
        ],
    ),
    (
        "import.http and import.git: any name accepted, one warning; a missing file warns",
        {
            "main.alloy": 'import.http "h" {\n  url = "http://x/m"\n}\n'
            'import.git "g" {\n  repository = "r"\n  path = "p"\n}\n'
            'import.file "f" {\n  filename = "/nonexistent/m.alloy"\n}\n'
            'h.anything "a" {\n  whatever = 1\n}\n'
            'g.other "b" { }\n'
            'f.x "c" { }\n'
        },
        [
            "main.alloy:1:1: validate does not fetch import.http or import.git modules: "
            "the components used through them are not checked",
            "main.alloy:8:1: import.file 'f': reading \"/nonexistent/m.alloy\": "
            "no such file or directory; the components used through it are not checked",
        ],
    ),
    (
        "an imported module may hold only declares and imports",
        {
            "main.alloy": 'import.file "lib" {\n  filename = module_path + "/lib.alloy"\n}\n',
            "lib.alloy": 'test.writer "w" { }\n',
        },
        [
            'main.alloy:1:1: imported content from "lib.alloy" is invalid: only declare '
            "and import blocks are allowed in a module, got test.writer",
        ],
    ),
    (
        "a body's diagnostics in Alloy's order: its config blocks before its components",
        {
            "main.alloy": 'declare "m" {\n'
            '  test.writer "w" {\n    nme = 1\n  }\n'
            "  logging { }\n"
            '  export "e" { }\n'
            "}\n"
        },
        [
            "main.alloy:5:3: logging not allowed in module",
            'main.alloy:6:3: missing required attribute "value"',
            'main.alloy:3:5: unrecognized attribute name "nme"',
        ],
    ),
    (
        "duplicate, unlabeled and misplaced blocks are still checked, as Alloy's validator does",
        {
            "main.alloy": 'declare "m" {\n  export "d" {}\n  export "d" {}\n  logging {\n'
            "    nope = 1\n  }\n}\n"
            "import.http {}\nimport.http {}\n"
            'argument "r" {\n  nope = 1\n}\n'
            "test.writer {\n  nme = 1\n}\n"
            'foreach "f" {\n  collection = []\n  var = "x"\n  template { }\n}\n'
            'foreach "f" {\n  collection = []\n  var = "x"\n  template {\n'
            '    test.writer "w" {\n      nme = 1\n    }\n  }\n}\n'
        },
        [
            'main.alloy:2:3: missing required attribute "value"',
            # a config block's duplicate is reported first, then its other problems
            "main.alloy:3:3: block export.d already declared at main.alloy:2:3",
            'main.alloy:3:3: missing required attribute "value"',
            "main.alloy:4:3: logging not allowed in module",
            'main.alloy:5:5: unrecognized attribute name "nope"',
            "main.alloy:8:1: import.http block must have a label",
            'main.alloy:8:1: missing required attribute "url"',
            "main.alloy:9:1: block import.http already declared at main.alloy:8:1",
            "main.alloy:9:1: import.http block must have a label",
            'main.alloy:9:1: missing required attribute "url"',
            "main.alloy:10:1: argument blocks only allowed inside a module",
            'main.alloy:11:3: unrecognized attribute name "nope"',
            "main.alloy:21:1: block foreach.f already declared at main.alloy:16:1",
            'main.alloy:26:7: unrecognized attribute name "nme"',
            'main.alloy:13:1: component "test.writer" must have a label',
            'main.alloy:14:3: unrecognized attribute name "nme"',
        ],
    ),
    (
        "a component of an unknown name: references to it resolve, its body is not checked",
        {
            "main.alloy": 'nope.x "a" {\n  v = missing.thing\n}\n'
            "nope.x {\n  v = 1\n}\n"
            'test.writer "w" {\n  name = nope.x.a.out\n}\n'
        },
        [
            'main.alloy:1:1: cannot find the definition of component name "nope.x"',
            # Alloy's validator: the block's own problems, then its name
            'main.alloy:4:1: component "nope.x" must have a label',
            'main.alloy:4:1: cannot find the definition of component name "nope.x"',
        ],
    ),
    (
        "a declare may shadow nothing built in by its label alone; an import label shadows",
        {
            "main.alloy": 'declare "test" { }\ntest.writer "w" { }\ntest "t" { }\n'
            'import.string "test" {\n  content = ""\n}\n'
        },
        ['main.alloy:2:1: cannot find the definition of component name "test.writer"'],
    ),
]


def _messages(tmp_path: Path, files: dict[str, str], validate_mode: bool = True) -> list[str]:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    config = load(
        str(tmp_path / "main.alloy"),
        make_registry(),
        Stability.EXPERIMENTAL,
        validate_mode=validate_mode,
    )
    if validate_mode:
        check_loaded(config)
    return [str(d).replace(str(tmp_path) + "/", "") for d in config.diagnostics]


@pytest.mark.parametrize(("title", "files", "expected"), CASES, ids=[c[0] for c in CASES])
def test_module_rules(
    tmp_path: Path, title: str, files: dict[str, str], expected: list[str]
) -> None:
    want = [e.replace("{dir}", str(tmp_path)) for e in expected]
    assert _messages(tmp_path, files) == want


def test_a_gated_component_is_a_node_whose_body_validate_does_not_check(tmp_path: Path) -> None:
    (tmp_path / "main.alloy").write_text(
        'test.late "l" {\n  nope = missing.thing\n}\ntest.writer "w" {\n  name = test.late.l\n}\n'
    )
    config = load(
        str(tmp_path / "main.alloy"), make_registry(), Stability.PUBLIC_PREVIEW, validate_mode=True
    )
    check_loaded(config)
    # Alloy's validator: the registry refuses the name, so neither the body's attribute
    # nor its reference is checked, while the reference to it resolves.
    assert [d.message.split(" is at ")[0] for d in config.diagnostics] == ['component "test.late"']


def test_import_cycles_and_self_imports_are_errors(tmp_path: Path) -> None:
    files = {
        "main.alloy": 'import.file "a" {\n  filename = module_path + "/a.alloy"\n}\n',
        "a.alloy": 'import.file "b" {\n  filename = module_path + "/b.alloy"\n}\n',
        "b.alloy": 'import.file "a" {\n  filename = module_path + "/a.alloy"\n}\n',
    }
    [message] = _messages(tmp_path, files)
    assert message.startswith("b.alloy:1:1: import cycle: ")
    selfish = {"main.alloy": 'import.file "me" {\n  filename = module_path + "/main.alloy"\n}\n'}
    # the root config is not on the chain, so importing it reads it once, then refuses
    assert all("import cycle" in m or "invalid" in m for m in _messages(tmp_path, selfish))


def test_a_folder_import_with_a_broken_file_reports_its_syntax_error(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "good.alloy").write_text('declare "ok" { }\n')
    (tmp_path / "lib" / "bad.alloy").write_text('declare "broken" {\n')
    files = {"main.alloy": 'import.file "lib" {\n  filename = module_path + "/lib"\n}\n'}
    messages = _messages(tmp_path, files)
    assert messages and all(m.startswith("lib/bad.alloy:") for m in messages)


def test_deep_nesting_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    chain = "".join(f'declare "d{i}" {{\n  d{i + 1} "x" {{ }}\n}}\n' for i in range(1000))
    chain += 'declare "d1000" { }\nd0 "root" { }\n'
    assert _messages(tmp_path, {"main.alloy": chain}) == []
    nested = "".join(f'declare "n{i}" {{\n' for i in range(150)) + "}\n" * 150
    assert any("nested more than" in m for m in _messages(tmp_path, {"main.alloy": nested}))


def test_1000_nested_instantiations_fail_at_load_with_one_message(tmp_path: Path) -> None:
    chain = "".join(f'declare "d{i}" {{\n  d{i + 1} "x" {{ }}\n}}\n' for i in range(1000))
    chain += 'declare "d1000" { }\nd0 "root" { }\n'
    (tmp_path / "main.alloy").write_text(chain)
    path = str(tmp_path / "main.alloy")
    controller = Controller(path, make_registry(), Stability.EXPERIMENTAL)

    async def go() -> LoadFailed:
        try:
            await controller.load()
        except LoadFailed as err:
            return err
        finally:
            await controller.stop()
        raise AssertionError("loaded")

    failed = asyncio.run(go())
    assert "nested more than" in str(failed)


def test_alloylite_own_import_warnings_come_after_alloys_diagnostics(tmp_path: Path) -> None:
    from alloylite.runtime.validate import check

    path = tmp_path / "main.alloy"
    path.write_text(
        'import.file "m" {\n  filename = "missing.alloy"\n}\n'
        'import.git "g" {\n  repository = "https://example.com/x.git"\n  path = "m.alloy"\n}\n'
        'nope.component "x" {}\n'
    )
    config = check(str(path), Stability.EXPERIMENTAL)
    assert [d.message.split(":")[0] for d in config.diagnostics] == [
        'cannot find the definition of component name "nope.component"',
        "import.file 'm'",
        "validate does not fetch import.http or import.git modules",
    ]
    assert config.diagnostics[1:] == config.own


def test_what_alloylite_finds_through_an_import_is_its_own_diagnostic(tmp_path: Path) -> None:
    """Alloy's validate reads no import and accepts any component under an imported
    namespace: a wrong argument of an imported custom component, a name the module does not
    declare, a broken module file are alloylite's own diagnostics, after Alloy's."""
    (tmp_path / "lib.alloy").write_text(
        'declare "out" {\n  argument "url" { }\n}\ndeclare "bad" {\n  nope = 1\n}\n'
    )
    (tmp_path / "broken.alloy").write_text('declare "x" {\n')
    path = tmp_path / "main.alloy"
    path.write_text(
        'import.file "lib" {\n  filename = module_path + "/lib.alloy"\n}\n'
        'import.file "broken" {\n  filename = module_path + "/broken.alloy"\n}\n'
        'lib.out "a" {\n  urll = "x"\n}\n'
        'lib.undeclared "b" { }\n'
        'test.writer "w" {\n  nme = 1\n}\n'
    )
    config = check_loaded(
        load(str(path), make_registry(), Stability.EXPERIMENTAL, validate_mode=True)
    )
    alloys = config.diagnostics[: len(config.diagnostics) - len(config.own)]
    assert [d.message for d in alloys] == ['unrecognized attribute name "nme"']
    own = [d.message for d in config.own]
    assert 'unrecognized attribute name "urll"' in own
    assert 'missing required attribute "url"' in own
    assert 'cannot find the definition of component name "lib.undeclared"' in own
    assert any(m.startswith("expected }") or "EOF" in m for m in own), own


def test_a_template_s_references_resolve_in_it_around_it_and_to_its_var(tmp_path: Path) -> None:
    """Alloy's validator checks a foreach template's references: its own nodes, the nodes
    of the bodies around it and the scope (`var`) resolve; anything else does not."""
    text = (
        'test.writer "outer" { }\n'
        'foreach "f" {\n  collection = []\n  var = "item"\n  template {\n'
        '    test.writer "a" {\n      name = test.writer.outer.x\n    }\n'
        '    test.writer "b" {\n      name = test.writer.a.x\n    }\n'
        '    test.writer "c" {\n      name = item.name\n    }\n'
        '    test.writer "d" {\n      name = test.writer.nope.x\n    }\n'
        '    test.writer "e" {\n      name = other.name\n    }\n'
        "  }\n}\n"
    )
    scoped = [m for m in _messages(tmp_path, {"main.alloy": text}) if "out of scope" in m]
    assert scoped == [
        'main.alloy:16:14: component "test.writer.nope.x" does not exist or is out of scope',
        'main.alloy:19:14: component "other.name" does not exist or is out of scope',
    ]
