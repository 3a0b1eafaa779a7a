"""The contract between profile producers and consumers (Alloy's `pyroscope.Appendable`).

`forward_to` lists hold `Appendable`s. receive_http calls `append` for each
push-API series and `append_ingest` for each `/ingest` request; pyroscope.write
implements both by forwarding to its endpoints. A failure raises an exception;
`WriteStatusError` says a backend answered `/ingest` with a non-200 status,
which receive_http hands back to the SDK as that status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from alloylite.runtime.schema import capsule_type

# A Prometheus-style label set: (name, value) pairs sorted by name, names unique,
# no empty values.
Labels = tuple[tuple[str, str], ...]


def make_labels(pairs: dict[str, str]) -> Labels:
    """A sorted label set from a mapping; empty values mean "absent" (as in Alloy)."""
    return tuple(sorted((k, v) for k, v in pairs.items() if v != ""))


@dataclass(frozen=True, slots=True)
class RawSample:
    """One profile of a push series: its ID and its raw (usually gzipped) pprof bytes."""

    id: str
    raw_profile: bytes


@dataclass(frozen=True, slots=True)
class IncomingProfile:
    """An `/ingest` request as received, forwarded byte for byte.

    `url` is the request path plus its raw query (every parameter kept);
    `content_type` is every Content-Type header value.
    """

    raw_body: bytes
    content_type: tuple[str, ...]
    url: str
    labels: Labels


class WriteStatusError(Exception):
    """A backend answered an `/ingest` forward with a non-200 status (after retries)."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code


@capsule_type("ProfilesReceiver")
@runtime_checkable
class Appendable(Protocol):
    """The value in a `forward_to` list (Alloy's type name: ProfilesReceiver)."""

    async def append(
        self, labels: Labels, samples: list[RawSample], deadline: float | None = None
    ) -> None:
        """Forward one push-API series. `deadline` is a `time.monotonic()` instant
        after which no attempt or retry sleep may start (the caller's timeout)."""

    async def append_ingest(self, profile: IncomingProfile, deadline: float | None = None) -> None:
        """Forward one `/ingest` request."""
