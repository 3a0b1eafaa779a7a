"""The relabel result cache: an LRU keyed by the input label set (spec §2.3).

Keys are the label sets themselves, so two sets can never share an entry (Alloy keys by
fingerprint and keeps a collision list for the same reason). A drop and a "kept but every
label removed" result are cached apart: Alloy caches both as empty, so its second identical
input is dropped although the first was forwarded; here every occurrence behaves as the
first (docs/compatibility.md). Very large label sets are not cached, so an attacker's
label values cannot pin memory past the size bound, and the whole cache is bounded by
bytes as well as by entries (16 MiB of label text at most, whatever `max_cache_size` says).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Final

from alloylite.components.pyroscope.appendable import Labels

# What a cached drop looks like (a kept result is a Labels tuple, possibly empty).
DROPPED: Final = None
# Label sets larger than this (bytes of names and values) are relabelled every time.
MAX_CACHED_SET_BYTES = 16 * 1024
# The label text (inputs and results) the cache holds at most.
MAX_CACHE_BYTES = 16 * 1024 * 1024


class RelabelCache:
    """Relabel results by input label set, least recently used evicted first."""

    def __init__(self, size: int, max_bytes: int = MAX_CACHE_BYTES) -> None:
        self._entries: OrderedDict[Labels, Labels | None] = OrderedDict()
        self._size = size
        self._max_bytes = max_bytes
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, labels: Labels) -> tuple[bool, Labels | None]:
        """(found, result); a hit becomes the most recently used entry."""
        try:
            result = self._entries[labels]
        except KeyError:
            return False, None
        self._entries.move_to_end(labels)
        return True, result

    def insert(self, labels: Labels, result: Labels | None) -> None:
        if self._size <= 0 or _set_bytes(labels) > MAX_CACHED_SET_BYTES:
            return
        old = self._entries.pop(labels, _ABSENT)
        if old is not _ABSENT:
            self._bytes -= _entry_bytes(labels, old)
        self._entries[labels] = result
        self._bytes += _entry_bytes(labels, result)
        self._evict()

    def resize(self, size: int) -> None:
        self._size = size
        self._evict()

    def purge(self) -> None:
        self._entries.clear()
        self._bytes = 0

    @property
    def bytes(self) -> int:
        """Label text held (inputs and results), the figure bounded by `max_bytes`."""
        return self._bytes

    def _evict(self) -> None:
        while self._entries and (
            len(self._entries) > max(self._size, 0) or self._bytes > self._max_bytes
        ):
            labels, result = self._entries.popitem(last=False)
            self._bytes -= _entry_bytes(labels, result)


_ABSENT: Final = object()


def _entry_bytes(labels: Labels, result: Labels | None | object) -> int:
    return _set_bytes(labels) + (_set_bytes(result) if isinstance(result, tuple) else 0)


def _set_bytes(labels: Labels) -> int:
    return sum(len(name) + len(value) for name, value in labels)
