"""Alloy values as Alloy text, the way Alloy's `token/builder` prints them.

Used by `alloylite eval`, by the conformance test (`v = <value>`) and by
anything that shows a value to a user. Non-empty objects are always
multi-line with sorted keys and aligned `=`; arrays stay on one line.
Secrets never print their text.
"""

from __future__ import annotations

from alloylite.eval.gostr import encode
from alloylite.eval.numbers import format_float
from alloylite.eval.values import Capsule, Function, Secret, capsule_type
from alloylite.gocompat import go_quote

_KEYWORDS = frozenset(("true", "false", "null"))
_POS_INF = "\x00+Inf"  # marks +Inf, which the builder's printer cannot re-parse


class RenderError(Exception):
    """The builder produced text that does not parse (only `+Inf` does that)."""


def is_identifier(name: str) -> bool:
    """Whether `name` can be written bare as an attribute or object key."""
    if not name or name in _KEYWORDS:
        return False
    first = name[0]
    if not (first == "_" or first.isalpha()):
        return False
    return all(c == "_" or c.isalpha() or c.isdecimal() for c in name[1:])


def render_key(name: str) -> str:
    """A key as the builder prints it. Alloy quotes a non-identifier key twice
    (builder, then printer), so escapes come out doubled: key `a"b` prints as
    `"a\\\"b"`. Kept for fidelity with Alloy's output."""
    return name if is_identifier(name) else go_quote(go_quote(name)[1:-1])


def render_value(value: object) -> str:
    """The Alloy text of a value (what follows `v = ` in builder output)."""
    return _render(value, 0).replace(_POS_INF, "+Inf")


def render_attribute(name: str, value: object) -> str:
    """`name = <value>` exactly as Alloy's builder writes it, or RenderError for `+Inf`."""
    text = f"{render_key(name)} = {_render(value, 0)}"
    at = text.find(_POS_INF)
    if at >= 0:
        # The builder's text has no blanks between tokens (`v=+Inf`), which is
        # where its parse error points.
        before = text[:at]
        line = before.count("\n") + 1
        last = before[before.rfind("\n") + 1 :].lstrip("\t")
        compact = last.replace(" = ", "=").replace(", ", ",")
        col = len(encode(compact)) + 1
        raise RenderError(f"{line}:{col}: expected expression, got +")
    return text


def _render(value: object, depth: int) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, float):
        text = format_float(value)
        return _POS_INF if text == "+Inf" else text
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_render(v, depth) for v in value) + "]"
    if isinstance(value, dict):
        return _render_object(value, depth)
    if isinstance(value, Function):
        return "function"
    if isinstance(value, Secret):
        return "(secret)"
    if isinstance(value, Capsule):
        return f'capsule("{value.go_type}")'
    return f'capsule("{capsule_type(value)}")'


def _render_object(obj: dict[str, object], depth: int) -> str:
    if not obj:
        return "{}"
    indent = "\t" * (depth + 1)
    rows = [
        (render_key(str(k)), _render(obj[k], depth + 1))
        for k in sorted(obj, key=lambda k: encode(str(k)))
    ]
    # `=` signs align within a run of fields; a multi-line value ends its run.
    lines: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        width = max(len(k) for k, _ in run)
        lines.extend(f"{indent}{k.ljust(width)} = {v}," for k, v in run)
        run.clear()

    for key, text in rows:
        run.append((key, text))
        if "\n" in text:
            flush()
    if run:
        flush()
    return "{\n" + "\n".join(lines) + "\n" + "\t" * depth + "}"
