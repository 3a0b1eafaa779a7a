"""Alloy's Fanout and its two metrics (spec alloy-profiling-components.md §1.8, §2.4;
alloy-pyroscope.md "Fanout"): children in order, errors joined, latency observed on both
paths, samples counted only for push forwards every child accepted; one set of metrics per
component registry."""

from __future__ import annotations

import asyncio
import logging

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from alloylite.components.common.rule_block import RuleBlock
from alloylite.components.pyroscope.appendable import IncomingProfile, RawSample
from alloylite.components.pyroscope.enrich import Arguments as EnrichArguments
from alloylite.components.pyroscope.enrich.component import PyroscopeEnrich
from alloylite.components.pyroscope.fanout import Fanout, ForwardError
from alloylite.components.pyroscope.relabel import Arguments as RelabelArguments
from alloylite.components.pyroscope.relabel.component import PyroscopeRelabel
from alloylite.runtime.component import ComponentOptions
from tests.components.pyroscope.recorder import Recorder

LABELS = (("service_name", "api"),)
SAMPLES = [RawSample("a", b"x"), RawSample("b", b"y")]
PROFILE = IncomingProfile(b"body", ("binary/octet-stream",), "/ingest?name=api", LABELS)


def value(registry: CollectorRegistry, name: str) -> float:
    found = registry.get_sample_value(name)
    return 0.0 if found is None else found


def forwarded(registry: CollectorRegistry) -> float:
    return value(registry, "pyroscope_forwarded_entries_total")


def observed(registry: CollectorRegistry) -> float:
    return value(registry, "pyroscope_fanout_latency_count")


def test_a_push_every_child_accepts_counts_its_samples() -> None:
    registry = CollectorRegistry()
    first, second = Recorder(), Recorder()
    asyncio.run(Fanout(registry, [first, second]).append(LABELS, SAMPLES))
    assert first.pushed == second.pushed == [LABELS]
    assert forwarded(registry) == 2  # samples, not profiles
    assert observed(registry) == 1


def test_a_failing_child_counts_nothing_but_every_child_is_called() -> None:
    registry = CollectorRegistry()
    bad, good = Recorder(fail=RuntimeError("down")), Recorder()
    with pytest.raises(RuntimeError, match="down"):
        asyncio.run(Fanout(registry, [bad, good]).append(LABELS, SAMPLES))
    assert good.pushed == [LABELS]
    assert forwarded(registry) == 0
    assert observed(registry) == 1  # the latency is observed on failure too


def test_two_failures_are_joined_one_a_line() -> None:
    fanout = Fanout(None, [Recorder(fail=RuntimeError("a")), Recorder(fail=ValueError("b"))])
    with pytest.raises(ForwardError, match="^a\nb$"):
        asyncio.run(fanout.append(LABELS, SAMPLES))


def test_ingest_forwards_are_timed_but_not_counted() -> None:
    registry = CollectorRegistry()
    sink = Recorder()
    asyncio.run(Fanout(registry, [sink]).append_ingest(PROFILE))
    assert sink.ingested == [PROFILE]
    assert observed(registry) == 1
    assert forwarded(registry) == 0


def test_new_children_take_effect_on_the_next_forward() -> None:
    old, new = Recorder(), Recorder()
    fanout = Fanout(None, [old])
    asyncio.run(fanout.append(LABELS, SAMPLES))
    fanout.children = (new,)
    asyncio.run(fanout.append(LABELS, SAMPLES))
    assert (len(old.pushes), len(new.pushes)) == (1, 1)


def test_histogram_has_go_default_buckets_and_alloy_help() -> None:
    registry = CollectorRegistry()
    Fanout(registry)
    text = generate_latest(registry).decode()
    assert "# HELP pyroscope_fanout_latency Write latency for sending to pyroscope profiles" in text
    assert (
        "# HELP pyroscope_forwarded_entries_total "
        "Total number of samples sent to downstream components." in text
    )
    bounds = [
        line.split('le="')[1].split('"')[0]
        for line in text.splitlines()
        if line.startswith("pyroscope_fanout_latency_bucket")
    ]
    assert bounds == [
        "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0",
        "+Inf",
    ]  # fmt: skip


def test_metrics_are_per_component_and_survive_a_rebuild() -> None:
    """Each component registry holds its own pair; a component re-created in the same
    registry (a reload that rebuilds it) keeps counting in the same series."""
    one, two = CollectorRegistry(), CollectorRegistry()
    asyncio.run(Fanout(one, [Recorder()]).append(LABELS, SAMPLES))
    asyncio.run(Fanout(two, [Recorder()]).append(LABELS, SAMPLES[:1]))
    assert (forwarded(one), forwarded(two)) == (2, 1)
    asyncio.run(Fanout(one, [Recorder()]).append(LABELS, SAMPLES))
    assert forwarded(one) == 4


def _options(registry: CollectorRegistry) -> ComponentOptions:
    return ComponentOptions(
        id="test", logger=logging.getLogger("test"), on_state_change=lambda _: None,
        registry=registry,
    )  # fmt: skip


def test_relabel_forwards_through_its_fanout_and_a_drop_is_not_forwarded() -> None:
    registry = CollectorRegistry()
    drop = RuleBlock(source_labels=["service_name"], regex="noisy", action="drop")
    relabel = PyroscopeRelabel(
        _options(registry), RelabelArguments(forward_to=[Recorder()], rule=[drop])
    )

    async def main() -> None:
        await relabel.receiver.append(LABELS, SAMPLES)
        await relabel.receiver.append((("service_name", "noisy"),), SAMPLES)
        await relabel.receiver.append_ingest(PROFILE)

    asyncio.run(main())
    assert forwarded(registry) == 2  # the kept push only
    assert observed(registry) == 2  # the kept push and the ingest; the drop never forwards


def test_enrich_forwards_through_its_fanout() -> None:
    registry = CollectorRegistry()
    sink = Recorder()
    args = EnrichArguments(targets=[], target_match_label="service_name", forward_to=[sink])
    enrich = PyroscopeEnrich(_options(registry), args)
    asyncio.run(enrich.receiver.append(LABELS, SAMPLES))
    assert forwarded(registry) == 2
