"""Hide secrets written literally in a config before its lines are shown in a code frame.

A diagnostic's code frame prints the config lines around the error, and those lines
may hold a password written as a literal (`password = "..."`). `validate` runs in CI,
whose logs are widely readable, so alloylite shows such literals as `*` (one per byte,
so that columns and carets stay where they were). Alloy prints them as written.

What is masked: every string literal inside the value of an attribute whose schema
type holds a secret (`password`, `bearer_token`, `http_headers`, ...), found by
walking each component block against its argument schema, and the password of any
`scheme://user:password@` URL in the file. A file that does not parse is masked
for URLs only (without a tree there is no telling which literal is a secret).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from alloylite.runtime.schema.secret_text import holds_secret, string_literals
from alloylite.runtime.url_password import url_password_spans
from alloylite.syntax import ast


def _secret_literals(body: ast.Body, schema: type) -> Iterator[ast.LiteralExpr]:
    from alloylite.runtime.schema import fields_of

    fields = fields_of(schema)
    for stmt in body:
        spec = fields.get(stmt.name.name if isinstance(stmt, ast.AttributeStmt) else stmt.full_name)
        if spec is None:
            continue
        if isinstance(stmt, ast.AttributeStmt):
            if spec.kind == "attr" and holds_secret(spec.type):
                yield from string_literals(stmt.value)
        elif spec.kind == "block" and spec.element is not None:
            yield from _secret_literals(stmt.body, spec.element)


def _mask(data: bytearray, start: int, end: int) -> None:
    for i in range(max(start, 0), min(end, len(data))):
        if data[i] not in b"\r\n":
            data[i] = ord("*")


def redact_source(source: bytes, filename: str, registry: Any) -> bytes:
    """`source` with secret literals and URL passwords replaced byte for byte by `*`."""
    from alloylite.syntax.parser import parse_file

    data = bytearray(source)
    for start, end in url_password_spans(source):
        _mask(data, start, end)
    parsed = parse_file(source, filename)
    if parsed.file is None:
        return bytes(data)
    for stmt in parsed.file.body:
        if not isinstance(stmt, ast.BlockStmt):
            continue
        registration = registry.get(stmt.full_name)
        schema = getattr(registration, "arguments", None)
        if not isinstance(schema, type):
            continue
        for literal in _secret_literals(stmt.body, schema):
            raw = literal.raw.encode("utf-8", "surrogateescape")
            # Keep the quotes: the frame still shows that a string was there.
            _mask(data, literal.pos.offset + 1, literal.pos.offset + len(raw) - 1)
    return bytes(data)


def redact_sources(sources: dict[str, bytes]) -> dict[str, bytes]:
    """Every file of a config redacted; a file that cannot be analysed is left out, so
    its diagnostics print without a frame rather than with its secrets (redaction must
    never be what fails)."""
    from alloylite.runtime.registry import default_registry

    registry = default_registry()
    out = {}
    for name, source in sources.items():
        try:
            out[name] = redact_source(source, name, registry)
        except Exception:  # noqa: BLE001 - a frame without context beats a leak
            continue
    return out
