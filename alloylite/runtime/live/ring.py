"""A ring buffer bounded both by entry count and by total bytes.

Live debugging must cost a fixed amount of memory however fast profiles arrive and
however big they are: the oldest entries make room for new ones, and an entry larger
than the whole byte budget is refused rather than evicting everything.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Generic, TypeVar

_T = TypeVar("_T")


class Ring(Generic[_T]):
    """Entries keyed by a sequence number, oldest first."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[int, tuple[_T, int]] = OrderedDict()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def add(self, key: int, item: _T, size: int) -> bool:
        """Keep `item` (evicting the oldest as needed); False when it alone is too big."""
        if size > self.max_bytes or self.max_entries <= 0:
            return False
        while self._items and (
            len(self._items) >= self.max_entries or self.bytes + size > self.max_bytes
        ):
            _, (_, old_size) = self._items.popitem(last=False)
            self.bytes -= old_size
        self._items[key] = (item, size)
        self.bytes += size
        return True

    def get(self, key: int) -> _T | None:
        found = self._items.get(key)
        return None if found is None else found[0]

    def values(self) -> Iterator[_T]:
        return (item for item, _ in self._items.values())

    def clear(self) -> None:
        self._items.clear()
        self.bytes = 0
