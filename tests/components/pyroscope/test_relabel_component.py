"""pyroscope.relabel on its own: what it forwards, drops and caches (spec §2.2-§2.4)."""

from __future__ import annotations

import asyncio
import logging

import pytest
from prometheus_client import CollectorRegistry, generate_latest

import alloylite
from alloylite.components.common.rule_block import RuleBlock
from alloylite.components.pyroscope.appendable import IncomingProfile, RawSample
from alloylite.components.pyroscope.fanout import ForwardError
from alloylite.components.pyroscope.relabel import Arguments
from alloylite.components.pyroscope.relabel.component import ComponentExitedError, PyroscopeRelabel
from alloylite.runtime.component import ComponentOptions
from tests.components.pyroscope.recorder import Recorder


def make(
    rules: list[RuleBlock], *targets: Recorder, cache: int = 10_000
) -> tuple[PyroscopeRelabel, CollectorRegistry, list[dict[str, object]]]:
    registry = CollectorRegistry()
    exports: list[dict[str, object]] = []
    options = ComponentOptions(
        id="pyroscope.relabel.test",
        logger=logging.getLogger("test"),
        on_state_change=exports.append,
        registry=registry,
    )
    component = PyroscopeRelabel(
        options, Arguments(forward_to=list(targets), rule=rules, max_cache_size=cache)
    )
    return component, registry, exports


def metric(registry: CollectorRegistry, name: str) -> float:
    value = registry.get_sample_value(name)
    assert value is not None, name
    return value


SAMPLES = [RawSample("id", b"pprof")]
DROP_NOISY = RuleBlock(source_labels=["service_name"], regex="noisy", action="drop")


def test_kept_profiles_are_relabelled_and_dropped_ones_succeed_silently() -> None:
    sink = Recorder()
    rename = RuleBlock(source_labels=["service_name"], target_label="app", replacement="x-$1")
    component, registry, _ = make([DROP_NOISY, rename], sink)

    async def main() -> None:
        await component.receiver.append((("service_name", "api"),), SAMPLES)
        await component.receiver.append((("service_name", "noisy"),), SAMPLES)

    asyncio.run(main())
    assert sink.pushed == [(("app", "x-api"), ("service_name", "api"))]
    assert metric(registry, "pyroscope_relabel_profiles_processed") == 2
    assert metric(registry, "pyroscope_relabel_profiles_written") == 1
    assert metric(registry, "pyroscope_relabel_profiles_dropped") == 1


def test_ingest_profiles_keep_their_body_and_url_with_new_labels() -> None:
    sink = Recorder()
    rule = RuleBlock(target_label="env", replacement="prod")
    component, _, _ = make([rule], sink)
    profile = IncomingProfile(b"body", ("binary/octet-stream",), "/ingest?name=a", (("a", "1"),))
    asyncio.run(component.receiver.append_ingest(profile))
    (out,) = sink.ingested
    assert (out.raw_body, out.url, out.content_type) == (
        profile.raw_body,
        profile.url,
        profile.content_type,
    )
    assert out.labels == (("a", "1"), ("env", "prod"))


def test_an_empty_label_set_passes_untouched_without_running_rules() -> None:
    sink = Recorder()
    drop_all = RuleBlock(action="drop")  # the default regex matches "": drops every set
    component, registry, _ = make([drop_all], sink)
    asyncio.run(component.receiver.append((), SAMPLES))
    assert sink.pushed == [()]
    assert registry.get_sample_value("pyroscope_relabel_cache_misses") == 0


def test_a_result_with_every_label_removed_is_forwarded_every_time() -> None:
    """Alloy caches it like a drop and drops the repeats; alloylite forwards each one."""
    sink = Recorder()
    component, registry, _ = make([RuleBlock(regex=".*", action="labeldrop")], sink)

    async def main() -> None:
        for _ in range(3):
            await component.receiver.append((("service_name", "api"),), SAMPLES)

    asyncio.run(main())
    assert sink.pushed == [(), (), ()]
    assert metric(registry, "pyroscope_relabel_cache_hits") == 2
    assert metric(registry, "pyroscope_relabel_profiles_dropped") == 0


def test_cache_hits_misses_and_purge_when_the_rules_change() -> None:
    sink = Recorder()
    component, registry, _ = make([DROP_NOISY], sink, cache=2)
    labels = [(("service_name", f"s{i}"),) for i in range(3)]

    async def main() -> None:
        for one in (*labels, labels[2]):
            await component.receiver.append(one, SAMPLES)
        assert metric(registry, "pyroscope_relabel_cache_size") == 2  # bounded by max
        assert metric(registry, "pyroscope_relabel_cache_hits") == 1
        new_rules = [RuleBlock(target_label="env", replacement="dev")]
        await component.update(Arguments(forward_to=[sink], rule=new_rules))
        assert metric(registry, "pyroscope_relabel_cache_size") == 0
        await component.receiver.append(labels[2], SAMPLES)

    asyncio.run(main())
    assert sink.pushed[-1] == (("env", "dev"), ("service_name", "s2"))
    assert metric(registry, "pyroscope_relabel_cache_misses") == 4


def test_rules_use_the_legacy_target_name_check() -> None:
    """A dotted target passes validation (UTF-8) but is a no-op at run time (legacy)."""
    sink = Recorder()
    component, _, _ = make([RuleBlock(target_label="service.name", replacement="x")], sink)
    asyncio.run(component.receiver.append((("a", "1"),), SAMPLES))
    assert sink.pushed == [(("a", "1"),)]


def test_forward_errors_are_joined_and_every_receiver_is_called() -> None:
    good, bad1, bad2 = Recorder(), Recorder(fail=RuntimeError("one")), Recorder()
    bad2.fail = RuntimeError("two")
    component, _, _ = make([], bad1, good, bad2)
    with pytest.raises(ForwardError, match="one\ntwo"):
        asyncio.run(component.receiver.append((("a", "1"),), SAMPLES))
    assert good.pushed == [(("a", "1"),)]


def test_exports_receiver_and_rules_and_refuses_appends_after_exit() -> None:
    component, _, exports = make([DROP_NOISY], Recorder())
    assert exports[-1]["receiver"] is component.receiver
    rules = exports[-1]["rules"]
    assert getattr(rules, "payload")[0]["action"] == "drop"  # noqa: B009 - a Capsule

    async def main() -> None:
        task = asyncio.create_task(component.run())
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        with pytest.raises(ComponentExitedError, match="pyroscope.relabel.test has exited"):
            await component.receiver.append((("a", "1"),), SAMPLES)

    asyncio.run(main())


def test_a_non_positive_cache_size_is_refused_at_build() -> None:
    with pytest.raises(ValueError, match="must provide a positive size"):
        make([], Recorder(), cache=0)


def test_metrics_carry_alloys_names() -> None:
    _, registry, _ = make([], Recorder())
    text = generate_latest(registry).decode()
    for name in ("profiles_processed", "profiles_written", "profiles_dropped", "cache_hits"):
        assert f"\npyroscope_relabel_{name} 0.0\n" in text


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ('regex = "(abc"', "error parsing regexp: missing closing ): `^(?s:(abc)$`"),
        ('action = "explode"', 'unrecognized action type "explode"'),
        (
            'action = "hashmod"\n    target_label = "h"',
            "relabel configuration for hashmod requires non-zero modulus",
        ),
    ],
)
def test_bad_rules_are_reported_with_alloys_messages(rule: str, message: str) -> None:
    config = f"""pyroscope.relabel "r" {{
  forward_to = []
  rule {{
    {rule}
  }}
}}
"""
    messages = [d.message for d in alloylite.validate(config)]
    assert message in messages


def test_a_drop_is_logged_in_prometheus_form_with_forwarded_headers_hidden(
    caplog: pytest.LogCaptureFixture,
) -> None:
    component, _, _ = make([DROP_NOISY], Recorder())
    labels = (("__header_authorization__", "Bearer s3cr3t"), ("service_name", "noisy"))
    with caplog.at_level(logging.DEBUG, logger="test"):
        asyncio.run(component.receiver.append(labels, SAMPLES))
    (record,) = [r for r in caplog.records if "dropped by relabel" in r.getMessage()]
    message = record.getMessage()
    assert '__header_authorization__="<hidden>", service_name="noisy"' in message
    assert "s3cr3t" not in message
