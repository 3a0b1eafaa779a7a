"""Retry pacing for pyroscope.write: dskit's jittered backoff plus `Retry-After`.

dskit draws each sleep uniformly from [d, 2d) and doubles d, capping both ends
at the maximum, so the ranges run [min, 2min), [2min, 4min), ... until they stop
at [max/2-ish, max). `max_backoff_retries` counts attempts: after the k-th failed
attempt the counter is k and the loop ends without sleeping once k reaches it.
"""

from __future__ import annotations

import random
import time
from email.utils import parsedate_to_datetime


class Backoff:
    """One endpoint's retry counter and delay range for one Append call."""

    __slots__ = ("_max", "_max_retries", "_next_max", "_next_min", "retries")

    def __init__(self, min_period: float, max_period: float, max_retries: int) -> None:
        self._max = max_period
        self._max_retries = max_retries
        self._next_min = min_period
        self._next_max = min(2 * min_period, max_period)
        self.retries = 0

    def exhausted_after_failure(self) -> bool:
        """Count a failed attempt; True when no attempt may follow (0 = unlimited)."""
        self.retries += 1
        return self._max_retries > 0 and self.retries >= self._max_retries

    def next_delay(self) -> float:
        """The next sleep in seconds, jittered in [d, 2d)."""
        low, high = self._next_min, self._next_max
        if low >= self._max or high <= low:
            delay = min(max(low, high), self._max)
        else:
            delay = low + random.random() * (high - low)
        if self._next_max < self._max:
            self._next_min = min(2 * self._next_min, self._max)
            self._next_max = min(2 * self._next_max, self._max)
        return delay


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    wall = time.time() if now is None else now
    return max(0.0, when.timestamp() - wall)
