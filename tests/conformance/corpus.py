"""Loading the conformance corpus recorded from Alloy's own syntax packages.

The corpus lives in ../shared/conformance beside the checkout (CI lays it
there). Tests that need it skip only when it is absent, so a fresh clone's
suite still stands alone on the project's own cases.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CORPUS_DIR = Path(
    os.environ.get(
        "ALLOYLITE_CONFORMANCE_DIR",
        Path(__file__).resolve().parents[2].parent / "shared" / "conformance",
    )
)
CORPUS_FILES = ("alloy-testdata.jsonl", "dev.jsonl")


def available() -> bool:
    return any((CORPUS_DIR / name).exists() for name in CORPUS_FILES)


def cases(kind: str | None = None) -> Iterator[dict[str, Any]]:
    """Every case of the corpus (optionally only `kind` "file" or "expr")."""
    for name in CORPUS_FILES:
        path = CORPUS_DIR / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                case = json.loads(line)
                if kind is None or case["kind"] == kind:
                    yield case


def input_bytes(case: dict[str, Any]) -> bytes:
    """The case's input as the exact bytes Alloy read."""
    if case.get("input") is None:
        return base64.b64decode(case["input_base64"])
    return case["input"].encode("utf-8")


def expected_text(value: Any) -> bytes | None:
    """An `expected` string as bytes (non-UTF-8 strings are stored as {"base64": ...})."""
    if value is None:
        return None
    if isinstance(value, dict):
        return base64.b64decode(value["base64"])
    return value.encode("utf-8")


def expected_variants(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The acceptable `expected` records (several for the nondeterministic cases)."""
    return case.get("expected_variants") or [case["expected"]]
