"""`POST /push.v1.PusherService/Push`: one `append` per series per `forward_to` entry
(spec alloy-pyroscope.md §1.6-1.8). Connect requests are answered here; gRPC and
gRPC-Web ones are handed to grpc_push.py, and both forward through `forward_push`.

Decoding is bounded (push.py counts series, labels and samples) and a large body is
inflated and decoded in a worker thread (decode_pool.py), so one hostile push can
neither take gigabytes nor stall the event loop that serves every other SDK and
`/-/ready`.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from alloylite.components.pyroscope import connect, forward_headers, grpc
from alloylite.components.pyroscope import tenant as tenant_mod
from alloylite.components.pyroscope.appendable import Labels, RawSample
from alloylite.components.pyroscope.labels import ensure_service_name, labels_string
from alloylite.components.pyroscope.memo import Memo, pairs_bytes
from alloylite.components.pyroscope.push import (
    PUSH_PATH,
    DecodeError,
    Series,
    TooManyElements,
    decode_push_request,
    decode_push_request_json,
)
from alloylite.components.pyroscope.receive_http.body import BodyTooLarge, ClientGone, read_body
from alloylite.components.pyroscope.receive_http.decode_pool import decode_sized
from alloylite.components.pyroscope.receive_http.forward import fan_out
from alloylite.components.pyroscope.receive_http.grpc_push import GRPC_HEADERS, serve_grpc
from alloylite.components.pyroscope.receive_http.respond import (
    CLIENT_GONE,
    Receive,
    Send,
    connect_error,
    respond,
)

if TYPE_CHECKING:
    from alloylite.components.pyroscope.receive_http.component import ReceiveHTTP

PUSH_PREFIX = "/push.v1.PusherService/"
ROUTE = "push_v1_pusherservice"

_CONNECT_HEADERS = frozenset(
    {
        b"content-type",
        b"content-encoding",
        b"connect-protocol-version",
        b"connect-timeout-ms",
        *GRPC_HEADERS,
        b"x-scope-orgid",
    }
)


class _PushFailed(Exception):
    pass


def decode(body: bytes, call: connect.UnaryRequest, limit: int) -> list[Series]:
    """Inflate and decode a push body; ConnectError for everything the SDK is told."""
    try:
        if call.gzip:
            body = connect.decompress(body, limit)
        if call.codec == connect.PROTO:
            return decode_push_request(body)
        return decode_push_request_json(body)
    except TooManyElements as exc:
        raise connect.ConnectError("resource_exhausted", str(exc)) from None
    except DecodeError as exc:
        raise connect.ConnectError(
            "invalid_argument", f"unmarshal into push.v1.PushRequest: {exc}"
        ) from None


async def push(c: ReceiveHTTP, scope: dict[str, Any], receive: Receive, send: Send) -> int:
    headers = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in scope["headers"]
        if name in _CONNECT_HEADERS
    }
    carried: Labels = ()  # opt-in headers (forward_headers.py)
    if c.forward_headers:
        carried = forward_headers.capture((), scope["headers"], c.forward_headers)
    # --- gRPC and gRPC-Web (grpc_push.py) ---
    if grpc.is_grpc(headers.get("content-type", "")):
        forward = functools.partial(forward_push, c, carried=carried)
        return await serve_grpc(scope, receive, send, headers, forward, c.body_limit, c.metrics)
    # --- Connect ---
    try:
        call = connect.negotiate(headers)
    except connect.UnsupportedMediaType:
        return await respond(send, 415, b"", extra=((b"accept-post", grpc.ACCEPT_POST.encode()),))
    except connect.ConnectError as err:
        return await connect_error(send, err)
    try:
        body = await read_body(scope, receive, c.body_limit)
        c.metrics.received(ROUTE, len(body))
        work = functools.partial(decode, body, call, c.body_limit)
        series = await decode_sized(work, len(body), call.gzip)
        del work
    except BodyTooLarge:
        too_large = connect.ConnectError(
            "resource_exhausted", f"request body too large: limit is {c.body_limit} bytes"
        )
        return await connect_error(send, too_large)
    except ClientGone:
        return CLIENT_GONE
    except connect.ConnectError as err:
        return await connect_error(send, err)
    del body
    error = await forward_push(
        c, series, call.deadline, headers.get("x-scope-orgid"), carried=carried
    )
    if error is None:
        content_type = call.codec.encode()
        return await respond(
            send,
            200,
            connect.success_body(call.codec),
            extra=((b"content-type", content_type),),
        )
    return await connect_error(send, error)


async def forward_push(
    c: ReceiveHTTP,
    series: Sequence[Series],
    call_deadline: float | None,
    tenant: str | None,
    carried: Labels = (),
) -> connect.ConnectError | None:
    """Forward decoded push series to every target, whatever the protocol;
    the error to answer, if any (Alloy's Push errors are all `internal`)."""
    # --- per-profile tenant (tenant.py), only with forward_tenant ---
    if not c.forward_tenant:
        tenant = None
    elif tenant is not None:
        try:
            tenant_mod.validate(tenant)
        except tenant_mod.TenantError as err:
            return connect.ConnectError("invalid_argument", str(err))
    targets = c.forward_to
    deadline = time.monotonic() + c.write_timeout
    if call_deadline is not None:
        deadline = min(deadline, call_deadline)
    prepared: list[tuple[Labels, list[RawSample]]] = []
    for one in series:
        if not one.samples:
            # A series without samples carries no profile; Pyroscope would
            # refuse an empty push with 400, so it is not forwarded.
            continue
        # Later duplicates win, empty values are dropped (Prometheus builder).
        labels = series_labels(one.labels)
        if tenant is not None:
            labels = tenant_mod.with_tenant(labels, tenant)
        if carried:
            labels = tuple(sorted({**dict(labels), **dict(carried)}.items()))
        prepared.append((labels, one.samples))
        c.opts.live.samples("in", labels, one.samples)

    async def push_all(target: Any, index: int) -> None:
        failures: list[str] = []
        for labels, samples in prepared:
            try:
                await target.append(labels, samples, deadline)
            except Exception as exc:  # every failure becomes one `internal` error
                failures.append(
                    f"unable to append series {labels_string(labels)} to appendable {index}: {exc}"
                )
        if failures:
            raise _PushFailed("\n".join(failures))

    errors = await fan_out(targets, push_all, deadline) if prepared else []
    if not errors:
        return None
    message = "\n".join(str(e) or repr(e) for e in errors)
    c.logger.warning("failed to forward pushed profiles: %s", message)
    c.opts.live.error(PUSH_PATH, "internal", message)
    return connect.ConnectError("internal", message)


# Pushed label sets repeat like ingest names do: the same memo policy.
_SERIES: Memo[tuple[tuple[str, str], ...], Labels] = Memo()


def series_labels(pairs: Sequence[tuple[str, str]]) -> Labels:
    key = tuple(pairs)
    labels = _SERIES.get(key)
    if labels is None:
        labels = ensure_service_name(dict(pairs))
        _SERIES.put(key, labels, 2 * pairs_bytes(key))
    return labels
