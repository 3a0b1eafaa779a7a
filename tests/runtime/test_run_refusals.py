"""What `alloy validate` accepts and `alloy run` refuses, reported by alloylite's validate
after Alloy's diagnostics: experimental settings of components (`MinStability.Permits`
in the components' code) and capsules of the wrong type handed over by references.

Data-driven from the catalogue where it can be: its code gates, every component with a
capsule-typed argument and every capsule type an export has.
"""

from __future__ import annotations

import json

import pytest

import alloylite
from alloylite.runtime.capsule_refs import INTERFACES
from alloylite.runtime.catalogue.gates import BUILD_PREFIX, GATES
from alloylite.runtime.catalogue.registration import schemas
from tests.runtime.test_catalogue import SPEC, minimal


def _validate(text: str, level: str = "generally-available") -> list[tuple[str, int, int]]:
    diags = alloylite.validate(text, stability_level=level, community_components=True)
    return [
        (d.message, d.start.line if d.start else 0, d.start.col if d.start else 0) for d in diags
    ]


def _with(name: str, label: str, extra: str) -> str:
    """`name "label"` with its required fields and the `extra` lines at the top level."""
    text = minimal(name).replace(f'{name} "x" {{\n', f'{name} "{label}" {{\n{extra}\n', 1)
    return text


# ------------------------------------------------------------------ stability gates

# (component, lines that trip its gate, the error `alloy run` gives when building it)
GATE_CASES = [
    ("prometheus.scrape", "honor_metadata = true", "honor_metadata is an experimental feature"),
    *[
        (
            f"prometheus.operator.{kind}",
            f"scrape {{\n{attr} = true\n}}",
            f"{attr} is an experimental feature",
        )
        for kind in (
            "podmonitors",
            "probes",
            "servicemonitors",
        )  # scrapeconfigs: experimental itself
        for attr in ("enable_type_and_unit_labels", "start_timestamp_zero_ingestion")
    ],
    (
        "prometheus.receive_http",
        "append_metadata = true",
        "append_metadata is an experimental feature",
    ),
    (
        "prometheus.receive_http",
        'accepted_remote_write_protobuf_messages = ["prometheus.WriteRequest", '
        '"io.prometheus.write.v2.Request"]',
        'using "io.prometheus.write.v2.Request" in supported_protocol_versions is an '
        "experimental feature",
    ),
    (
        "otelcol.exporter.prometheus",
        "start_timestamp_zero_ingestion = true",
        "start_timestamp_zero_ingestion is experimental and requires setting the "
        "stability.level flag to experimental",
    ),
]


@pytest.mark.parametrize(("name", "lines", "message"), GATE_CASES)
def test_experimental_settings_are_refused_below_experimental(
    name: str, lines: str, message: str
) -> None:
    text = _with(name, "g", lines)
    assert _validate(text, "experimental") == []
    [(got, line, col)] = [d for d in _validate(text) if BUILD_PREFIX in d[0]]
    assert got.startswith(BUILD_PREFIX + message) and (line, col) == (1, 1)
    assert got.endswith("flag to experimental")
    # A value only known at run time is never judged.
    dynamic = text.replace("true", 'sys.env("X") == "1"').replace(
        '"io.prometheus', 'sys.env("V"), "io.prom'
    )
    assert not [d for d in _validate(dynamic) if BUILD_PREFIX in d[0]]


def test_remote_write_v2_names_the_endpoint_and_queue_config_counts_only_changes() -> None:
    text = """\
prometheus.remote_write "r" {
  endpoint {
    url  = "http://a"
  }
  endpoint {
    name = "second"
    url  = "http://b"
    protobuf_message = "io.prometheus.write.v2.Request"
  }
}
loki.write "l" {
  endpoint {
    url = "http://l"
    queue_config {
      capacity          = "10MiB"
      drain_timeout     = "15s"
      block_on_overflow = true
    }
  }
}
"""
    assert [m for m, _, _ in _validate(text)] == [
        BUILD_PREFIX + "using remote write v2 (protobuf_message=io.prometheus.write.v2.Request) "
        "with endpoint second requires setting the stability.level flag to experimental"
    ]
    changed = text.replace('"15s"', '"30s"')
    assert [m for m, line, _ in _validate(changed) if line == 11] == [
        BUILD_PREFIX + "changing queue_config requires stability.level flag to be experimental"
    ]


def test_syslog_raw_format_and_cisco_components() -> None:
    listener = 'listener {\n  address = "0.0.0.0:514"\n  %s\n}'
    raw = _with("loki.source.syslog", "s", listener % 'syslog_format = "raw"')
    cisco = _with("loki.source.syslog", "s", listener % "rfc3164_cisco_components {}")
    assert [m for m, _, _ in _validate(raw)] == [
        BUILD_PREFIX + '"raw" syslog format is available only at experimental stability level'
    ]
    assert [m for m, _, _ in _validate(cisco)] == [
        BUILD_PREFIX
        + "rfc3164_cisco_components block is available only at experimental stability level"
    ]


def test_gates_are_the_catalogues_code_gates_and_doc_only_markers_never_fire() -> None:
    source = json.loads(SPEC.read_text(encoding="utf-8"))["components"]
    code = {
        name
        for name, entry in source.items()
        for gate in entry.get("feature_gates") or []
        if "code" in gate["source"] and "warning" not in gate.get("condition", "")
    }
    assert set(GATES) == code
    doc_only = [
        ("loki.write", 'endpoint {\nurl = "http://l"\n}\nwal {\nenabled = true\n}'),
        ("prometheus.operator.podmonitors", "scrape {\nhonor_metadata = true\n}"),
        ("otelcol.exporter.prometheus", "honor_metadata = true"),
        ("otelcol.exporter.loadbalancing", 'routing_key = "service"'),
    ]
    for name, lines in doc_only:
        text = _with(name, "d", lines)
        assert not [m for m, _, _ in _validate(text) if "experimental" in m], name


# ------------------------------------------------------------------ capsules


def _exporters() -> dict[str, str]:
    """Capsule interface -> `<component> "e"`'s reference to an export of that type."""
    found: dict[str, str] = {}
    for name, schema in sorted(schemas().items()):
        for export, type_name in schema["e"]:
            inner = type_name[len("capsule(") : -1] if type_name.startswith("capsule(") else ""
            if inner in INTERFACES and not schema["c"]:
                found.setdefault(inner, f"{name}.e.{export}")
    return found


EXPORTERS = _exporters()
TAKERS = sorted(
    (name, attr, type_name[len("list(capsule(") : -2])
    for name, schema in schemas().items()
    for attr, type_name, _ in schema["a"]
    if type_name.startswith("list(capsule(") and not schema["c"]
)


def test_every_capsule_interface_is_exported_by_some_component() -> None:
    assert set(EXPORTERS) == set(INTERFACES)


@pytest.mark.parametrize(("name", "attr", "want"), TAKERS)
def test_a_reference_to_another_capsule_type_is_refused_at_the_reference(
    name: str, attr: str, want: str
) -> None:
    others = sorted(i for i in INTERFACES if i != want)
    refs = [EXPORTERS[want], *(EXPORTERS[i] for i in others)]
    components = dict.fromkeys(ref.split(".e.")[0] for ref in refs)
    exporters = "".join(minimal(c).replace(' "x" {', ' "e" {', 1) for c in components)
    text = minimal(name).replace(f"  {attr} = []\n", "")
    text = text.replace(f'{name} "x" {{\n', f'{name} "x" {{\n  {attr} = [{", ".join(refs)}]\n', 1)
    text += exporters
    got = [(m, line, col) for m, line, col in _validate(text, "experimental") if line == 2]
    expected = []
    col = len(f"  {attr} = [{refs[0]}, ") + 1
    for other, ref in zip(others, refs[1:], strict=True):
        expected.append((f'{ref} expected capsule("{want}"), got capsule("{other}")', 2, col))
        col += len(ref) + 2
    assert got == expected, text


def test_capsules_are_not_judged_through_any_typed_arguments_custom_components_or_expressions() -> (
    None
):
    text = """\
prometheus.remote_write "r" {
  endpoint { url = "http://a" }
}
declare "fwd" {
  argument "to" { }
  pyroscope.scrape "s" {
    targets    = []
    forward_to = argument.to.value
  }
}
fwd "f" {
  to = [prometheus.remote_write.r.receiver]
}
pyroscope.scrape "s" {
  targets    = []
  forward_to = array.concat([], [prometheus.remote_write.r.receiver])
}
"""
    assert _validate(text) == []


def test_a_running_components_export_is_typed_as_alloys() -> None:
    text = """\
pyroscope.write "w" {
  endpoint { url = "http://p" }
}
prometheus.scrape "p" {
  targets    = []
  forward_to = [pyroscope.write.w.receiver]
}
pyroscope.scrape "s" {
  targets    = []
  forward_to = [pyroscope.write.w.receiver]
}
"""
    assert _validate(text) == [
        (
            'pyroscope.write.w.receiver expected capsule("storage.Appendable"), '
            'got capsule("pyroscope.Appendable")',
            6,
            17,
        )
    ]
