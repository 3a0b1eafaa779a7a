"""Which failed attempts pyroscope.write retries (spec alloy-pyroscope.md §2.5).

One pure function decides for both paths, so the rules read in one place:
an `/ingest` HTTP status, a push Connect error code, or the exception an
attempt raised goes in; whether to retry, and the Connect code that names the
failure, come out.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpcore

# Connect codes that are retried; resource_exhausted only with retry_on_http_429.
RETRIED_CODES = frozenset(
    {"deadline_exceeded", "unknown", "internal", "unavailable", "data_loss", "aborted"}
)


@dataclass(frozen=True, slots=True)
class Verdict:
    retry: bool
    # The Connect code naming the failure ("" for an HTTP status): push errors
    # are reported as connect-go does, "<code>: <message>".
    code: str


def classify(failure: int | str | BaseException, retry_on_http_429: bool) -> Verdict:
    """An `/ingest` status (int), a push Connect code (str) or an attempt's exception."""
    if isinstance(failure, BaseException):
        if isinstance(failure, httpcore.TimeoutException | TimeoutError):
            return Verdict(True, "deadline_exceeded")
        if isinstance(failure, httpcore.NetworkError | httpcore.ProtocolError | OSError):
            return Verdict(True, "unavailable")
        # Go's client reports any other failure as connect "unknown", which is retried.
        return Verdict(True, "unknown")
    if isinstance(failure, str):
        retry = failure in RETRIED_CODES or (failure == "resource_exhausted" and retry_on_http_429)
        return Verdict(retry, failure)
    retry = failure == 408 or failure >= 500 or (failure == 429 and retry_on_http_429)
    return Verdict(retry, "")


def describe(err: BaseException) -> str:
    """The text of a failed attempt, as Go's client words a refused connection."""
    if isinstance(err, httpcore.TimeoutException | TimeoutError):
        return "context deadline exceeded"
    text = str(err) or type(err).__name__
    if isinstance(err, httpcore.ConnectError | ConnectionRefusedError) and "refused" not in text:
        text = f"connection failed: {text}"
    return text
