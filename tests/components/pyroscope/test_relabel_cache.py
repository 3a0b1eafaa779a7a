"""The relabel cache: LRU by entries, and bounded by the bytes of label text it holds."""

from __future__ import annotations

from alloylite.components.pyroscope.relabel.cache import MAX_CACHED_SET_BYTES, RelabelCache


def labels(i: int, size: int = 100) -> tuple[tuple[str, str], ...]:
    return (("service_name", f"{i:06d}" + "x" * (size - 18)),)


def test_least_recently_used_entries_go_first() -> None:
    cache = RelabelCache(2)
    cache.insert(labels(1), labels(1))
    cache.insert(labels(2), None)
    assert cache.lookup(labels(1)) == (True, labels(1))  # refreshes 1
    cache.insert(labels(3), labels(3))
    assert cache.lookup(labels(2)) == (False, None)
    assert cache.lookup(labels(1))[0] and cache.lookup(labels(3))[0]


def test_bytes_stay_under_the_budget_whatever_the_entry_count() -> None:
    cache = RelabelCache(10_000, max_bytes=10_000)
    for i in range(1_000):
        cache.insert(labels(i), labels(i))  # 200 bytes an entry
    assert cache.bytes <= 10_000
    assert len(cache) == 10_000 // 200
    assert cache.lookup(labels(999))[0]  # the newest are kept


def test_a_drop_counts_only_its_input_and_replacing_an_entry_does_not_leak() -> None:
    cache = RelabelCache(10)
    cache.insert(labels(1), None)
    assert cache.bytes == 100
    cache.insert(labels(1), labels(1))
    assert cache.bytes == 200
    cache.purge()
    assert cache.bytes == 0 and len(cache) == 0


def test_huge_label_sets_are_never_cached() -> None:
    cache = RelabelCache(10)
    cache.insert(labels(1, MAX_CACHED_SET_BYTES + 100), None)
    assert len(cache) == 0 and cache.bytes == 0
