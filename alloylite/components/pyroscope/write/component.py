"""`pyroscope.write`: forward profiles to Pyroscope servers (spec alloy-pyroscope.md §2).

The component exports `receiver`, an Appendable. Each append goes to every
endpoint at once, each endpoint with its own retry loop; the call fails if any
endpoint finally fails. Two ways alloylite does better than Alloy: a
`Retry-After` on 429/503 is honoured (capped at `max_backoff_period`), and no
retry sleep starts that would end past the caller's deadline, so a chained
receive_http still has time to answer.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus, unquote_to_bytes, urlsplit

import httpcore

from alloylite._version import __version__
from alloylite.components.pyroscope import labels as lbl
from alloylite.components.pyroscope.appendable import (
    IncomingProfile,
    Labels,
    RawSample,
    WriteStatusError,
)
from alloylite.components.pyroscope.connect import parse_error
from alloylite.components.pyroscope.push import CONTENT_TYPE_PROTO, PUSH_PATH, encode_single_series
from alloylite.components.pyroscope.write.arguments import Arguments, Endpoint
from alloylite.components.pyroscope.write.backoff import Backoff, parse_retry_after
from alloylite.components.pyroscope.write.client import (
    ClientError,
    EndpointClient,
    Response,
    Target,
    target_of,
)
from alloylite.components.pyroscope.write.metrics import (
    INGEST_DOWNSTREAM,
    INGEST_ENDPOINT,
    INGEST_TOTAL,
    PUSH_DOWNSTREAM,
    PUSH_ENDPOINT,
    PUSH_TOTAL,
    WriteMetrics,
)
from alloylite.gocompat import path_join
from alloylite.runtime.component import ComponentOptions
from alloylite.runtime.url_password import redact_url

__all__ = ["Arguments", "PyroscopeWrite", "WriteError", "WriteReceiver"]

# Connect codes pyroscope.write retries (spec §2.5); resource_exhausted only with
# retry_on_http_429.
_RETRY_CODES = frozenset(
    {"deadline_exceeded", "unknown", "internal", "unavailable", "data_loss", "aborted"}
)
_ERROR_MESSAGE_LIMIT = 2048
# Characters a URL path may carry unescaped (existing %XX escapes are kept).
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
# Query keys/values that Go's decode + encode leave unchanged.
# Bound of the per-endpoint caches of rebuilt ingest targets and header lists
# (cleared when full): one entry per distinct SDK query, not per request.
_TARGET_CACHE_SIZE = 4096
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*\Z")
# Retry sleeps go through this name so tests can observe the chosen delays.
_sleep = asyncio.sleep
# One identity per process when the runtime gives none (Alloy's seed UID).
_PROCESS_ID = str(uuid.uuid4())


class WriteError(Exception):
    """Some endpoint finally failed for a reason other than an ingest status."""


class _AttemptFailed(Exception):
    def __init__(
        self,
        message: str,
        retryable: bool,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after


@dataclass(slots=True)
class _Failure:
    text: str
    status: int | None


def _user_agent() -> str:
    os_name = {"win32": "windows", "cygwin": "windows"}.get(sys.platform, sys.platform)
    mode = os.environ.get("ALLOY_DEPLOY_MODE", "") or "binary"
    return f"Alloy/v{__version__} ({os_name}; {mode})"


def _log(logger: Any, level: int, msg: str, **kv: Any) -> None:
    """Log through the runtime's key/value logger, or a plain logger as text."""
    if hasattr(logger, "with_values"):
        logger.log(level, msg, kv=kv)
    else:
        logger.log(level, "%s %s", msg, " ".join(f"{k}={v!r}" for k, v in kv.items()))


# --------------------------------------------------------------------- endpoint


class _EndpointRuntime:
    """One endpoint's fixed request parts, computed once per (re)configuration."""

    def __init__(self, ep: Endpoint, alloy_id: str, metrics: WriteMetrics) -> None:
        self.args = ep
        self.display_url = redact_url(ep.url)
        self.m = metrics.for_endpoint(self.display_url)
        self.client = EndpointClient(ep)
        self.remote_timeout = ep.remote_timeout.total_seconds()
        self.min_backoff = ep.min_backoff_period.total_seconds()
        self.max_backoff = ep.max_backoff_period.total_seconds()
        base = target_of(ep.url)
        self._base = base
        base_path = urlsplit(ep.url).path
        self.push_target = Target(
            base.scheme,
            base.host,
            base.port,
            quote(base_path.rstrip("/") + PUSH_PATH, _PATH_SAFE).encode("ascii"),
        )
        self._base_path = base_path
        self._joined_paths: dict[str, str] = {}
        user_headers = {**ep.headers, "X-Alloy-Id": alloy_id}
        custom = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in user_headers.items()]
        lower = {k.lower() for k in user_headers}
        push: list[tuple[bytes, bytes]] = [
            (k, v)
            for k, v in (
                (b"User-Agent", _user_agent().encode()),
                (b"Content-Type", CONTENT_TYPE_PROTO.encode()),
                (b"Connect-Protocol-Version", b"1"),
                (b"Accept-Encoding", b"gzip"),
            )
            if k.decode().lower() not in lower
        ]
        # http_headers are added by the HTTP client layer (Header.Add), after the rest.
        extra = [
            (k.encode("latin-1"), v.reveal().encode("latin-1"))
            for k, values in ep.http_headers.items()
            for v in values
        ]
        self.push_headers = push + custom + extra
        self._ingest_custom = custom
        self._ingest_extra = extra
        self._ingest_has_ua = "user-agent" in lower
        self._targets: dict[tuple[str, str], Target] = {}
        self._headers: dict[tuple[str, ...], list[tuple[bytes, bytes]]] = {}

    def ingest_target(self, incoming_url: str, name: str) -> Target:
        """The upstream target for an /ingest request. An SDK sends the same path,
        query and name on every upload, so the rebuilt target is cached (bounded)."""
        key = (incoming_url, name)
        target = self._targets.get(key)
        if target is None:
            target = self._build_ingest_target(incoming_url, name)
            if len(self._targets) >= _TARGET_CACHE_SIZE:
                self._targets.clear()
            self._targets[key] = target
        return target

    def _build_ingest_target(self, incoming_url: str, name: str) -> Target:
        path, _, query = incoming_url.partition("?")
        joined = self._joined_paths.get(path)
        if joined is None:
            joined = quote(path_join(self._base_path, path.split("#", 1)[0] or "/"), _PATH_SAFE)
            if len(self._joined_paths) < 64:
                self._joined_paths[path] = joined
        pairs = _go_query_pairs(query, b"name")
        pairs.append((b"name", "name", quote_plus(name.encode("utf-8", "surrogateescape"))))
        pairs.sort(key=_pair_key)  # stable: values keep their order within a key, as in Go
        encoded = "&".join(f"{k}={v}" for _, k, v in pairs)
        return Target(
            self._base.scheme, self._base.host, self._base.port, f"{joined}?{encoded}".encode()
        )

    def ingest_headers(self, content_type: tuple[str, ...]) -> list[tuple[bytes, bytes]]:
        # Cached per Content-Type set; callers copy before adding to the list.
        headers = self._headers.get(content_type)
        if headers is None:
            headers = self._build_ingest_headers(content_type)
            if len(self._headers) >= _TARGET_CACHE_SIZE:
                self._headers.clear()
            self._headers[content_type] = headers
        return headers

    def _build_ingest_headers(self, content_type: tuple[str, ...]) -> list[tuple[bytes, bytes]]:
        headers = self._ingest_custom
        if content_type:
            headers = [(k, v) for k, v in headers if k.lower() != b"content-type"]
            headers += [(b"Content-Type", v.encode("latin-1")) for v in content_type]
        if not self._ingest_has_ua:
            headers = [(b"User-Agent", b"Go-http-client/1.1"), *headers]
        return headers + self._ingest_extra if self._ingest_extra else headers


def _pair_key(pair: tuple[bytes, str, str]) -> bytes:
    return pair[0]


def _go_query_pairs(query: str, drop: bytes) -> list[tuple[bytes, str, str]]:
    """Go's url.ParseQuery then Values.Encode, pair by pair: (decoded key, encoded key,
    encoded value), without the `drop` key. Pairs Go rejects (semicolons, bad escapes)
    are dropped. Plain pairs (the usual from/until/format...) skip decode and re-encode."""
    drop_text = drop.decode()
    out: list[tuple[bytes, str, str]] = []
    for piece in query.split("&"):
        if not piece or ";" in piece:
            continue
        key, _, value = piece.partition("=")
        if key == drop_text:
            continue
        if _PLAIN.match(key) and _PLAIN.match(value):
            out.append((key.encode(), key, value))
            continue
        try:
            k = _go_unescape(key)
            v = _go_unescape(value)
        except ValueError:
            continue
        if k != drop:
            out.append((k, quote_plus(k), quote_plus(v)))
    return out


def _go_parse_query(query: str) -> dict[bytes, list[bytes]]:
    """Go's url.ParseQuery (decoded values), for tests and diagnostics."""
    values: dict[bytes, list[bytes]] = {}
    for piece in query.split("&"):
        if not piece or ";" in piece:
            continue
        key, _, value = piece.partition("=")
        try:
            k, v = _go_unescape(key), _go_unescape(value)
        except ValueError:
            continue
        values.setdefault(k, []).append(v)
    return values


def _go_unescape(text: str) -> bytes:
    i = text.find("%")
    while i >= 0:
        pair = text[i + 1 : i + 3]
        if len(pair) != 2 or any(c not in "0123456789abcdefABCDEF" for c in pair):
            raise ValueError("bad escape")
        i = text.find("%", i + 3)
    return unquote_to_bytes(text.replace("+", " "))


# --------------------------------------------------------------------- receiver


class WriteReceiver:
    """The exported Appendable. One instance per configuration: an update makes a
    new one and retires this one once its calls in flight have finished."""

    def __init__(self, args: Arguments, metrics: WriteMetrics, logger: Any, alloy_id: str) -> None:
        self._external = dict(args.external_labels)
        self._logger = logger
        self._endpoints = [_EndpointRuntime(ep, alloy_id, metrics) for ep in args.endpoints]
        self._push_total = metrics.latency.labels("-", PUSH_TOTAL)
        self._ingest_total = metrics.latency.labels("-", INGEST_TOTAL)
        # Label sets that passed validation, with what they become upstream (the
        # ingest name, the push series labels). SDKs send the same few sets again
        # and again; external labels are fixed for this receiver's life. Sets that
        # fail validation are not cached, so every failure is counted as a drop.
        self._ingest_names: dict[Labels, str] = {}
        self._push_labels: dict[Labels, Labels] = {}

    def __repr__(self) -> str:
        return f"pyroscope.write receiver ({len(self._endpoints)} endpoints)"

    async def close(self) -> None:
        for ep in self._endpoints:
            await ep.client.close()

    # -- push path

    async def append(
        self, labels: Labels, samples: list[RawSample], deadline: float | None = None
    ) -> None:
        start = time.monotonic()
        try:
            if not self._endpoints:
                return
            size = sum(len(s.raw_profile) for s in samples)
            series = self._push_labels.get(labels)
            if series is None:
                self._check_labels(labels, "push", size, len(samples))
                series = lbl.push_series_labels(labels, self._external)
                _remember(self._push_labels, labels, series)
            if not samples:
                return  # Pyroscope rejects a push without profiles; there is nothing to send
            body = encode_single_series(series, samples)

            def attempt(ep: _EndpointRuntime) -> Callable[[float], Awaitable[None]]:
                return lambda budget: self._push_once(ep, body, budget)

            await self._fan_out("push", attempt, size, len(samples), deadline)
        finally:
            self._push_total.observe(time.monotonic() - start)

    def _check_labels(self, labels: Labels, kind: str, size: int, profiles: int) -> None:
        """Validate before sending; a rejected profile is a drop at every endpoint."""
        try:
            lbl.validate_labels(labels)
        except lbl.LabelError as err:
            for ep in self._endpoints:
                self._drop(ep, kind, size, profiles, 0, str(err))
            raise

    async def _push_once(self, ep: _EndpointRuntime, body: bytes, budget: float) -> None:
        headers = list(ep.push_headers)
        headers.append((b"Connect-Timeout-Ms", str(max(1, int(budget * 1000))).encode()))
        auth = await _auth_header(ep)
        if auth is not None:
            headers.append((b"Authorization", auth))
        start = time.monotonic()
        try:
            try:
                resp = await ep.client.post(ep.push_target, headers, body, budget)
            except (httpcore.TimeoutException, TimeoutError):
                raise _AttemptFailed("deadline_exceeded: context deadline exceeded", True) from None
            except (httpcore.NetworkError, httpcore.ProtocolError, OSError) as err:
                raise _AttemptFailed(f"unavailable: {_describe(err)}", True) from None
        finally:
            ep.m.latency[PUSH_DOWNSTREAM].observe(time.monotonic() - start)
        if resp.status == 200:
            return
        code, message = parse_error(resp.status, resp.body, resp.header(b"content-type"))
        retryable = code in _RETRY_CODES or (
            code == "resource_exhausted" and ep.args.retry_on_http_429
        )
        raise _AttemptFailed(f"{code}: {message}", retryable, retry_after=_retry_after(resp))

    # -- ingest path

    async def append_ingest(self, profile: IncomingProfile, deadline: float | None = None) -> None:
        start = time.monotonic()
        try:
            if not self._endpoints:
                return
            name = self._ingest_names.get(profile.labels)
            if name is None:
                labels = lbl.ingest_labels(profile.labels)
                self._check_labels(labels, "ingest", len(profile.raw_body), 1)
                name = lbl.build_ingest_name(labels, self._external)
                _remember(self._ingest_names, profile.labels, name)
            body = profile.raw_body

            def attempt(ep: _EndpointRuntime) -> Callable[[float], Awaitable[None]]:
                target = ep.ingest_target(profile.url, name)
                headers = ep.ingest_headers(profile.content_type)
                return lambda budget: self._ingest_once(ep, target, headers, body, budget)

            await self._fan_out("ingest", attempt, len(body), 1, deadline)
        finally:
            self._ingest_total.observe(time.monotonic() - start)

    async def _ingest_once(
        self,
        ep: _EndpointRuntime,
        target: Target,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        budget: float,
    ) -> None:
        auth = await _auth_header(ep)
        if auth is not None:
            headers = [*headers, (b"Authorization", auth)]
        start = time.monotonic()
        try:
            try:
                resp = await ep.client.post(target, headers, body, budget)
            except (httpcore.TimeoutException, TimeoutError):
                raise _AttemptFailed("context deadline exceeded", True) from None
            except (httpcore.NetworkError, httpcore.ProtocolError, OSError) as err:
                raise _AttemptFailed(_describe(err), True) from None
        finally:
            ep.m.latency[INGEST_DOWNSTREAM].observe(time.monotonic() - start)
        if resp.status == 200:
            return
        status = resp.status
        text = resp.body[:_ERROR_MESSAGE_LIMIT].decode("utf-8", "replace")
        retryable = status == 408 or status >= 500 or (status == 429 and ep.args.retry_on_http_429)
        raise _AttemptFailed(
            f"remote error: pyroscope write error: status={status} msg={text}",
            retryable,
            status=status,
            retry_after=_retry_after(resp),
        )

    # -- shared: fan-out and retries

    async def _fan_out(
        self,
        kind: str,
        attempt_for: Callable[[_EndpointRuntime], Callable[[float], Awaitable[None]]],
        size: int,
        profiles: int,
        deadline: float | None,
    ) -> None:
        if len(self._endpoints) == 1:
            ep = self._endpoints[0]
            failures = [await self._deliver(ep, kind, attempt_for(ep), size, profiles, deadline)]
        else:
            failures = await asyncio.gather(
                *(
                    self._deliver(ep, kind, attempt_for(ep), size, profiles, deadline)
                    for ep in self._endpoints
                )
            )
        failed = [f for f in failures if f is not None]
        if not failed:
            return
        text = "\n".join(f.text for f in failed)
        for f in failed:
            if f.status is not None:
                raise WriteStatusError(f.status, text)
        raise WriteError(text)

    async def _deliver(
        self,
        ep: _EndpointRuntime,
        kind: str,
        attempt: Callable[[float], Awaitable[None]],
        size: int,
        profiles: int,
        deadline: float | None,
    ) -> _Failure | None:
        """One endpoint's retry loop; returns its final failure, counted and logged once."""
        start = time.monotonic()
        backoff = Backoff(ep.min_backoff, ep.max_backoff, ep.args.max_backoff_retries)
        latency_type = PUSH_ENDPOINT if kind == "push" else INGEST_ENDPOINT
        error: _AttemptFailed
        try:
            while True:
                budget = ep.remote_timeout
                if deadline is not None:
                    budget = min(budget, deadline - time.monotonic())
                    if budget <= 0:
                        error = _AttemptFailed("the caller's deadline has passed", False)
                        break
                try:
                    async with asyncio.timeout(budget):
                        await attempt(budget)
                except _AttemptFailed as err:
                    error = err
                except TimeoutError:
                    prefix = _code_prefix(kind, "deadline_exceeded")
                    error = _AttemptFailed(prefix + "context deadline exceeded", True)
                except ClientError as err:
                    error = _AttemptFailed(_code_prefix(kind, "unknown") + str(err), True)
                except Exception as err:  # noqa: BLE001 - any failure must be counted once
                    # Go's client reports such errors as connect "unknown" (retried).
                    error = _AttemptFailed(_code_prefix(kind, "unknown") + _describe(err), True)
                else:
                    ep.m.sent_bytes.inc(size)
                    ep.m.sent_profiles.inc(profiles)
                    return None
                if not error.retryable or backoff.exhausted_after_failure():
                    break
                delay = backoff.next_delay()
                if error.retry_after is not None:
                    delay = min(max(delay, error.retry_after), ep.max_backoff)
                if deadline is not None and time.monotonic() + delay >= deadline:
                    error = _AttemptFailed(
                        f"{error} (no retry: the next attempt would start after the caller's "
                        "deadline)",
                        False,
                        error.status,
                    )
                    break
                await _sleep(delay)
                ep.m.retries.inc()
        except asyncio.CancelledError:
            self._drop(ep, kind, size, profiles, backoff.retries, "canceled by the caller")
            raise
        finally:
            ep.m.latency[latency_type].observe(time.monotonic() - start)
        text = self._drop(ep, kind, size, profiles, backoff.retries, str(error))
        return _Failure(text, error.status)

    def _drop(
        self, ep: _EndpointRuntime, kind: str, size: int, profiles: int, retries: int, cause: str
    ) -> str:
        ep.m.dropped_bytes.inc(size)
        ep.m.dropped_profiles.inc(profiles)
        text = f"failed to {kind} to endpoint {ep.display_url} ({retries} retries): {cause}"
        _log(
            self._logger,
            logging.ERROR,
            "final error sending profiles to endpoint",
            endpoint=ep.display_url,
            path=kind,
            retries=retries,
            err=cause,
        )
        return text


def _remember(cache: dict[Labels, Any], key: Labels, value: Any) -> None:
    if len(cache) >= _TARGET_CACHE_SIZE:
        cache.clear()
    cache[key] = value


async def _auth_header(ep: _EndpointRuntime) -> bytes | None:
    auth = ep.client.auth
    return auth.header() if auth.oauth2 is None else await auth.oauth2.header()


def _code_prefix(kind: str, code: str) -> str:
    """Push errors read like connect-go's ("unavailable: ..."); ingest errors are plain."""
    return f"{code}: " if kind == "push" else ""


def _retry_after(resp: Response) -> float | None:
    if resp.status not in (429, 503):
        return None
    return parse_retry_after(resp.header(b"retry-after"))


def _describe(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    if isinstance(err, httpcore.ConnectError | ConnectionRefusedError) and "refused" not in text:
        text = f"connection failed: {text}"
    return text


# -------------------------------------------------------------------- component


class PyroscopeWrite:
    """The running component: owns the current receiver and retires old ones."""

    def __init__(self, options: ComponentOptions, args: Arguments) -> None:
        self._options = options
        self._metrics = WriteMetrics(options.registry)
        self._alloy_id = str(options.extra.get("alloy_id") or _PROCESS_ID)
        self._retired: set[asyncio.Task[None]] = set()
        self._receiver = self._build(args)
        options.on_state_change({"receiver": self._receiver})

    @property
    def receiver(self) -> WriteReceiver:
        return self._receiver

    def _build(self, args: Arguments) -> WriteReceiver:
        return WriteReceiver(args, self._metrics, self._options.logger, self._alloy_id)

    async def run(self) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            await self._receiver.close()

    async def update(self, arguments: Arguments) -> None:
        """Alloy builds new clients and exports a new receiver on every update; calls
        already running on the old one finish on its connections."""
        old = self._receiver
        self._receiver = self._build(arguments)
        self._options.on_state_change({"receiver": self._receiver})
        task = asyncio.get_running_loop().create_task(old.close())
        self._retired.add(task)
        task.add_done_callback(self._retired.discard)
