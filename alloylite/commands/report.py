"""Printing diagnostics for `run` and `validate`: pretty (Alloy's), JSON, GitHub annotations.

Presentation for the commands; the runtime and the API hand over `Diagnostic`s as data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from alloylite.runtime.redact import redact_sources
from alloylite.syntax.diag import Diagnostic, Severity, render_pretty, use_color


def pretty(diags: Sequence[Diagnostic], sources: dict[str, bytes], color: bool = False) -> str:
    """Alloy's pretty form: each diagnostic with its source context."""
    return render_pretty(list(diags), sources, color=color)


def as_json(diags: Sequence[Diagnostic]) -> str:
    import json  # only `--format=json` needs it; validate's start-up is kept small

    items = []
    for d in diags:
        items.append(
            {
                "file": d.filename,
                "line": d.start.line if d.start else None,
                "col": d.start.col if d.start else None,
                "end_line": (d.end or d.start).line if d.start else None,
                "end_col": (d.end or d.start).col if d.start else None,
                "severity": d.severity.value,
                "message": d.message,
            }
        )
    return json.dumps(items, indent=2, ensure_ascii=False)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(diags: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands: `::error file=F,line=L,...::message`."""
    lines = []
    for d in diags:
        kind = "error" if d.severity is Severity.ERROR else "warning"
        props = []
        if d.filename:
            props.append(f"file={_escape_property(d.filename)}")
        if d.start is not None:
            end = d.end or d.start
            props += [
                f"line={d.start.line}",
                f"col={d.start.col}",
                f"endLine={end.line}",
                f"endColumn={end.col}",
            ]
        head = f"::{kind} {','.join(props)}" if props else f"::{kind}"
        lines.append(f"{head}::{_escape_data(d.message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def plain(diags: Sequence[Diagnostic]) -> str:
    """Alloy's `diags.Error()`: the first diagnostic plus a count of the rest."""
    errors = [d for d in diags if d.severity is Severity.ERROR] or list(diags)
    if not errors:
        return ""
    more = len(errors) - 1
    return str(errors[0]) + (f" (and {more} more diagnostics)" if more else "")


def write_pretty(stream: TextIO, diags: Sequence[Diagnostic], sources: dict[str, bytes]) -> None:
    text = pretty(diags, redact_sources(sources), color=use_color(stream))
    stream.write(text if text.endswith("\n") else text + "\n")
    stream.flush()
