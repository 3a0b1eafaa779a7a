"""Experimental settings of generally-available components, refused below `experimental`.

Alloy gates these inside the components' own code (`MinStability.Permits` in `New` or
`Update`), so `alloy validate`, which runs no component code, accepts them, and
`alloy run` then fails to build the component. alloylite's validate reports them after
Alloy's diagnostics, in `alloy run`'s words, on the whole component block
(docs/compatibility.md). Only the gates of the code count: the catalogue's doc-only
markers (`wal` of loki.write, `honor_metadata` of the operators) are not enforced by
Alloy and must not fire; loadbalancing's `routing_key` only logs a warning.

A gate looks at literal values only: an expression that reads a component or the
environment may differ at run time, so it never fires on one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from alloylite.runtime.arguments import BUILD_PREFIX
from alloylite.runtime.graph import traversals_of_expr
from alloylite.runtime.loader import LoadedConfig, NodeKind
from alloylite.runtime.schema.durations import parse_duration
from alloylite.stability import Stability
from alloylite.syntax import ast
from alloylite.syntax.diag import Diagnostic, Severity

_UNKNOWN = object()  # not a literal: what `run` will see is not known here
_V2 = "io.prometheus.write.v2.Request"
_EXPERIMENTAL_FEATURE = (
    "{} is an experimental feature, and must be enabled by setting the stability.level "
    "flag to experimental"
)

# A gate reads a component's body and returns the error `run` would give, or None.
Gate = Callable[[ast.Body], "str | None"]


def gate_errors(config: LoadedConfig, min_stability: Stability) -> list[Diagnostic]:
    """The first gate error of each gated component (`run` stops at the first)."""
    if min_stability <= Stability.EXPERIMENTAL:
        return []
    out: list[Diagnostic] = []
    for node in config.nodes.values():
        if node.kind is not NodeKind.COMPONENT or node.registration is None:
            continue
        if node.registration.stability < min_stability:
            continue  # Alloy's diagnostics already refuse the component itself
        for gate in GATES.get(node.name, ()):
            message = gate(node.body)
            if message is not None:
                block = node.block
                out.append(
                    Diagnostic(
                        Severity.ERROR,
                        BUILD_PREFIX + message,
                        block.name_pos,
                        block.rcurly,
                        node.filename,
                    )
                )
                break
    return out


def _blocks(body: ast.Body, path: str) -> Iterator[ast.Body]:
    """The bodies of every block at `path` (`a > b`; "" is `body` itself)."""
    if not path:
        yield body
        return
    head, _, rest = path.partition(" > ")
    for stmt in body:
        if isinstance(stmt, ast.BlockStmt) and stmt.full_name == head:
            yield from _blocks(stmt.body, rest)


def literal(body: ast.Body, name: str) -> Any:
    """The value of attribute `name` when it is a constant expression, else `_UNKNOWN`
    (also when absent: the component's default never trips a gate)."""
    from alloylite.eval.evaluator import evaluate

    for stmt in body:
        if isinstance(stmt, ast.AttributeStmt) and stmt.name.name == name:
            if next(iter(traversals_of_expr(stmt.value)), None) is not None:
                return _UNKNOWN  # reads a component, an argument or a function
            try:
                return evaluate(stmt.value)
            except Exception:  # Alloy's diagnostics already say what is wrong with it
                return _UNKNOWN
    return _UNKNOWN


def _set_true(path: str, name: str, message: str) -> Gate:
    def gate(body: ast.Body) -> str | None:
        hit = any(literal(b, name) is True for b in _blocks(body, path))
        return message if hit else None

    return gate


def _experimental(path: str, name: str) -> Gate:
    return _set_true(path, name, _EXPERIMENTAL_FEATURE.format(name))


def _remote_write_v2(body: ast.Body) -> str | None:
    for endpoint in _blocks(body, "endpoint"):
        if literal(endpoint, "protobuf_message") != _V2:
            continue
        name = literal(endpoint, "name") if _has(endpoint, "name") else ""
        if isinstance(name, str):
            return (
                f"using remote write v2 (protobuf_message={_V2}) with endpoint {name} "
                "requires setting the stability.level flag to experimental"
            )
    return None


def _receive_http_v2(body: ast.Body) -> str | None:
    messages = literal(body, "accepted_remote_write_protobuf_messages")
    if isinstance(messages, list) and _V2 in messages:
        return _EXPERIMENTAL_FEATURE.format(f'using "{_V2}" in supported_protocol_versions')
    return None


def _syslog(body: ast.Body) -> str | None:
    for listener in _blocks(body, "listener"):
        if literal(listener, "syslog_format") == "raw":
            return '"raw" syslog format is available only at experimental stability level'
        if any(True for _ in _blocks(listener, "rfc3164_cisco_components")):
            return (
                "rfc3164_cisco_components block is available only at experimental stability level"
            )
    return None


def _has(body: ast.Body, name: str) -> bool:
    return any(isinstance(s, ast.AttributeStmt) and s.name.name == name for s in body)


_SIZE = re.compile(r"(\d+)([KMGTPE]i?)?B")


def _base2_bytes(value: Any) -> Any:
    """`units.Base2Bytes` of a plain `<n><unit>` literal (KB and KiB both 1024); other
    spellings are left unknown, so they never trip the gate."""
    match = _SIZE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return _UNKNOWN
    power = "KMGTPE".find(match.group(2)[0]) + 1 if match.group(2) else 0
    return int(match.group(1)) * 1024**power


def _duration(value: Any) -> Any:
    try:
        return parse_duration(value) if isinstance(value, str) else _UNKNOWN
    except ValueError:
        return _UNKNOWN


# loki.write's queue_config defaults (write/types.go defaultQueueConfig) and how to read
# each attribute for the comparison.
_QUEUE_DEFAULTS: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "capacity": (_base2_bytes, 10 * 1024**2),
    "min_shards": (lambda v: v if isinstance(v, int | float) else _UNKNOWN, 1),
    "drain_timeout": (_duration, timedelta(seconds=15)),
    "block_on_overflow": (lambda v: v if isinstance(v, bool) else _UNKNOWN, True),
}


def _loki_queue_config(body: ast.Body) -> str | None:
    for queue in _blocks(body, "endpoint > queue_config"):
        for name, (read, default) in _QUEUE_DEFAULTS.items():
            value = read(literal(queue, name)) if _has(queue, name) else default
            if value is not _UNKNOWN and value != default:
                return "changing queue_config requires stability.level flag to be experimental"
    return None


def _nhcb_and_zero_ingestion(body: ast.Body) -> str | None:
    for name in ("convert_classic_histograms_to_nhcb", "start_timestamp_zero_ingestion"):
        if literal(body, name) is True:
            return (
                f"{name} is experimental and requires setting the stability.level flag "
                "to experimental"
            )
    return None


_OPERATOR: tuple[Gate, ...] = (
    _experimental("scrape", "enable_type_and_unit_labels"),
    _experimental("scrape", "start_timestamp_zero_ingestion"),
)
# Component -> its gates, in the order its code checks them (run reports the first).
GATES: dict[str, tuple[Gate, ...]] = {
    "prometheus.scrape": (
        _experimental("", "honor_metadata"),
        _experimental("", "enable_type_and_unit_labels"),
        _experimental("", "start_timestamp_zero_ingestion"),
    ),
    "prometheus.receive_http": (
        _experimental("", "append_metadata"),
        _experimental("", "enable_type_and_unit_labels"),
        _receive_http_v2,
    ),
    "prometheus.remote_write": (_remote_write_v2,),
    "otelcol.exporter.prometheus": (_nhcb_and_zero_ingestion,),
    "loki.source.syslog": (_syslog,),
    "loki.write": (_loki_queue_config,),
    **{
        f"prometheus.operator.{kind}": _OPERATOR
        for kind in ("podmonitors", "probes", "scrapeconfigs", "servicemonitors")
    },
}
