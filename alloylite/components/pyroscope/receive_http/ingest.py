"""`POST /ingest`, the legacy API: the body is opaque (pprof, multipart, JFR, folded
text) and is forwarded byte for byte with its Content-Type values and the whole query
string; only `name` is parsed, leniently (spec alloy-pyroscope.md §1.3-1.5)."""

from __future__ import annotations

import http
import time
import urllib.parse
from typing import TYPE_CHECKING, Any

from alloylite.components.pyroscope import forward_headers
from alloylite.components.pyroscope import tenant as tenant_mod
from alloylite.components.pyroscope.appendable import IncomingProfile, Labels
from alloylite.components.pyroscope.labels import ensure_service_name, parse_name
from alloylite.components.pyroscope.memo import Memo
from alloylite.components.pyroscope.receive_http.body import BodyTooLarge, ClientGone, read_body
from alloylite.components.pyroscope.receive_http.forward import fan_out, first_status_error
from alloylite.components.pyroscope.receive_http.respond import (
    CLIENT_GONE,
    Receive,
    Send,
    respond,
)
from alloylite.gocompat import go_quote

if TYPE_CHECKING:
    from alloylite.components.pyroscope.receive_http.component import ReceiveHTTP

INGEST_PATH = "/ingest"


async def ingest(c: ReceiveHTTP, scope: dict[str, Any], receive: Receive, send: Send) -> int:
    targets = c.forward_to  # snapshot: an update swaps the list, never mutates it
    query: bytes = scope["query_string"]
    labels = ingest_labels(query, c.logger)
    if c.forward_tenant:  # --- per-profile tenant (tenant.py) ---
        for name, value in scope["headers"]:
            if name == b"x-scope-orgid":
                try:
                    tenant = tenant_mod.validate(value.decode("latin-1"))
                except tenant_mod.TenantError as err:
                    return await respond(send, 400, f"{err}\n".encode(), text=True)
                labels = tenant_mod.with_tenant(labels, tenant)
                break
    if c.forward_headers:  # --- opt-in headers (forward_headers.py) ---
        labels = forward_headers.capture(labels, scope["headers"], c.forward_headers)
    try:
        body = await read_body(scope, receive, c.body_limit)
    except BodyTooLarge:
        msg = f"request body too large: limit is {c.body_limit} bytes\n".encode()
        return await respond(send, 413, msg, text=True)
    except ClientGone:
        return CLIENT_GONE
    c.metrics.received("ingest", len(body))
    content_types = tuple(
        value.decode("latin-1") for name, value in scope["headers"] if name == b"content-type"
    )
    raw_path = scope.get("raw_path") or scope["path"].encode()
    url = raw_path.decode("latin-1")
    if query:
        url += "?" + query.decode("latin-1")
    profile = IncomingProfile(raw_body=body, content_type=content_types, url=url, labels=labels)
    c.opts.live.ingest("in", profile)
    deadline = time.monotonic() + c.write_timeout
    errors = await fan_out(targets, lambda t, _i: t.append_ingest(profile, deadline), deadline)
    if not errors:
        return await respond(send, 200, b"")
    c.logger.warning(
        "failed to forward /ingest profile: %s", "; ".join(str(e) or repr(e) for e in errors)
    )
    status_error = first_status_error(errors)
    c.opts.live.error(INGEST_PATH, status_error.status_code if status_error else 500, errors)
    if status_error is not None:
        code = status_error.status_code
        try:
            phrase = http.HTTPStatus(code).phrase
        except ValueError:
            phrase = ""
        return await respond(send, code, (phrase + "\n").encode(), text=True)
    return await respond(send, 500, b"Failed to process request\n", text=True)


def _raw_name(query: bytes) -> bytes | None:
    """The raw (still escaped) value of the first `name` query parameter, as
    Go's url.Query().Get picks it. The rest of the query is forwarded as is."""
    for part in query.split(b"&"):
        key, eq, value = part.partition(b"=")
        if key != b"name":
            if b"%" not in key and b"+" not in key:
                continue
            if _unquote(key) != "name":
                continue
        return value if eq else b""
    return None


def name_param(query: bytes) -> str | None:
    raw = _raw_name(query)
    return None if raw is None else _unquote(raw)


def _unquote(raw: bytes) -> str:
    return urllib.parse.unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8", "replace")


# An SDK sends the same `name` on every upload, so its parsed labels are memoised
# (label sets are immutable tuples), within a byte budget (memo.py).
_NAMES: Memo[bytes, Labels] = Memo()


# A sender chooses the name's length (up to the 1 MiB URL limit): the log shows its start.
LOGGED_NAME_CHARS = 256


def _logged(name: str) -> str:
    """The name Go-quoted (control characters escaped), cut to LOGGED_NAME_CHARS."""
    if len(name) <= LOGGED_NAME_CHARS:
        return go_quote(name)
    return f"{go_quote(name[:LOGGED_NAME_CHARS])}... ({len(name)} characters)"


def ingest_labels(query: bytes, logger: Any) -> Labels:
    """Labels from the `name` query parameter; a bad or missing name gives an empty set."""
    raw = _raw_name(query) if query else None
    if raw is None:
        return ()
    cached = _NAMES.get(raw)
    if cached is not None:
        return cached
    name = _unquote(raw)
    parsed = parse_name(name)
    if parsed is None:
        logger.warning(
            "failed to parse the ingest name %s; forwarding without labels", _logged(name)
        )
        return ()
    labels = ensure_service_name(parsed)
    _NAMES.put(raw, labels, 2 * len(raw))
    return labels
