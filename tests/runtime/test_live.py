"""The live-debugging hub: nothing kept while disabled, fixed budgets while enabled, a slow
viewer loses lines (counted) instead of slowing the publisher, and the `livedebugging`
block switches it. The browser end to end is tests/ui/test_live_debugging.py."""

from __future__ import annotations

import json

from alloylite.components.pyroscope.appendable import RawSample
from alloylite.runtime.component import Stability
from alloylite.runtime.live.hub import Limits, LiveHub
from alloylite.runtime.live.ring import Ring
from alloylite.runtime.validate import check_text

LABELS = (("__name__", "process_cpu"), ("service_name", "api"))


def _sample(n: int, size: int = 100) -> RawSample:
    return RawSample(id=f"id-{n}", raw_profile=b"p" * size)


def test_a_disabled_channel_keeps_nothing() -> None:
    hub = LiveHub()
    channel = hub.channel("pyroscope.relabel.x")
    channel.samples("in", LABELS, [_sample(1)])
    channel.target((("a", "1"),), (("b", "2"),))
    assert channel.recent() == []
    assert channel.stored_profile(1) is None
    assert hub.memory() == 0


def test_lines_carry_time_direction_labels_type_size_id_and_outcome() -> None:
    hub = LiveHub()
    hub.set_enabled(True)
    channel = hub.channel("pyroscope.relabel.x")
    channel.samples("out", LABELS, [_sample(1)], outcome="dropped by rule 2 (action drop)")
    line = json.loads(channel.recent()[0])
    assert line["direction"] == "out"
    assert line["labels"] == dict(LABELS)
    assert line["profile_type"] == "process_cpu"
    assert line["size"] == 100
    assert line["sample_id"] == "id-1"
    assert line["outcome"] == "dropped by rule 2 (action drop)"
    assert line["text"].endswith(
        'out {__name__="process_cpu", service_name="api"} process_cpu 100 B id=id-1 '
        "dropped by rule 2 (action drop)"
    )
    stored = channel.stored_profile(line["profile"])
    assert stored is not None and stored.body == b"p" * 100


def test_discovery_targets_read_input_then_output() -> None:
    hub = LiveHub()
    hub.set_enabled(True)
    channel = hub.channel("discovery.relabel.x")
    channel.target((("__address__", "a:1"),), (("instance", "a"),))
    channel.target((("__address__", "b:1"),), None)
    texts = [json.loads(line)["text"].split(" ", 1)[1] for line in channel.recent()]
    assert texts == ['{__address__="a:1"} => {instance="a"}', '{__address__="b:1"} => dropped']


def test_buffers_are_bounded_by_entries_and_bytes() -> None:
    limits = Limits(lines=5, line_bytes=10_000, profiles=100, profile_bytes=1_000)
    hub = LiveHub(limits)
    hub.set_enabled(True)
    channel = hub.channel("c")
    for n in range(50):
        channel.samples("in", LABELS, [_sample(n, 300)])
    assert len(channel.recent()) == 5
    assert channel.memory() <= limits.line_bytes + limits.profile_bytes
    kept = [json.loads(line)["profile"] for line in channel.recent()]
    assert [channel.stored_profile(seq) is not None for seq in kept] == [False, False] + [True] * 3
    channel.samples("in", LABELS, [_sample(99, 5_000)])  # larger than the whole budget
    assert json.loads(channel.recent()[-1])["profile"] is None


def test_ring_evicts_oldest_first() -> None:
    ring: Ring[str] = Ring(max_entries=3, max_bytes=10)
    assert ring.add(1, "a", 4) and ring.add(2, "b", 4) and ring.add(3, "c", 4)
    assert list(ring.values()) == ["b", "c"] and ring.bytes == 8
    assert not ring.add(4, "huge", 11)


def test_a_slow_viewer_loses_lines_and_is_told_how_many() -> None:
    hub = LiveHub(Limits(viewer_queue=10))
    hub.set_enabled(True)
    channel = hub.channel("c")
    viewer = channel.subscribe()
    for n in range(25):
        channel.samples("in", LABELS, [_sample(n)])
    lines, dropped = viewer.take()
    assert (len(lines), dropped) == (10, 15)
    assert viewer.take() == ([], 0)


def test_disabling_frees_the_buffers_and_ends_the_viewers() -> None:
    hub = LiveHub()
    hub.set_enabled(True)
    channel = hub.channel("c")
    viewer = channel.subscribe()
    channel.samples("in", LABELS, [_sample(1)])
    assert hub.memory() > 0
    hub.set_enabled(False)
    assert hub.memory() == 0
    assert viewer.closed


def test_errors_are_kept_even_while_disabled_newest_first() -> None:
    hub = LiveHub(Limits(errors=2))
    channel = hub.channel("pyroscope.write.x")
    for status in (500, 503, 400):
        channel.error("http://backend/", status, f"failed with {status}")
    assert [e["status"] for e in channel.errors()] == ["400", "503"]
    assert channel.errors()[0]["endpoint"] == "http://backend/"


def test_the_block_validates_with_alloys_schema() -> None:
    ok = check_text(
        b"livedebugging {\n  enabled = true\n}\n", "c.alloy", Stability.GENERALLY_AVAILABLE
    )
    assert ok.ok, [str(d) for d in ok.diagnostics]
    bad = check_text(
        b'livedebugging "x" {\n  enabled = 1\n}\n', "c.alloy", Stability.GENERALLY_AVAILABLE
    )
    # A labeled block is not the service: Alloy looks it up as a component.
    assert [d.message for d in bad.diagnostics] == [
        'cannot find the definition of component name "livedebugging"'
    ]
    wrong = check_text(
        b"livedebugging {\n  enabled = 1\n}\n", "c.alloy", Stability.GENERALLY_AVAILABLE
    )
    assert [d.message for d in wrong.diagnostics] == ["expected bool, got number"]


def test_forwarded_header_values_are_hidden_in_live_lines() -> None:
    """A header a user chose to forward may be a credential: live lines never show it."""
    from alloylite.runtime.live.channel import labels_text

    text = labels_text([("__header_authorization__", "Bearer s3cr3t"), ("app", "x")])
    assert "s3cr3t" not in text
    assert text == '{__header_authorization__="<hidden>", app="x"}'
