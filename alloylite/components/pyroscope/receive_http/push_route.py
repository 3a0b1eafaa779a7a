"""`POST /push.v1.PusherService/Push`, the Connect push API: one `append` per series
per `forward_to` entry (spec alloy-pyroscope.md §1.6-1.8).

Decoding is bounded (push.py counts series, labels and samples) and a large body is
inflated and decoded in a worker thread, so one hostile push can neither take
gigabytes nor stall the event loop that serves every other SDK and `/-/ready`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from alloylite.components.pyroscope import connect
from alloylite.components.pyroscope.appendable import Labels, RawSample
from alloylite.components.pyroscope.labels import ensure_service_name
from alloylite.components.pyroscope.memo import Memo, pairs_bytes
from alloylite.components.pyroscope.push import (
    DecodeError,
    Series,
    TooManyElements,
    decode_push_request,
    decode_push_request_json,
)
from alloylite.components.pyroscope.receive_http.body import BodyTooLarge, ClientGone, read_body
from alloylite.components.pyroscope.receive_http.forward import fan_out
from alloylite.components.pyroscope.receive_http.respond import (
    CLIENT_GONE,
    Receive,
    Send,
    connect_error,
    respond,
)
from alloylite.gocompat import go_quote

if TYPE_CHECKING:
    from alloylite.components.pyroscope.receive_http.component import ReceiveHTTP

PUSH_PREFIX = "/push.v1.PusherService/"
ROUTE = "push_v1_pusherservice"

# Bodies up to this size (as received) are decoded on the event loop: a thread hop
# costs more than decoding them. A gzipped body can inflate a thousandfold, so the
# bound for gzip is lower. Above these, decoding runs in _DECODERS.
INLINE_BYTES = 16 * 1024
INLINE_GZIP_BYTES = 1024
# Two threads: decoding holds the GIL, so more would not be faster, and the number of
# large decodes in progress (each bounded by push.MAX_PUSH_ELEMENTS) stays small.
_DECODERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="push-decode")

_CONNECT_HEADERS = frozenset(
    {
        b"content-type",
        b"content-encoding",
        b"connect-protocol-version",
        b"connect-timeout-ms",
    }
)


class _PushFailed(Exception):
    pass


def labels_string(labels: Labels) -> str:
    """Prometheus' `labels.String()` form, used in push error messages."""
    return "{" + ", ".join(f"{k}={go_quote(v)}" for k, v in labels) + "}"


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


async def _decode(body: bytes, call: connect.UnaryRequest, limit: int) -> list[Series]:
    if len(body) <= (INLINE_GZIP_BYTES if call.gzip else INLINE_BYTES):
        return decode(body, call, limit)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_DECODERS, decode, body, call, limit)


async def push(c: ReceiveHTTP, scope: dict[str, Any], receive: Receive, send: Send) -> int:
    targets = c.forward_to
    headers = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in scope["headers"]
        if name in _CONNECT_HEADERS
    }
    try:
        call = connect.negotiate(headers)
    except connect.UnsupportedMediaType:
        return await respond(
            send, 415, b"", extra=((b"accept-post", connect.ACCEPT_POST.encode()),)
        )
    except connect.ConnectError as err:
        return await connect_error(send, err)
    try:
        body = await read_body(scope, receive, c.body_limit)
        c.metrics.received(ROUTE, len(body))
        series = await _decode(body, call, c.body_limit)
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
    deadline = time.monotonic() + c.write_timeout
    if call.deadline is not None:
        deadline = min(deadline, call.deadline)
    prepared: list[tuple[Labels, list[RawSample]]] = []
    for one in series:
        if not one.samples:
            # A series without samples carries no profile; Pyroscope would
            # refuse an empty push with 400, so it is not forwarded.
            continue
        # Later duplicates win, empty values are dropped (Prometheus builder).
        prepared.append((series_labels(one.labels), one.samples))
    del series

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
        content_type = call.codec.encode()
        return await respond(
            send,
            200,
            connect.success_body(call.codec),
            extra=((b"content-type", content_type),),
        )
    message = "\n".join(str(e) or repr(e) for e in errors)
    c.logger.warning("failed to forward pushed profiles: %s", message)
    return await connect_error(send, connect.ConnectError("internal", message))


# Pushed label sets repeat like ingest names do: the same memo policy.
_SERIES: Memo[tuple[tuple[str, str], ...], Labels] = Memo()


def series_labels(pairs: Sequence[tuple[str, str]]) -> Labels:
    key = tuple(pairs)
    labels = _SERIES.get(key)
    if labels is None:
        labels = ensure_service_name(dict(pairs))
        _SERIES.put(key, labels, 2 * pairs_bytes(key))
    return labels
