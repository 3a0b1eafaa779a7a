"""A memo of results that repeat, bounded by bytes as well as by entries.

SDKs send the same few label sets, ingest names and Content-Types again and again, so
receive_http and write keep what they derive from them (parsed labels, encoded label
blocks, rebuilt targets and headers). The keys come from requests, so an attacker chooses
them: memos bounded only by their number of entries kept 470 MB of 20 MB label values
after the requests had finished. Here an entry larger than MAX_ITEM_BYTES is never kept
(it is derived again each time, which costs what the request already cost), and a memo is
emptied once its counted bytes would pass its budget. So a memo holds at most its budget
of counted bytes, about three times that in Python objects, whatever the traffic.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

# Entries whose key and value take more than this many bytes are never memoised.
MAX_ITEM_BYTES = 4096
# The default budget of one memo, in counted bytes.
MAX_BYTES = 1 << 20
# What an entry costs besides its text: dict slot, tuples and object headers.
ENTRY_OVERHEAD = 200


class Memo(Generic[K, V]):
    """A dict with a byte budget; emptied when full (cheaper than LRU on a hot path)."""

    __slots__ = ("_budget", "_bytes", "_entries")

    def __init__(self, budget: int = MAX_BYTES) -> None:
        self._entries: dict[K, V] = {}
        self._bytes = 0
        self._budget = budget

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def counted_bytes(self) -> int:
        return self._bytes

    def get(self, key: K) -> V | None:
        return self._entries.get(key)

    def put(self, key: K, value: V, size: int) -> None:
        """Keep `value` for `key`; `size` is the bytes of text the entry holds."""
        if size > MAX_ITEM_BYTES:
            return
        cost = size + ENTRY_OVERHEAD
        if self._bytes + cost > self._budget:
            self._entries.clear()
            self._bytes = 0
        self._entries[key] = value
        self._bytes += cost


def pairs_bytes(pairs: Iterable[tuple[str, str]]) -> int:
    """The text a label set holds (names and values), for `Memo.put`."""
    return sum(len(name) + len(value) for name, value in pairs)
