"""pyroscope.enrich on its own: the index, the label copy and forwarding (spec §4.3)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from alloylite.components.pyroscope.appendable import IncomingProfile, Labels, RawSample
from alloylite.components.pyroscope.enrich import Arguments
from alloylite.components.pyroscope.enrich.component import PyroscopeEnrich
from alloylite.components.pyroscope.enrich.enrichment import Enrichment
from alloylite.components.pyroscope.fanout import ForwardError
from alloylite.runtime.component import ComponentOptions
from tests.components.pyroscope.recorder import Recorder

TARGETS = [
    {"hostname": "a", "__address__": "10.0.0.1:80", "env": "prod", "team": "x"},
    {"hostname": "b", "__address__": "10.0.0.2:80", "env": "dev"},
    {"__address__": "10.0.0.9:80", "env": "nomatch"},  # no match value: never indexed
    {"hostname": "", "env": "empty"},  # empty match value: never indexed
    {"hostname": "a", "__address__": "10.0.0.3:80", "env": "staging"},  # later one wins
]
SAMPLES = [RawSample("id", b"pprof")]


def labels(**pairs: str) -> Labels:
    return tuple(sorted(pairs.items()))


def test_every_label_of_the_last_matching_target_is_copied_over_the_profiles() -> None:
    enrichment = Enrichment.build(TARGETS, "hostname", "", [])
    got = enrichment.apply(labels(hostname="a", env="local", service_name="api"))
    assert got == labels(hostname="a", __address__="10.0.0.3:80", env="staging", service_name="api")
    assert "" not in enrichment.index and len(enrichment.index) == 2


def test_only_listed_labels_are_copied_and_absent_or_empty_ones_are_skipped() -> None:
    targets = [{"host": "a", "env": "prod", "team": "", "region": "eu"}]
    enrichment = Enrichment.build(targets, "host", "", ["env", "team", "missing"])
    got = enrichment.apply(labels(host="a", team="keep", service_name="api"))
    assert got == labels(host="a", env="prod", team="keep", service_name="api")


def test_profiles_match_label_names_the_profile_side() -> None:
    enrichment = Enrichment.build(TARGETS, "hostname", "node", ["env"])
    assert enrichment.apply(labels(node="b", service_name="api")) == labels(
        node="b", env="dev", service_name="api"
    )
    # The profile's own `hostname` is not looked at once profiles_match_label is set.
    unchanged = labels(hostname="a", service_name="api")
    assert enrichment.apply(unchanged) is unchanged


@pytest.mark.parametrize(
    "profile",
    [labels(service_name="api"), labels(hostname="", service_name="api"), labels(hostname="zz")],
)
def test_a_profile_without_a_match_passes_unchanged(profile: Labels) -> None:
    enrichment = Enrichment.build(TARGETS, "hostname", "", [])
    assert enrichment.apply(profile) is profile


def test_copy_all_with_an_empty_target_value_removes_the_label_as_alloys_builder_does() -> None:
    enrichment = Enrichment.build([{"host": "a", "env": ""}], "host", "", [])
    assert enrichment.apply(labels(host="a", env="prod")) == labels(host="a")


def make(args: Arguments) -> tuple[PyroscopeEnrich, list[dict[str, Any]]]:
    exports: list[dict[str, Any]] = []
    options = ComponentOptions(
        id="pyroscope.enrich.test", logger=logging.getLogger("test"), on_state_change=exports.append
    )
    return PyroscopeEnrich(options, args), exports


def test_push_and_ingest_are_enriched_and_forwarded_to_every_receiver() -> None:
    first, second = Recorder(), Recorder()
    args = Arguments(targets=TARGETS, target_match_label="hostname", forward_to=[first, second])
    component, exports = make(args)
    assert exports == [{"receiver": component.receiver}]
    profile = IncomingProfile(b"body", ("application/octet-stream",), "/ingest?x=1", labels())
    matched = IncomingProfile(b"body", (), "/ingest", labels(hostname="b", __name__="app"))

    async def main() -> None:
        await component.receiver.append(labels(hostname="b", service_name="api"), SAMPLES)
        await component.receiver.append_ingest(profile)
        await component.receiver.append_ingest(matched)

    asyncio.run(main())
    want = labels(hostname="b", __address__="10.0.0.2:80", env="dev", service_name="api")
    for sink in (first, second):
        assert sink.pushed == [want]
        assert sink.ingested[0] is profile  # unmatched: the very same request
        assert sink.ingested[1].labels == labels(
            hostname="b", __address__="10.0.0.2:80", env="dev", __name__="app"
        )
        assert sink.ingested[1].raw_body == b"body"


def test_an_update_replaces_targets_settings_and_forward_to() -> None:
    old, new = Recorder(), Recorder()
    component, exports = make(
        Arguments(targets=TARGETS, target_match_label="hostname", forward_to=[old])
    )
    update = Arguments(
        targets=[{"pod": "p1", "ns": "prod"}],
        target_match_label="pod",
        labels_to_copy=["ns"],
        forward_to=[new],
    )

    async def main() -> None:
        await component.update(update)
        await component.receiver.append(labels(pod="p1", hostname="a"), SAMPLES)

    asyncio.run(main())
    assert old.pushed == []  # Alloy would still send here (its Fanout is never updated)
    assert new.pushed == [labels(pod="p1", hostname="a", ns="prod")]
    assert len(exports) == 1  # the receiver is exported once and stays the same object


def test_every_receiver_is_called_and_errors_are_joined() -> None:
    failing, ok = Recorder(fail=RuntimeError("boom")), Recorder()
    failing2 = Recorder(fail=RuntimeError("bang"))
    component, _ = make(
        Arguments(targets=[], target_match_label="h", forward_to=[failing, ok, failing2])
    )
    with pytest.raises(ForwardError, match="boom\nbang"):
        asyncio.run(component.receiver.append(labels(h="x"), SAMPLES))
    assert ok.pushed == [labels(h="x")]
