"""One endpoint of pyroscope.write: its fixed request parts, caches and retry loop.

Everything that can be computed once per (re)configuration is: the push target
and headers, and (cached per distinct SDK request shape) the rebuilt ingest
target and headers. `deliver` runs one profile's attempts against this endpoint
until it succeeds, retries run out or the caller's deadline would pass, and
counts the outcome once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from alloylite._version import __version__
from alloylite.components.pyroscope.connect import parse_error
from alloylite.components.pyroscope.forward_headers import headers_for as forwarded_headers
from alloylite.components.pyroscope.memo import Memo
from alloylite.components.pyroscope.push import CONTENT_TYPE_PROTO, PUSH_PATH
from alloylite.components.pyroscope.tenant import headers_for as tenant_headers
from alloylite.components.pyroscope.write.arguments import Endpoint
from alloylite.components.pyroscope.write.backoff import Backoff, parse_retry_after
from alloylite.components.pyroscope.write.client import EndpointClient, Response
from alloylite.components.pyroscope.write.metrics import (
    INGEST_DOWNSTREAM,
    INGEST_ENDPOINT,
    PUSH_DOWNSTREAM,
    PUSH_ENDPOINT,
    WriteMetrics,
)
from alloylite.components.pyroscope.write.retry import classify, describe
from alloylite.components.pyroscope.write.target import Target, target_of
from alloylite.components.pyroscope.write.urls import ingest_query, join_path, quoted_path
from alloylite.runtime.component import ComponentLogger
from alloylite.runtime.url_password import redact_url

_ERROR_MESSAGE_LIMIT = 2048
# Retry sleeps go through this name so tests can observe the chosen delays.
_sleep = asyncio.sleep

Headers = list[tuple[bytes, bytes]]
# One attempt, given the seconds it may take.
Attempt = Callable[[float], Awaitable[None]]


class AttemptFailed(Exception):
    """One attempt failed; `retryable` says whether another may follow."""

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
class Delivery:
    """How one endpoint's retry loop ended: the endpoint (password redacted), the retries,
    and, when it finally failed, the text to report and the ingest status, if any."""

    endpoint: str
    retries: int
    text: str | None = None
    status: int | None = None


def user_agent() -> str:
    os_name = {"win32": "windows", "cygwin": "windows"}.get(sys.platform, sys.platform)
    mode = os.environ.get("ALLOY_DEPLOY_MODE", "") or "binary"
    return f"Alloy/v{__version__} ({os_name}; {mode})"


def _log(logger: ComponentLogger, level: int, msg: str, **kv: object) -> None:
    """Log through the runtime's key/value logger, or a plain logger as text."""
    if hasattr(logger, "with_values"):
        cast(Any, logger).log(level, msg, kv=kv)  # runtime/logging.py's KVAdapter
    else:
        logger.log(level, "%s %s", msg, " ".join(f"{k}={v!r}" for k, v in kv.items()))


def _code_prefix(kind: str, code: str) -> str:
    """Push errors read like connect-go's ("unavailable: ..."); ingest errors are plain."""
    return f"{code}: " if kind == "push" and code else ""


def _retry_after(resp: Response) -> float | None:
    if resp.status not in (429, 503):
        return None
    return parse_retry_after(resp.header(b"retry-after"))


class EndpointRuntime:
    """One endpoint's fixed request parts, computed once per (re)configuration."""

    def __init__(
        self, ep: Endpoint, alloy_id: str, metrics: WriteMetrics, logger: ComponentLogger
    ) -> None:
        self.args = ep
        self.display_url = redact_url(ep.url)
        self.m = metrics.for_endpoint(self.display_url)
        self._logger = logger
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
            quoted_path(base_path.rstrip("/") + PUSH_PATH).encode("ascii"),
        )
        self._base_path = base_path
        self._joined_paths: dict[str, str] = {}
        user_headers = {**ep.headers, "X-Alloy-Id": alloy_id}
        custom = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in user_headers.items()]
        lower = {k.lower() for k in user_headers}
        push: Headers = [
            (k, v)
            for k, v in (
                (b"User-Agent", user_agent().encode()),
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
        # Rebuilt ingest targets and header lists: one entry per distinct SDK query or
        # Content-Type set, not per request; within a byte budget (memo.py).
        self._targets: Memo[tuple[str, str], Target] = Memo()
        self._headers: Memo[tuple[str, ...], Headers] = Memo()

    # -- request parts

    def ingest_target(self, incoming_url: str, name: str) -> Target:
        """The upstream target for an /ingest request. An SDK sends the same path,
        query and name on every upload, so the rebuilt target is cached (bounded)."""
        key = (incoming_url, name)
        target = self._targets.get(key)
        if target is None:
            target = self._build_ingest_target(incoming_url, name)
            self._targets.put(key, target, 2 * (len(incoming_url) + len(name)))
        return target

    def _build_ingest_target(self, incoming_url: str, name: str) -> Target:
        path, _, query = incoming_url.partition("?")
        joined = self._joined_paths.get(path)
        if joined is None:
            joined = join_path(self._base_path, path)
            if len(self._joined_paths) < 64:
                self._joined_paths[path] = joined
        return Target(
            self._base.scheme,
            self._base.host,
            self._base.port,
            f"{joined}?{ingest_query(query, name)}".encode(),
        )

    def ingest_headers(self, content_type: tuple[str, ...]) -> Headers:
        # Cached per Content-Type set; callers copy before adding to the list.
        headers = self._headers.get(content_type)
        if headers is None:
            headers = self._build_ingest_headers(content_type)
            self._headers.put(content_type, headers, 2 * sum(map(len, content_type)))
        return headers

    def _build_ingest_headers(self, content_type: tuple[str, ...]) -> Headers:
        headers = self._ingest_custom
        if content_type:
            headers = [(k, v) for k, v in headers if k.lower() != b"content-type"]
            headers += [(b"Content-Type", v.encode("latin-1")) for v in content_type]
        if not self._ingest_has_ua:
            headers = [(b"User-Agent", b"Go-http-client/1.1"), *headers]
        return headers + self._ingest_extra if self._ingest_extra else headers

    async def _auth_header(self) -> bytes | None:
        auth = self.client.auth
        return auth.header() if auth.oauth2 is None else await auth.oauth2.header()

    async def _with_auth(
        self, headers: Headers, carried: Mapping[str, str] | None
    ) -> list[tuple[bytes, bytes]]:
        """The headers with the profile's forwarded ones (forward_headers.py), then this
        endpoint's credentials, which replace a forwarded Authorization."""
        auth = await self._auth_header()
        if carried:
            names = self.args.forward_headers
            if auth is not None:
                names = [n for n in names if n.lower() != "authorization"]
            headers = forwarded_headers(list(headers), names, carried)
        return list(headers) if auth is None else [*headers, (b"Authorization", auth)]

    # -- one attempt

    async def push_once(
        self,
        body: bytes,
        budget: float,
        tenant: str | None = None,
        carried: Mapping[str, str] | None = None,
    ) -> None:
        headers = list(tenant_headers(self.push_headers, tenant, self.args.tenant_from_label))
        headers.append((b"Connect-Timeout-Ms", str(max(1, int(budget * 1000))).encode()))
        headers = await self._with_auth(headers, carried)
        start = time.monotonic()
        try:
            resp = await self.client.post(self.push_target, headers, body, budget)
        finally:
            self.m.latency[PUSH_DOWNSTREAM].observe(time.monotonic() - start)
        if resp.status == 200:
            return
        code, message = parse_error(resp.status, resp.body, resp.header(b"content-type"))
        verdict = classify(code, self.args.retry_on_http_429)
        raise AttemptFailed(f"{code}: {message}", verdict.retry, retry_after=_retry_after(resp))

    async def ingest_once(
        self,
        target: Target,
        headers: Headers,
        body: bytes,
        budget: float,
        tenant: str | None = None,
        carried: Mapping[str, str] | None = None,
    ) -> None:
        headers = tenant_headers(headers, tenant, self.args.tenant_from_label)
        headers = await self._with_auth(headers, carried)
        start = time.monotonic()
        try:
            resp = await self.client.post(target, headers, body, budget)
        finally:
            self.m.latency[INGEST_DOWNSTREAM].observe(time.monotonic() - start)
        if resp.status == 200:
            return
        status = resp.status
        text = resp.body[:_ERROR_MESSAGE_LIMIT].decode("utf-8", "replace")
        raise AttemptFailed(
            f"remote error: pyroscope write error: status={status} msg={text}",
            classify(status, self.args.retry_on_http_429).retry,
            status=status,
            retry_after=_retry_after(resp),
        )

    # -- the retry loop

    async def deliver(
        self, kind: str, attempt: Attempt, size: int, profiles: int, deadline: float | None
    ) -> Delivery:
        """This endpoint's retry loop; a final failure is counted and logged once."""
        start = time.monotonic()
        backoff = Backoff(self.min_backoff, self.max_backoff, self.args.max_backoff_retries)
        latency_type = PUSH_ENDPOINT if kind == "push" else INGEST_ENDPOINT
        error: AttemptFailed
        # Retries actually made (pyroscope_write_retries_total); `backoff.retries`
        # counts failed attempts, the last one included, as Alloy's error text does.
        retried = 0
        try:
            while True:
                budget = self.remote_timeout
                if deadline is not None:
                    budget = min(budget, deadline - time.monotonic())
                    if budget <= 0:
                        error = AttemptFailed("the caller's deadline has passed", False)
                        break
                try:
                    async with asyncio.timeout(budget):
                        await attempt(budget)
                except AttemptFailed as err:
                    error = err
                except Exception as err:  # noqa: BLE001 - any failure must be counted once
                    verdict = classify(err, self.args.retry_on_http_429)
                    error = AttemptFailed(
                        _code_prefix(kind, verdict.code) + describe(err), verdict.retry
                    )
                else:
                    self.m.sent_bytes.inc(size)
                    self.m.sent_profiles.inc(profiles)
                    return Delivery(self.display_url, retried)
                if not error.retryable or backoff.exhausted_after_failure():
                    break
                delay = backoff.next_delay()
                if error.retry_after is not None:
                    delay = min(max(delay, error.retry_after), self.max_backoff)
                if deadline is not None and time.monotonic() + delay >= deadline:
                    error = AttemptFailed(
                        f"{error} (no retry: the next attempt would start after the caller's "
                        "deadline)",
                        False,
                        error.status,
                    )
                    break
                await _sleep(delay)
                self.m.retries.inc()
                retried += 1
        except asyncio.CancelledError:
            self.drop(kind, size, profiles, backoff.retries, retried, "canceled by the caller")
            raise
        finally:
            self.m.latency[latency_type].observe(time.monotonic() - start)
        text = self.drop(kind, size, profiles, backoff.retries, retried, str(error))
        return Delivery(self.display_url, retried, text, error.status)

    def drop(
        self, kind: str, size: int, profiles: int, attempts: int, retried: int, cause: str
    ) -> str:
        """Count and log a profile this endpoint will not get; returns the error text.

        The log's `retries` is the retries made, as pyroscope_write_retries_total counts
        them; the error keeps Alloy's "(N retries)", where N counts failed attempts."""
        self.m.dropped_bytes.inc(size)
        self.m.dropped_profiles.inc(profiles)
        _log(
            self._logger,
            logging.ERROR,
            "final error sending profiles to endpoint",
            endpoint=self.display_url,
            path=kind,
            retries=retried,
            err=cause,
        )
        return f"failed to {kind} to endpoint {self.display_url} ({attempts} retries): {cause}"
