"""The component catalogue: every Alloy component validates, built from data.

Data-driven from `runtime/catalogue/schemas.json`: for every component, a config made
of its required fields validates, and a wrong attribute name, a missing required
attribute and a value of the wrong kind each give Alloy's message: for every required
attribute, and for every component its first required field (attribute, else block) and
its first type-checked attribute (top level, else in a block). Only the two components with
no field at all, and the 42 with nothing required, have no such case.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

import alloylite
from alloylite.runtime.catalogue.registration import SCHEMAS, schemas
from alloylite.runtime.catalogue.text_types import text_type
from alloylite.runtime.catalogue.types import alloy_type
from alloylite.runtime.registry import default_registry
from tests.conformance.corpus import CORPUS_DIR

SPEC = CORPUS_DIR.parent / "spec" / "components" / "alloy-components.json"
TOOL = Path(__file__).resolve().parents[2] / "tools" / "compile_catalogue.py"
NAMES = sorted(schemas())
_SAMPLES = {"string": '"x"', "number": "1", "bool": "true", "duration": '"1s"', "secret": '"x"'}


def sample(type_name: str) -> str:
    """A literal of an Alloy type (`any` fields get an object: most are structs)."""
    if type_name.startswith("list("):
        return "[]"
    if type_name.startswith(("map(", "capsule(")) or type_name == "any":
        return "{}"
    if type_name == "text(config.URL)":
        return '"http://localhost:8080"'
    if type_name.startswith("text("):
        values = sorted(getattr(text_type(type_name[5:-1]), "values", ()))
        return f'"{values[0]}"' if values else "{}"
    return _SAMPLES[type_name]


# An edit of the minimal config: (block path, attribute or child block name, new literal);
# a literal of None leaves the attribute or block out.
Edit = tuple[str, str, str | None]


def body(schema: dict[str, Any], path: str, indent: str, edit: Edit | None = None) -> list[str]:
    """The required attributes and blocks of the block at `path`, as config lines."""
    attrs = schema["a"] if not path else schema["ba"].get(path, [])
    here = edit if edit is not None and edit[0] == path else None
    lines = []
    for name, t, required in attrs:
        if here is not None and here[1] == name:
            if here[2] is not None:
                lines.append(f"{indent}{name} = {here[2]}")
        elif required:
            lines.append(f"{indent}{name} = {sample(t)}")
    prefix = f"{path} > " if path else ""
    for child, (required, _, labeled, _) in schema["b"].items():
        rest = child[len(prefix) :]
        if not child.startswith(prefix) or " > " in rest:
            continue
        edited = edit is not None and (edit[0] + " > ").startswith(child + " > ")
        if here is not None and here[1] == rest and here[2] is None or not (required or edited):
            continue
        label = ' "l"' if labeled else ""
        inner = body(schema, child, indent + "  ", edit)
        lines += [f"{indent}{rest}{label} {{", *inner, f"{indent}}}"]
    return lines


def minimal(name: str, edit: Edit | None = None) -> str:
    return "\n".join([f'{name} "x" {{', *body(schemas()[name], "", "  ", edit), "}", ""])


def messages(text: str) -> list[str]:
    diags = alloylite.validate(text, stability_level="experimental", community_components=True)
    return [d.message for d in diags]


def test_catalogue_holds_every_registered_alloy_component() -> None:
    assert len(NAMES) == 184
    assert {"prometheus.scrape", "loki.process", "otelcol.receiver.otlp"} <= set(NAMES)


@pytest.mark.skipif(not SPEC.exists(), reason="spec catalogue not available")
def test_compiled_schemas_are_up_to_date_with_the_spec() -> None:
    spec = importlib.util.spec_from_file_location("compile_catalogue", TOOL)
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)  # a script outside the package: loaded from its file
    source = json.loads(SPEC.read_text(encoding="utf-8"))
    assert SCHEMAS.read_text(encoding="utf-8") == tool.render(tool.compile_catalogue(source))


@pytest.mark.parametrize("name", NAMES)
def test_minimal_config_of_every_component_validates(name: str) -> None:
    assert messages(minimal(name)) == []


@pytest.mark.parametrize("name", NAMES)
def test_unknown_attribute_is_rejected(name: str) -> None:
    text = minimal(name).replace('"x" {\n', '"x" {\n  no_such_attribute = 1\n', 1)
    assert messages(text) == ['unrecognized attribute name "no_such_attribute"']


REQUIRED = [(n, a[0]) for n in NAMES for a in schemas()[n]["a"] if a[2] and a[1] != "any"]


@pytest.mark.parametrize(("name", "attribute"), REQUIRED)
def test_missing_required_attribute(name: str, attribute: str) -> None:
    lines = [ln for ln in minimal(name).splitlines() if not ln.startswith(f"  {attribute} = ")]
    assert messages("\n".join(lines) + "\n") == [f'missing required attribute "{attribute}"']


def wrong_value(kind: str) -> tuple[str, str]:
    """A literal of the wrong kind for `kind`, and Alloy's type-check message for it."""
    if kind.startswith("list("):
        return '"x"', "expected array, got string"
    if kind.startswith(("map(", "capsule(")):
        return '"x"', "expected object, got string"
    if kind in ("bool", "number"):
        return '"x"' if kind == "bool" else "true", f"expected {kind}, got " + (
            "string" if kind == "bool" else "bool"
        )
    return "true", "expected string, got bool"  # string, secret, duration


@pytest.mark.parametrize(("name", "attribute"), REQUIRED)
def test_wrong_kind_of_value(name: str, attribute: str) -> None:
    kind = {a[0]: a[1] for a in schemas()[name]["a"]}[attribute]
    wrong, message = wrong_value(kind)
    text = minimal(name).replace(f"  {attribute} = {sample(kind)}\n", f"  {attribute} = {wrong}\n")
    assert messages(text) == [message]


def test_labeled_enum_and_recursive_blocks() -> None:
    text = """\
pyroscope.scrape "s" {
  targets    = []
  forward_to = []
  profiling_config {
    profile.custom "x" {
      path    = "/debug/x"
      enabled = true
    }
    profile.block { enabled = false }
  }
}
loki.process "p" {
  forward_to = []
  stage.json { expressions = { a = "b" } }
  stage.match {
    selector = "{a=\\"b\\"}"
    stage.match {
      selector = "{c=\\"d\\"}"
      stage.drop { }
    }
  }
  stage.json { expressions = { c = "d" } }
}
"""
    assert messages(text) == []
    assert messages(text.replace('profile.custom "x"', "profile.custom")) == [
        'block "profile.custom" requires non-empty label'
    ]
    assert messages(text.replace("stage.drop", "stage.dropz")) == [
        'unrecognized block name "stage.dropz"'
    ]


def test_single_block_repeated_and_required_block_missing() -> None:
    text = (
        'otelcol.exporter.otlp "o" {\n  client { endpoint = "a" }\n  client { endpoint = "b" }\n}\n'
    )
    assert messages(text) == ['block "client" may only be specified once']
    assert messages('otelcol.exporter.otlp "o" {}\n') == ['missing required block "client"']


def test_community_component_needs_the_flag() -> None:
    text = 'otelcol.exporter.datadog "d" {\n  api { api_key = "k" }\n}\n'
    diags = alloylite.validate(text)
    assert [d.message for d in diags] == [
        'the component "otelcol.exporter.datadog" is a community component. Use the '
        "--feature.community-components.enabled command-line flag to enable community components"
    ]
    assert alloylite.validate(text, community_components=True) == []


def test_stability_of_catalogue_components_is_enforced() -> None:
    text = 'pyroscope.ebpf "e" {\n  targets = []\n  forward_to = []\n}\n'
    level = schemas()["pyroscope.ebpf"]["s"]
    diags = alloylite.validate(text, stability_level="generally-available")
    assert (diags == []) == (level == "generally-available")


def test_packages_keep_priority_over_the_catalogue() -> None:
    registry = default_registry()
    assert registry.get("pyroscope.write").runs  # type: ignore[union-attr]
    assert not registry.get("prometheus.scrape").runs  # type: ignore[union-attr]
    assert registry.get("no.such.component") is None
    assert "prometheus.scrape" not in registry.names()


@pytest.mark.parametrize(
    ("go", "doc", "alloy"),
    [
        ("*time.Duration", None, "duration"),
        ("[]storage.Appendable", None, "list(capsule(storage.Appendable))"),
        ("map[string][]alloytypes.Secret", None, "map(list(secret))"),
        ("uint32", None, "number"),
        ("Action", "string", "string"),
        ("SomeStruct", None, "any"),
        ("[]Consumer", None, "list(capsule(otelcol.Consumer))"),
        ("[]discovery.Target", None, "list(text(discovery.Target))"),
    ],
)
def test_go_types_map_to_alloy_types(go: str, doc: str | None, alloy: str) -> None:
    assert alloy_type(go, doc) == alloy


def test_run_refuses_components_it_cannot_run(tmp_path: Path) -> None:
    from alloylite.runtime.component import Stability
    from alloylite.runtime.loader import load

    path = tmp_path / "main.alloy"
    path.write_text(
        'prometheus.scrape "a" {\n  targets = []\n  forward_to = []\n}\n'
        'pyroscope.write "w" {\n  endpoint { url = "http://127.0.0.1:1" }\n}\n'
    )
    config = load(str(path), default_registry(), Stability.EXPERIMENTAL, validate_mode=False)
    [diag] = config.diagnostics
    assert diag.message.startswith(
        'component "prometheus.scrape" is valid Alloy but alloylite cannot run it (alloylite runs '
    )
    assert "pyroscope.write" in diag.message and (diag.start.line, diag.start.col) == (1, 1)  # type: ignore[union-attr]


def test_go_types_that_decode_themselves_give_their_own_words_at_the_literal() -> None:
    text = """\
otelcol.auth.headers "h" {
  header {
    key    = "k"
    value  = "v"
    action = "Insert"
  }
}
prometheus.relabel "r" {
  forward_to = []
  rule { action = "labelmap" }
}
loki.source.file "f" {
  targets    = [{__path__ = "/var/log/x"}]
  forward_to = []
}
"""
    assert messages(text) == []  # headers.Action folds case; relabel's does not
    diags = alloylite.validate(
        text.replace('"Insert"', '"random"')
        .replace('"labelmap"', '"Labelmap"')
        .replace('[{__path__ = "/var/log/x"}]', '[{a = "b"}, 1.5]'),
        stability_level="experimental",
    )
    assert [(d.message, d.start.col if d.start else 0) for d in diags] == [
        ("unknown action random", 14),
        ('unrecognized action type "Labelmap"', 19),
        ("target::ConvertFrom: conversion from 'float64' is not supported", 28),
    ]
    # Alloy decodes the value into a Go string before `UnmarshalText`: a number becomes its
    # text (value.go convertValue), a bool cannot.
    assert messages(text.replace('"Insert"', "1")) == ["unknown action 1"]
    assert messages(text.replace('"Insert"', "true")) == ["expected string, got bool"]


def checked_attribute(name: str) -> tuple[str, str, str] | None:
    """(block path, attribute, type) of the first attribute whose kind Alloy's type checker
    checks: at the top level, else in an unlabeled top-level block."""
    schema = schemas()[name]
    blocks = [b for b, (_, _, labeled, _) in schema["b"].items() if " > " not in b and not labeled]
    for path in ["", *blocks]:
        for attribute, kind, _ in schema["a"] if not path else schema["ba"].get(path, []):
            if kind != "any" and not kind.startswith("text("):
                return path, attribute, kind
    return None


def required_field(name: str) -> tuple[Edit, str] | None:
    """The edit leaving out a component's first required attribute (else block), with
    Alloy's message for it."""
    schema = schemas()[name]
    for attribute, _, required in schema["a"]:
        if required:
            return ("", attribute, None), f'missing required attribute "{attribute}"'
    for block, (required, _, _, _) in schema["b"].items():
        if required and " > " not in block:
            return ("", block, None), f'missing required block "{block}"'
    return None


def test_every_component_but_two_has_an_attribute_to_mistype() -> None:
    assert [n for n in NAMES if checked_attribute(n) is None] == [
        "loki.echo",
        "prometheus.exporter.self",
    ]  # no attribute and no block at all: the unknown-attribute test covers them


@pytest.mark.parametrize("name", [n for n in NAMES if checked_attribute(n) is not None])
def test_every_component_reports_a_value_of_the_wrong_kind(name: str) -> None:
    path, attribute, kind = checked_attribute(name)  # type: ignore[misc]
    wrong, message = wrong_value(kind)
    assert messages(minimal(name, (path, attribute, sample(kind)))) == []
    assert messages(minimal(name, (path, attribute, wrong))) == [message]


def test_components_without_required_fields_are_those_with_an_empty_minimal_config() -> None:
    empty = [n for n in NAMES if required_field(n) is None]
    assert empty and all(minimal(n) == f'{n} "x" {{\n}}\n' for n in empty)
    assert {"prometheus.exporter.self", "discovery.docker"} - set(empty) == {"discovery.docker"}


@pytest.mark.parametrize("name", [n for n in NAMES if required_field(n) is not None])
def test_every_component_reports_its_missing_required_field(name: str) -> None:
    edit, message = required_field(name)  # type: ignore[misc]
    assert messages(minimal(name, edit)) == [message]
