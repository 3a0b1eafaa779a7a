"""Generate the reference part of docs/components/<name>.md from the component schemas.

Run `python -m alloylite.docs_gen` from a checkout to rewrite the pages, or
`python -m alloylite.docs_gen --check` to fail when a page is stale.

A page mixes two kinds of text. Prose (routes, status codes, metrics,
behaviour) is written by hand in the page itself; the parts that would drift
if written by hand (stability, arguments, blocks, types, defaults, exports)
sit between `<!-- BEGIN GENERATED: ... -->` and `<!-- END GENERATED: ... -->`
markers and are rewritten from the registration and its argument dataclasses.
tests/test_docs_generated.py fails when a committed page differs from what
this module produces, and when a schema field has no description here.

`schema.attr()`/`block()` take no documentation parameter, so the one-line
description of every field lives in `DESCRIPTIONS`, keyed by the field's path
in the config (`endpoint.basic_auth.password`). A field without an entry, or an
entry without a field, is an error: a new argument cannot go undocumented and a
removed one cannot linger in the docs.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import re
import sys
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from alloylite.eval.values import Secret
from alloylite.runtime.component import Registration, Stability
from alloylite.runtime.registry import BUILTIN_MODULES
from alloylite.runtime.schema import FieldSpec, fields_of, format_duration

REGENERATE_HINT = "run `python -m alloylite.docs_gen` to regenerate docs/components/"

# ----------------------------------------------------------------- descriptions

_TLS_SERVER = {
    "cert_pem": "PEM-encoded server certificate (with any intermediates).",
    "cert_file": "Path of the PEM server certificate; excludes `cert_pem`.",
    "key_pem": "PEM-encoded private key of the certificate.",
    "key_file": "Path of the PEM private key; excludes `key_pem`.",
    "client_auth_type": "How client certificates are requested and verified: `NoClientCert`, "
    "`RequestClientCert`, `RequireAnyClientCert`, `VerifyClientCertIfGiven` or "
    "`RequireAndVerifyClientCert` (mTLS).",
    "client_ca_file": "Path of the PEM CA bundle that verifies client certificates.",
    "client_ca": "PEM CA bundle that verifies client certificates; excludes `client_ca_file` "
    "(Alloy's docs call it `client_ca_pem`, its code `client_ca`).",
    "cipher_suites": "TLS 1.2 cipher suites by their Go names "
    "(`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`, ...); empty means the defaults.",
    "curve_preferences": "Accepted for compatibility; alloylite keeps OpenSSL's curve order.",
    "min_version": "Oldest TLS version accepted: `TLS10`, `TLS11`, `TLS12` or `TLS13`; "
    "empty means `TLS12`.",
    "max_version": "Newest TLS version accepted (same values); empty means the newest.",
}

_TLS_CLIENT = {
    "ca_pem": "PEM CA bundle that verifies the server; excludes `ca_file`.",
    "ca_file": "Path of the PEM CA bundle that verifies the server.",
    "cert_pem": "PEM client certificate for mTLS; excludes `cert_file`.",
    "cert_file": "Path of the PEM client certificate for mTLS.",
    "key_pem": "PEM private key of the client certificate; excludes `key_file`.",
    "key_file": "Path of the PEM private key of the client certificate.",
    "server_name": "Server name to verify the certificate against (and send as SNI).",
    "insecure_skip_verify": "Do not verify the server's certificate.",
    "min_version": "Oldest TLS version used: `TLS10` to `TLS13`; empty means `TLS12`.",
}

_IGNORED = "Accepted for compatibility with Alloy and ignored."

DESCRIPTIONS: dict[str, dict[str, str]] = {
    "pyroscope.receive_http": {
        "forward_to": "Receivers the profiles are forwarded to, all at once. May be empty: "
        "requests then succeed and nothing is forwarded.",
        "http": "Where and how the HTTP server listens.",
        "http.listen_address": "Address to listen on; empty means every interface.",
        "http.listen_port": "Port to listen on; `0` picks a free port.",
        "http.conn_limit": "Most connections open at once; `0` means no limit. Connections "
        "above the limit wait to be accepted, as in Alloy.",
        "http.server_read_timeout": "Time allowed to read a request, headers and body.",
        "http.server_write_timeout": "Time allowed to answer a request, including the time "
        "spent waiting for every `forward_to` receiver (and their retries).",
        "http.server_idle_timeout": "How long an idle keep-alive connection stays open.",
        "http.tls": "Serve HTTPS (and optionally require client certificates).",
        **{f"http.tls.{k}": v for k, v in _TLS_SERVER.items()},
        "http.http2": "Alloy's h2c settings. " + _IGNORED + " The server speaks HTTP/1.1 "
        "(and HTTP/2 is never negotiated); a warning is logged when `enabled = true`.",
        "http.http2.enabled": "Accept cleartext HTTP/2 (h2c) in Alloy; ignored here.",
        "http.http2.max_concurrent_streams": _IGNORED,
        "http.http2.max_decoder_header_table_size": _IGNORED,
        "http.http2.max_encoder_header_table_size": _IGNORED,
        "http.http2.max_read_frame_size": _IGNORED,
        "http.http2.max_upload_buffer_per_connection": _IGNORED,
        "http.http2.max_upload_buffer_per_stream": _IGNORED,
        "http.http2.permit_prohibited_cipher_suites": _IGNORED,
        "http.http2.read_idle_timeout": _IGNORED,
        "http.http2.ping_timeout": _IGNORED,
        "http.http2.write_byte_timeout": _IGNORED,
        "grpc": "Alloy's gRPC server settings, which receive_http inherits but never uses. "
        + _IGNORED
        + " No gRPC port is opened (Alloy opens one with no services).",
        "grpc.listen_address": _IGNORED,
        "grpc.listen_port": _IGNORED,
        "grpc.conn_limit": _IGNORED,
        "grpc.max_connection_age": _IGNORED,
        "grpc.max_connection_age_grace": _IGNORED,
        "grpc.max_connection_idle": _IGNORED,
        "grpc.server_max_recv_msg_size": _IGNORED,
        "grpc.server_max_send_msg_size": _IGNORED,
        "grpc.server_max_concurrent_streams": _IGNORED,
        "grpc.tls": _IGNORED + " Its fields are checked as in the `http` > `tls` block.",
        **{f"grpc.tls.{k}": _IGNORED for k in _TLS_SERVER},
        "graceful_shutdown_timeout": "On shutdown or when the listener moves, how long "
        "requests already accepted may take to finish.",
        "debug_info_upload_timeout": "Alloy's timeout for debug-info uploads (the "
        "debug-info routes are not served). " + _IGNORED,
        "max_request_body_size": "alloylite only: a body larger than this many bytes is "
        "refused before it is read (413 on `/ingest`, `resource_exhausted` on push). `0` "
        "means no limit (Alloy has none).",
    },
    "pyroscope.write": {
        "endpoint": "A Pyroscope server to send every profile to. Repeat the block to send "
        "to several servers; with none, profiles are accepted and discarded.",
        "endpoint.url": "Base URL of the server (`http://pyroscope:4040`, "
        "`https://host/prefix`). Push goes to `<url>/push.v1.PusherService/Push`, ingest to "
        "the URL's path joined with `/ingest`.",
        "endpoint.name": "Name of the endpoint. As in Alloy's code, metrics use the URL.",
        "endpoint.remote_timeout": "Time limit of each attempt (not of all retries together).",
        "endpoint.headers": "Extra headers on every request, e.g. `X-Scope-OrgID`.",
        "endpoint.min_backoff_period": "First retry delay; each next delay doubles, jittered.",
        "endpoint.max_backoff_period": "Longest retry delay (also caps a `Retry-After`).",
        "endpoint.max_backoff_retries": "Total number of attempts (not retries) before the "
        "profile is dropped; `0` retries forever (within the caller's deadline).",
        "endpoint.retry_on_http_429": "Retry a 429 (ingest) or `resource_exhausted` (push).",
        "endpoint.debug_info_upload_timeout": "Alloy's timeout for debug-info uploads. " + _IGNORED,
        "endpoint.bearer_token": "Sends `Authorization: Bearer <token>`.",
        "endpoint.bearer_token_file": "File holding the bearer token (re-read when it changes).",
        "endpoint.basic_auth": "HTTP basic authentication.",
        "endpoint.basic_auth.username": "User name (for Grafana Cloud, the stack's user ID).",
        "endpoint.basic_auth.password": "Password or API token.",
        "endpoint.basic_auth.password_file": "File holding the password (re-read when it "
        "changes); excludes `password`.",
        "endpoint.authorization": "A custom `Authorization` header.",
        "endpoint.authorization.type": "Scheme, e.g. `Bearer`; `Basic` is refused (use "
        "`basic_auth`). Empty means `Bearer`.",
        "endpoint.authorization.credentials": "Credentials sent after the scheme.",
        "endpoint.authorization.credentials_file": "File holding the credentials; excludes "
        "`credentials`.",
        "endpoint.oauth2": "OAuth 2.0 client-credentials flow; the token is cached and "
        "fetched again shortly before it expires.",
        "endpoint.oauth2.client_id": "Client ID.",
        "endpoint.oauth2.client_secret": "Client secret.",
        "endpoint.oauth2.client_secret_file": "File holding the client secret; excludes "
        "`client_secret`.",
        "endpoint.oauth2.scopes": "Scopes requested with the token.",
        "endpoint.oauth2.token_url": "URL the token is fetched from (required in the block).",
        "endpoint.oauth2.endpoint_params": "Extra form parameters of the token request.",
        "endpoint.oauth2.tls_config": "TLS settings of the token request.",
        **{f"endpoint.oauth2.tls_config.{k}": v for k, v in _TLS_CLIENT.items()},
        "endpoint.tls_config": "TLS settings of the connection to the server.",
        **{f"endpoint.tls_config.{k}": v for k, v in _TLS_CLIENT.items()},
        "endpoint.proxy_url": "HTTP proxy to connect through.",
        "endpoint.no_proxy": "Comma-separated hosts, domains and CIDRs that bypass `proxy_url`.",
        "endpoint.proxy_from_environment": "Use `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` "
        "from the environment.",
        "endpoint.proxy_connect_header": "Headers sent to the proxy in `CONNECT` requests.",
        "endpoint.follow_redirects": "Follow 3xx redirects from the server.",
        "endpoint.enable_http2": "Negotiate HTTP/2 with the server over TLS (ALPN); "
        "cleartext connections use HTTP/1.1.",
        "endpoint.http_headers": "Headers added by the HTTP client, values kept secret; "
        "reserved names such as `Authorization` or `Content-Type` are refused.",
        "external_labels": "Labels added to every profile, replacing a label of the same "
        "name. An empty value removes the label.",
        "tracing": "Alloy's trace propagation settings. " + _IGNORED,
        "tracing.jaeger_propagator": _IGNORED,
        "tracing.trace_context_propagator": _IGNORED,
    },
}

# Types the annotation cannot tell (capsules of other components).
TYPE_OVERRIDES: dict[str, dict[str, str]] = {
    "pyroscope.receive_http": {"forward_to": "list(ProfilesReceiver)"},
    "pyroscope.write": {},
}

# Exports: name -> (type, description), checked against the exports dataclass.
EXPORTS: dict[str, dict[str, tuple[str, str]]] = {
    "pyroscope.receive_http": {},
    "pyroscope.write": {
        "receiver": (
            "ProfilesReceiver",
            "Receiver to put in another component's `forward_to`: what it gets is sent to "
            "every `endpoint`.",
        ),
    },
}

# Where each component's metrics are defined: a class built with a
# prometheus_client CollectorRegistry, as the component builds it. The metrics
# table is read from what it registers, so a new metric shows up by itself.
METRICS_SOURCES: dict[str, str] = {
    "pyroscope.receive_http": "alloylite.components.pyroscope.receive_http.metrics:ReceiveMetrics",
    "pyroscope.write": "alloylite.components.pyroscope.write.metrics:WriteMetrics",
}

# ----------------------------------------------------------------- schema walk


@dataclass(frozen=True)
class FieldDoc:
    path: str  # `endpoint.basic_auth.password`
    spec: FieldSpec


def walk(cls: type, prefix: str = "") -> Iterator[FieldDoc]:
    """Every field of an argument dataclass, depth first, blocks after their parent."""
    for spec in fields_of(cls).values():
        path = f"{prefix}{spec.alloy_name}"
        yield FieldDoc(path, spec)
        if spec.kind == "block":
            yield from walk(spec.element, path + ".")


def registration(name: str) -> Registration:
    reg: Registration = importlib.import_module(BUILTIN_MODULES[name]).REGISTRATION
    return reg


def missing_descriptions(name: str, arguments: type | None = None) -> list[str]:
    """Field paths of the schema with no entry in DESCRIPTIONS."""
    cls = arguments or registration(name).arguments
    known = DESCRIPTIONS.get(name, {})
    return [f.path for f in walk(cls) if f.path not in known]


def stale_descriptions(name: str, arguments: type | None = None) -> list[str]:
    """Entries of DESCRIPTIONS that name no field of the schema."""
    cls = arguments or registration(name).arguments
    paths = {f.path for f in walk(cls)}
    return sorted(p for p in DESCRIPTIONS.get(name, {}) if p not in paths)


def export_fields(reg: Registration) -> list[str]:
    if reg.exports is None:
        return []
    return [f.name for f in dataclasses.fields(reg.exports)]


# ----------------------------------------------------------------- rendering


def alloy_type(tp: Any) -> str:
    """The Alloy docs' name of a field's type."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return alloy_type(inner[0]) if len(inner) == 1 else "any"
    if origin is list:
        (elem,) = typing.get_args(tp) or (Any,)
        return f"list({alloy_type(elem)})"
    if origin is dict:
        _, elem = typing.get_args(tp) or (str, Any)
        return f"map({alloy_type(elem)})"
    simple = {
        str: "string",
        int: "number",
        float: "number",
        bool: "bool",
        timedelta: "duration",
        Secret: "secret",
    }
    return simple.get(tp, "any")


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


def _attr_table(name: str, docs: list[FieldDoc]) -> list[str]:
    descriptions = DESCRIPTIONS.get(name, {})
    overrides = TYPE_OVERRIDES.get(name, {})
    lines = [
        "| Name | Type | Description | Default | Required |",
        "|------|------|-------------|---------|----------|",
    ]
    for doc in docs:
        tp = overrides.get(doc.path) or alloy_type(doc.spec.type)
        lines.append(
            f"| `{doc.spec.alloy_name}` | `{tp}` | {_cell(descriptions.get(doc.path, ''))} "
            f"| {default_text(doc.spec)} | {'yes' if doc.spec.required else 'no'} |"
        )
    return lines


def _block_title(path: str) -> str:
    return " > ".join(path.split("."))


def _anchor(path: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "", _block_title(path).lower().replace(" ", "-"))


def render_reference(name: str) -> str:
    """The generated reference section of a component page (no trailing newline)."""
    reg = registration(name)
    descriptions = DESCRIPTIONS.get(name, {})
    missing = missing_descriptions(name)
    if missing:
        raise DocsError(
            f"{name}: no description for {', '.join(missing)} "
            "(add them to DESCRIPTIONS in alloylite/docs_gen.py)"
        )
    stale = stale_descriptions(name)
    if stale:
        raise DocsError(
            f"{name}: DESCRIPTIONS names fields that no longer exist: " + ", ".join(stale)
        )
    fields = list(walk(reg.arguments))
    top_attrs = [f for f in fields if "." not in f.path and f.spec.kind == "attr"]
    blocks = [f for f in fields if f.spec.kind == "block"]
    out: list[str] = ["## Arguments", ""]
    if top_attrs:
        out.append(f"`{name}` supports the following arguments:")
        out.append("")
        out += _attr_table(name, top_attrs)
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
                f"| {_cell(descriptions[b.path])} | {kind} |"
            )
        for b in blocks:
            out += ["", f"### {_block_title(b.path)}", "", _cell(descriptions[b.path]), ""]
            attrs = [
                f for f in fields if f.spec.kind == "attr" and f.path.rpartition(".")[0] == b.path
            ]
            if attrs:
                out += _attr_table(name, attrs)
            else:
                out.append("This block has no arguments of its own.")
    else:
        out.append(f"`{name}` has no blocks.")
    out += ["", "## Exported fields", ""]
    names = export_fields(reg)
    documented = EXPORTS.get(name, {})
    if set(names) != set(documented):
        raise DocsError(
            f"{name}: EXPORTS in alloylite/docs_gen.py lists {sorted(documented)}, "
            f"the component exports {sorted(names)}"
        )
    if names:
        out += ["| Name | Type | Description |", "|------|------|-------------|"]
        for export in names:
            tp, text = documented[export]
            out.append(f"| `{export}` | `{tp}` | {_cell(text)} |")
    else:
        out.append(f"`{name}` does not export any fields.")
    return "\n".join(out)


@dataclass(frozen=True)
class MetricDoc:
    name: str  # as exposed: counters end in `_total`
    type: str
    labels: tuple[str, ...]
    help: str


def metrics_of(name: str) -> list[MetricDoc]:
    """The metrics a component registers, read from a fresh registry."""
    from prometheus_client import CollectorRegistry

    source = METRICS_SOURCES.get(name)
    if source is None:
        return []
    module, _, attr_name = source.partition(":")
    registry = CollectorRegistry()
    getattr(importlib.import_module(module), attr_name)(registry)
    out: list[MetricDoc] = []
    # prometheus_client keeps the label names of a metric on the collector
    # (Counter, Histogram) or on the family a custom collector yields.
    for collector in list(registry._collector_to_names):  # noqa: SLF001
        own_labels = getattr(collector, "_labelnames", None)
        if own_labels is not None and hasattr(collector, "_name"):
            out.append(
                _metric_doc(
                    collector._name,
                    collector._type,
                    tuple(own_labels),  # noqa: SLF001
                    collector._documentation,
                )
            )  # noqa: SLF001
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


def render_metrics(name: str) -> str:
    rows = metrics_of(name)
    if not rows:
        return f"`{name}` does not expose any metrics."
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


def render_stability(name: str) -> str:
    reg = registration(name)
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


def render_page(name: str, text: str) -> str:
    """`text` with every generated region rewritten from the schema."""
    seen: set[str] = set()

    def replace(m: re.Match[str]) -> str:
        section = m.group("section")
        if section not in SECTIONS:
            raise DocsError(f"unknown generated section {section!r}")
        seen.add(section)
        return m.group(1) + SECTIONS[section](name) + "\n" + m.group(4)

    result = _REGION.sub(replace, text)
    absent = set(SECTIONS) - seen
    if absent:
        raise DocsError(
            f"the page of {name} lacks the generated section(s) " + ", ".join(sorted(absent))
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
    return f"<!-- BEGIN GENERATED: {section} (python -m alloylite.docs_gen; do not edit) -->"


def page_path(docs_dir: Path, name: str) -> Path:
    return docs_dir / "components" / f"{name}.md"


def default_docs_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "docs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m alloylite.docs_gen",
        description="Regenerate the reference tables of docs/components/*.md from the "
        "component schemas.",
    )
    parser.add_argument(
        "--docs-dir",
        type=Path,
        default=default_docs_dir(),
        help="the docs/ folder of a checkout (default: next to the package)",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a page is not up to date"
    )
    args = parser.parse_args(argv)
    if not args.docs_dir.is_dir():
        # An installed package has no docs/ next to it: never write into site-packages.
        print(
            f"Error: {args.docs_dir} is not a directory; run from a checkout of alloylite "
            "or pass --docs-dir",
            file=sys.stderr,
        )
        return 2
    stale: list[str] = []
    for name in sorted(BUILTIN_MODULES):
        path = page_path(args.docs_dir, name)
        try:
            current = path.read_text(encoding="utf-8") if path.exists() else skeleton(name)
            wanted = render_page(name, current)
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
