"""Compiling Alloy's component catalogue into the compact schemas alloylite ships.

The source is `spec/components/alloy-components.json` (1.6 MB: docs-derived fields,
notes, and `code_schema`, the schema walked from Alloy's Go struct tags). Only
`code_schema` is what Alloy's decoder enforces, so only it is kept, with every type
mapped to Alloy's type name (`types.alloy_type`, the docs' spelling as a fallback).
The result, `alloylite/runtime/catalogue/schemas.json`, is what `validate` reads; tests
check it is up to date. A development tool, not shipped in the wheel (like docs/generate.py):

    python tools/compile_catalogue.py ../shared/spec/components/alloy-components.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as a script from a checkout: the package beside it
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alloylite.runtime.catalogue.registration import SCHEMAS  # noqa: E402
from alloylite.runtime.catalogue.text_types import USES  # noqa: E402
from alloylite.runtime.catalogue.types import alloy_type  # noqa: E402


def _doc_types(rows: list[dict[str, Any]] | None) -> dict[str, str]:
    return {r["name"]: r.get("type") or "" for r in rows or []}


def _fields(
    component: str, path: str, rows: list[dict[str, Any]], doc: dict[str, str]
) -> list[list[Any]]:
    return [
        [
            r["name"],
            alloy_type(r["go_type"], doc.get(r["name"]), USES.get((component, path, r["name"]))),
            bool(r["required"]),
        ]
        for r in rows
    ]


def compile_component(name: str, entry: dict[str, Any]) -> dict[str, Any]:
    """One component's compact schema: stability, attributes, blocks, exports."""
    code = entry["code_schema"]
    doc_blocks = entry.get("block_arguments") or {}
    blocks: dict[str, list[Any]] = {}
    for b in code.get("blocks", []):
        blocks[b["path"]] = [
            bool(b["required"]),
            bool(b["repeatable"]),
            bool(b.get("labeled")),
            bool(b.get("recursive")),
        ]
    return {
        "s": entry["stability"],
        "c": bool(entry["community"]),
        "a": _fields(name, "", code.get("arguments", []), _doc_types(entry.get("arguments"))),
        "b": blocks,
        "ba": {
            path: _fields(name, path, rows, _doc_types(doc_blocks.get(path)))
            for path, rows in code.get("block_arguments", {}).items()
            if rows
        },
        "e": [
            [r["name"], alloy_type(r["go_type"], _doc_types(entry.get("exports")).get(r["name"]))]
            for r in code.get("exports", [])
        ],
    }


def compile_catalogue(source: dict[str, Any]) -> dict[str, Any]:
    """The compact form of the whole catalogue (registered components only)."""
    return {
        "alloy_commit": source["alloy_commit"],
        "components": {
            name: compile_component(name, entry)
            for name, entry in sorted(source["components"].items())
            if entry.get("registered") and entry.get("code_schema")
        },
    }


def render(compiled: dict[str, Any]) -> str:
    """The file text: one component per line, so a diff shows which changed."""
    lines = [f'{{"alloy_commit": {json.dumps(compiled["alloy_commit"])}, "components": {{']
    items = list(compiled["components"].items())
    for i, (name, schema) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        lines.append(f"{json.dumps(name)}: {json.dumps(schema, separators=(',', ':'))}{comma}")
    lines.append("}}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python tools/compile_catalogue.py CATALOGUE.json\n")
        return 2
    source = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    SCHEMAS.write_text(render(compile_catalogue(source)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
