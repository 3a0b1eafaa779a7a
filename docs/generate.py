"""Generate the reference part of docs/components/<name>.md from the component registrations.

Run `python docs/generate.py` from a checkout to rewrite the pages, or
`python docs/generate.py --check` to fail when a page is stale. It lives out of
the package: an installed alloylite has no docs/ to write.

A page mixes two kinds of text. Prose (routes, status codes, metrics,
behaviour) is written by hand in the page itself; the parts that would drift
if written by hand (stability, arguments, blocks, types, defaults, exports,
metrics) sit between `<!-- BEGIN GENERATED: ... -->` and
`<!-- END GENERATED: ... -->` markers and are rewritten from the registration.
tests/test_docs_generated.py fails when a committed page differs from what
this script produces, and when a schema field has no description.

Every text comes from the component's own package: the `doc=` of each
`attr()`/`block()` field, and the registration's `docs` (type names the
annotation cannot tell, path-specific overrides, exports, metrics). A field
without a text, or an override naming no field, is an error: a new argument
cannot go undocumented and a removed one cannot linger in the docs.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

if __name__ == "__main__":  # document the checkout this script belongs to
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alloylite.runtime.component import Registration, Stability  # noqa: E402
from alloylite.runtime.registry import builtin_modules, default_registry  # noqa: E402
from alloylite.runtime.schema import (  # noqa: E402
    FieldSpec,
    alloy_type,
    fields_of,
    format_duration,
)

COMMAND = "python docs/generate.py"
REGENERATE_HINT = f"run `{COMMAND}` to regenerate docs/components/"

# ----------------------------------------------------------------- schema walk


@dataclass(frozen=True)
class FieldDoc:
    path: str  # `endpoint.basic_auth.password`
    spec: FieldSpec


def walk(cls: type, prefix: str = "") -> Iterator[FieldDoc]:
    """Every field of an argument dataclass, depth first, blocks after their parent; a
    class's own fields before those it inherits (the shared HTTP client block last)."""
    for spec in _own_fields_first(cls):
        path = f"{prefix}{spec.alloy_name}"
        yield FieldDoc(path, spec)
        if spec.kind == "block":
            yield from walk(spec.element, path + ".")


def _own_fields_first(cls: type) -> list[FieldSpec]:
    inherited = {
        f.name
        for base in cls.__mro__[1:]
        if dataclasses.is_dataclass(base)
        for f in dataclasses.fields(base)
    }
    specs = list(fields_of(cls).values())
    return [s for s in specs if s.py_name not in inherited] + [
        s for s in specs if s.py_name in inherited
    ]


def registration(name: str) -> Registration:
    reg = default_registry().get(name)
    if reg is None:
        raise DocsError(f"no component named {name}")
    return reg


def component_names() -> list[str]:
    return sorted(builtin_modules())


def description(reg: Registration, doc: FieldDoc) -> str:
    """A field's reference text: the registration's override, else the field's `doc=`."""
    override = reg.docs.overrides.get(doc.path)
    if override is not None:
        return override
    text: str = doc.spec.doc
    return text


def missing_descriptions(reg: Registration) -> list[str]:
    """Field paths of the schema with no reference text."""
    return [f.path for f in walk(reg.arguments) if not description(reg, f)]


def stale_descriptions(reg: Registration) -> list[str]:
    """Paths the registration's docs name that are no field of the schema."""
    paths = {f.path for f in walk(reg.arguments)}
    named = {*reg.docs.overrides, *reg.docs.type_names}
    return sorted(p for p in named if p not in paths)


def export_fields(reg: Registration) -> list[str]:
    if reg.exports is None:
        return []
    return [f.name for f in dataclasses.fields(reg.exports)]


# ----------------------------------------------------------------- rendering


def _short_duration(value: timedelta) -> str:
    """Go's duration text without zero tails (`2m0s` -> `2m`), as Alloy's docs write it."""
    text = format_duration(value)
    for tail in ("m0s", "h0m"):
        if text.endswith(tail):
            text = text[: -len(tail) + 1]
    return text


def default_text(spec: FieldSpec) -> str:
    if spec.required or not spec.has_default():
        return ""
    value = spec.default()
    if value is None:
        return ""
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, timedelta):
        return f'`"{_short_duration(value)}"`'
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, int):
        text = f"`{value}`"
        if value >= 1 << 20 and value % (1 << 20) == 0:
            text += f" ({value >> 20} MiB)"
        return text
    if isinstance(value, list):
        return "`[]`" if not value else f"`{value}`"
    if isinstance(value, dict):
        return "`{}`" if not value else f"`{value}`"
    return ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _attr_table(reg: Registration, docs: list[FieldDoc]) -> list[str]:
    lines = [
        "| Name | Type | Description | Default | Required |",
        "|------|------|-------------|---------|----------|",
    ]
    for doc in docs:
        tp = reg.docs.type_names.get(doc.path) or alloy_type(doc.spec.type)
        lines.append(
            f"| `{doc.spec.alloy_name}` | `{tp}` | {_cell(description(reg, doc))} "
            f"| {default_text(doc.spec)} | {'yes' if doc.spec.required else 'no'} |"
        )
    return lines


def _block_title(path: str) -> str:
    return " > ".join(path.split("."))


def _anchor(path: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "", _block_title(path).lower().replace(" ", "-"))


def render_reference(reg: Registration) -> str:
    """The generated reference section of a component page (no trailing newline)."""
    name = reg.name
    missing = missing_descriptions(reg)
    if missing:
        raise DocsError(
            f"{name}: no description for {', '.join(missing)} "
            "(give the fields a `doc=` in the component's arguments)"
        )
    stale = stale_descriptions(reg)
    if stale:
        raise DocsError(
            f"{name}: the registration's docs name fields that no longer exist: " + ", ".join(stale)
        )
    fields = list(walk(reg.arguments))
    top_attrs = [f for f in fields if "." not in f.path and f.spec.kind == "attr"]
    blocks = [f for f in fields if f.spec.kind == "block"]
    out: list[str] = ["## Arguments", ""]
    if top_attrs:
        out.append(f"`{name}` supports the following arguments:")
        out.append("")
        out += _attr_table(reg, top_attrs)
    else:
        out.append(f"`{name}` has no arguments outside its blocks.")
    out += ["", "## Blocks", ""]
    if blocks:
        out += [
            f"`{name}` supports the following blocks (`a > b` is a block `b` inside a block `a`):",
            "",
            "| Block | Description | Required |",
            "|-------|-------------|----------|",
        ]
        for b in blocks:
            kind = "no, repeatable" if b.spec.repeated else ("yes" if b.spec.required else "no")
            out.append(
                f"| [`{_block_title(b.path)}`](#{_anchor(b.path)}) "
                f"| {_cell(description(reg, b))} | {kind} |"
            )
        for b in blocks:
            out += ["", f"### {_block_title(b.path)}", "", _cell(description(reg, b)), ""]
            attrs = [
                f for f in fields if f.spec.kind == "attr" and f.path.rpartition(".")[0] == b.path
            ]
            if attrs:
                out += _attr_table(reg, attrs)
            else:
                out.append("This block has no arguments of its own.")
    else:
        out.append(f"`{name}` has no blocks.")
    out += ["", "## Exported fields", ""]
    names = export_fields(reg)
    documented = reg.docs.exports
    if set(names) != set(documented):
        raise DocsError(
            f"{name}: the registration documents the exports {sorted(documented)}, "
            f"the component exports {sorted(names)}"
        )
    if names:
        out += ["| Name | Type | Description |", "|------|------|-------------|"]
        for export in names:
            export_doc = documented[export]
            out.append(f"| `{export}` | `{export_doc.type_name}` | {_cell(export_doc.doc)} |")
    else:
        out.append(f"`{name}` does not export any fields.")
    return "\n".join(out)


@dataclass(frozen=True)
class MetricDoc:
    name: str  # as exposed: counters end in `_total`
    type: str
    labels: tuple[str, ...]
    help: str


def metrics_of(reg: Registration) -> list[MetricDoc]:
    """The metrics a component registers, read from a fresh registry."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.metrics import MetricWrapperBase

    if reg.docs.metrics is None:
        return []
    registry = CollectorRegistry()
    reg.docs.metrics(registry)
    out: list[MetricDoc] = []
    # prometheus_client keeps the label names of a metric on the collector
    # (Counter, Histogram) or on the family a custom collector yields.
    # prometheus_client 0.x private internals: the collectors of a registry, and
    # their `_name`/`_type`/`_labelnames`/`_documentation`.
    for collector in list(registry._collector_to_names):  # noqa: SLF001
        if isinstance(collector, MetricWrapperBase):
            out.append(
                _metric_doc(
                    collector._name,  # noqa: SLF001
                    collector._type or "untyped",  # noqa: SLF001
                    tuple(collector._labelnames),  # noqa: SLF001
                    collector._documentation,  # noqa: SLF001
                )
            )
            continue
        for family in collector.collect():
            labels = getattr(family, "_labelnames", None)
            if labels is None:
                labels = tuple(dict.fromkeys(k for s in family.samples for k in s.labels))
            out.append(_metric_doc(family.name, family.type, tuple(labels), family.documentation))
    return out


def _metric_doc(name: str, kind: str, labels: tuple[str, ...], text: str) -> MetricDoc:
    exposed = f"{name}_total" if kind == "counter" and not name.endswith("_total") else name
    return MetricDoc(exposed, kind, labels, text)


def render_metrics(reg: Registration) -> str:
    rows = metrics_of(reg)
    if not rows:
        return f"`{reg.name}` does not expose any metrics."
    out = [
        "Exposed on the agent's `/metrics`; the runtime adds the labels `component_id` and "
        "`component_path` to each. The help texts are the ones `/metrics` shows.",
        "",
        "| Metric | Type | Labels | Help |",
        "|--------|------|--------|------|",
    ]
    for m in rows:
        labels = ", ".join(f"`{label}`" for label in m.labels) or "none"
        out.append(f"| `{m.name}` | {m.type} | {labels} | {_cell(m.help)} |")
    return "\n".join(out)


def render_stability(reg: Registration) -> str:
    level = reg.stability.flag_value
    if reg.stability is Stability.GENERALLY_AVAILABLE:
        return f"**Stability:** {level}. Usable with the default `--stability.level`."
    return (
        f"**Stability:** {level}. `alloylite run` and `alloylite validate` accept it only with "
        f"`--stability.level={level}` (or a lower level)."
    )


SECTIONS = {
    "stability": render_stability,
    "reference": render_reference,
    "metrics": render_metrics,
}

_REGION = re.compile(
    r"(<!-- BEGIN GENERATED: (?P<section>[a-z]+)[^>]*-->\n)(?P<body>.*?)"
    r"(<!-- END GENERATED: (?P=section) -->)",
    re.S,
)


class DocsError(Exception):
    """The schema and the documentation tables do not fit together."""


def render_page(reg: Registration, text: str) -> str:
    """`text` with every generated region rewritten from the schema."""
    seen: set[str] = set()

    def replace(m: re.Match[str]) -> str:
        section = m.group("section")
        if section not in SECTIONS:
            raise DocsError(f"unknown generated section {section!r}")
        seen.add(section)
        return m.group(1) + SECTIONS[section](reg) + "\n" + m.group(4)

    result = _REGION.sub(replace, text)
    absent = set(SECTIONS) - seen
    if absent:
        raise DocsError(
            f"the page of {reg.name} lacks the generated section(s) " + ", ".join(sorted(absent))
        )
    return result


def skeleton(name: str) -> str:
    """A new page: the generated regions and headings for the prose to write."""
    return (
        f"# {name}\n\n"
        f"{_marker('stability')}\n<!-- END GENERATED: stability -->\n\n"
        "## Usage\n\n"
        f"{_marker('reference')}\n<!-- END GENERATED: reference -->\n\n"
        "## Metrics\n\n"
        f"{_marker('metrics')}\n<!-- END GENERATED: metrics -->\n"
    )


def _marker(section: str) -> str:
    return f"<!-- BEGIN GENERATED: {section} ({COMMAND}; do not edit) -->"


def page_path(docs_dir: Path, name: str) -> Path:
    return docs_dir / "components" / f"{name}.md"


def default_docs_dir() -> Path:
    return Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=COMMAND,
        description="Regenerate the reference tables of docs/components/*.md from the "
        "component schemas.",
    )
    parser.add_argument(
        "--docs-dir",
        type=Path,
        default=default_docs_dir(),
        help="the docs/ folder of a checkout (default: the folder of this script)",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a page is not up to date"
    )
    args = parser.parse_args(argv)
    if not args.docs_dir.is_dir():
        # Never create a docs folder somewhere unexpected.
        print(
            f"Error: {args.docs_dir} is not a directory; run from a checkout of alloylite "
            "or pass --docs-dir",
            file=sys.stderr,
        )
        return 2
    stale: list[str] = []
    for name in component_names():
        path = page_path(args.docs_dir, name)
        try:
            current = path.read_text(encoding="utf-8") if path.exists() else skeleton(name)
            wanted = render_page(registration(name), current)
        except DocsError as err:
            print(f"Error: {err}", file=sys.stderr)
            return 1
        if path.exists() and wanted == current:
            continue
        stale.append(str(path))
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(wanted, encoding="utf-8")
    if args.check and stale:
        print("Error: out of date: " + ", ".join(stale) + f"; {REGENERATE_HINT}", file=sys.stderr)
        return 1
    for path_text in stale:
        print(f"wrote {path_text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
