"""One component's live-debugging channel: `options.live` in a component.

Components call it on their hot path, so every publishing method returns at once
while live debugging is disabled and allocates nothing; the buffers exist only
once something was published while enabled, and are freed when it is disabled.
When enabled, each line is serialized once (JSON) and shared by every viewer;
a viewer that does not keep up loses lines (counted), the pipeline never waits.

Errors (the last few per component, with time, endpoint and status) are kept
whether or not live debugging is on: they are few and small, and "why was this
dropped" should not need a restart to answer.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from alloylite.runtime.header_labels import shown_value
from alloylite.runtime.live.ring import Ring

if TYPE_CHECKING:
    from alloylite.runtime.live.hub import Limits

Labels = Collection[tuple[str, str]]


class Sample(Protocol):
    """A push-API sample as components hold it (appendable.RawSample)."""

    @property
    def id(self) -> str: ...
    @property
    def raw_profile(self) -> bytes: ...


class Ingested(Protocol):
    """An `/ingest` request as components hold it (appendable.IncomingProfile)."""

    @property
    def raw_body(self) -> bytes: ...
    @property
    def content_type(self) -> tuple[str, ...]: ...
    @property
    def url(self) -> str: ...
    @property
    def labels(self) -> Labels: ...


@dataclass(frozen=True, slots=True)
class StoredProfile:
    """A profile body kept for the flame graph, with what is needed to tell its format."""

    body: bytes
    content_type: tuple[str, ...]
    url: str  # "" for a push sample (always pprof)


def timestamp(now: float) -> str:
    ts = datetime.fromtimestamp(now, UTC)
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def labels_text(labels: Iterable[tuple[str, str]]) -> str:
    """`{a="1", b="2"}`, the way Prometheus prints a label set; forwarded headers hidden."""
    return (
        "{"
        + ", ".join(f"{k}={json.dumps(shown_value(k, v), ensure_ascii=False)}" for k, v in labels)
        + "}"
    )


class Subscription:
    """One viewer: a bounded queue of serialized lines and the count of lines it lost."""

    def __init__(self, capacity: int) -> None:
        self.lines: deque[str] = deque()
        self.capacity = capacity
        self.dropped = 0
        self.closed = False
        self.ready = asyncio.Event()

    def push(self, line: str) -> None:
        if len(self.lines) >= self.capacity:
            self.dropped += 1
            return
        self.lines.append(line)
        self.ready.set()

    def close(self) -> None:
        self.closed = True
        self.ready.set()

    def take(self) -> tuple[list[str], int]:
        """The queued lines and the number lost since the last call."""
        lines, self.lines = list(self.lines), deque()
        dropped, self.dropped = self.dropped, 0
        self.ready.clear()
        return lines, dropped


@dataclass(frozen=True, slots=True)
class ErrorEntry:
    time: str
    endpoint: str
    status: str
    message: str


class LiveChannel:
    """What one component publishes through; cheap to hold, empty until used."""

    def __init__(self, component_id: str, limits: Limits) -> None:
        self.component_id = component_id
        self.enabled = False
        self._limits = limits
        self._seq = 0
        self._lines: Ring[str] | None = None
        self._profiles: Ring[StoredProfile] | None = None
        self._subscribers: set[Subscription] = set()
        self._errors: deque[ErrorEntry] = deque(maxlen=limits.errors)

    # ---------------------------------------------------------------- publishing

    def samples(self, direction: str, labels: Labels, samples: Sequence[Sample], **kw: str) -> None:
        """One line per push-API sample (kw: `outcome`)."""
        if not self.enabled:
            return
        for sample in samples:
            body = sample.raw_profile
            stored = StoredProfile(body, (), "")
            self.profile(direction, labels, len(body), sample_id=sample.id, stored=stored, **kw)

    def ingest(
        self, direction: str, profile: Ingested, labels: Labels | None = None, **kw: str
    ) -> None:
        """One line for an `/ingest` request (`labels` shows others than the request's;
        kw: `outcome`)."""
        if not self.enabled:
            return
        body = profile.raw_body
        stored = StoredProfile(body, profile.content_type, profile.url)
        shown = profile.labels if labels is None else labels
        self.profile(direction, shown, len(body), stored=stored, **kw)

    def profile(
        self,
        direction: str,
        labels: Labels,
        size: int,
        *,
        outcome: str = "",
        sample_id: str = "",
        stored: StoredProfile | None = None,
    ) -> None:
        """One line for one profile: its labels (as sent), type, size, ID and outcome."""
        if not self.enabled:
            return
        seq = self._next()
        kept = None
        if stored is not None and self._profile_ring().add(seq, stored, len(stored.body)):
            kept = seq
        profile_type = next((v for k, v in labels if k == "__name__"), "")
        text = f"{direction} {labels_text(labels)} {profile_type or '-'} {size} B"
        if sample_id:
            text += f" id={sample_id}"
        if outcome:
            text += f" {outcome}"
        line = {
            "direction": direction,
            "labels": dict(labels),
            "profile_type": profile_type,
            "size": size,
            "sample_id": sample_id,
            "outcome": outcome,
            "profile": kept,
        }
        self._emit(seq, text, line)

    def target(self, before: Labels, after: Labels | None) -> None:
        """A discovery target: `<input labels> => <output labels>` (Alloy's discovery format)."""
        if not self.enabled:
            return
        out = labels_text(after) if after is not None else "dropped"
        text = f"{labels_text(before)} => {out}"
        line = {
            "direction": "target",
            "labels": dict(before),
            "output": None if after is None else dict(after),
        }
        self._emit(self._next(), text, line)

    def error(
        self, endpoint: str, status: int | str | None, message: str | Sequence[BaseException]
    ) -> None:
        """Remember a failure (always, even when live debugging is off); `message` may be
        the errors a fan-out collected, joined here so the caller stays one line."""
        if not isinstance(message, str):
            message = "; ".join(str(e) or repr(e) for e in message)
        status_text = "" if status is None else str(status)
        entry = ErrorEntry(timestamp(time.time()), endpoint, status_text, message[:1024])
        self._errors.append(entry)

    # ---------------------------------------------------------------- viewing

    def subscribe(self) -> Subscription:
        sub = Subscription(self._limits.viewer_queue)
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subscribers.discard(sub)

    def recent(self) -> list[str]:
        return list(self._lines.values()) if self._lines is not None else []

    def stored_profile(self, seq: int) -> StoredProfile | None:
        return self._profiles.get(seq) if self._profiles is not None else None

    def errors(self) -> list[dict[str, Any]]:
        return [
            {"time": e.time, "endpoint": e.endpoint, "status": e.status, "message": e.message}
            for e in reversed(self._errors)
        ]

    def memory(self) -> int:
        """Bytes held by the live buffers (0 until something was published while enabled)."""
        lines = self._lines.bytes if self._lines is not None else 0
        return lines + (self._profiles.bytes if self._profiles is not None else 0)

    def set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        if not enabled:
            self._lines = self._profiles = None
            for sub in self._subscribers:
                sub.close()
            self._subscribers.clear()

    # ---------------------------------------------------------------- internals

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def _profile_ring(self) -> Ring[StoredProfile]:
        if self._profiles is None:
            self._profiles = Ring(self._limits.profiles, self._limits.profile_bytes)
        return self._profiles

    def _emit(self, seq: int, text: str, fields: dict[str, Any]) -> None:
        now = timestamp(time.time())
        record = {"seq": seq, "time": now, "component": self.component_id, **fields}
        record["text"] = f"{now} {text}"
        line = json.dumps(record, ensure_ascii=False)
        if self._lines is None:
            self._lines = Ring(self._limits.lines, self._limits.line_bytes)
        self._lines.add(seq, line, len(line))
        for sub in self._subscribers:
            sub.push(line)
