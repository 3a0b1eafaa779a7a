"""The running pyroscope.scrape against real sockets: `update()` (targets, forward_to,
interval), bodies that never end, and bodies a delta type cannot decode (spec §1.5, §1.6,
§1.10). Loops run with a one-hour interval so the background ticker stays idle; the tests
drive `scrape_once` themselves."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from alloylite.components.pyroscope.pprof.profile import decode, gunzip
from alloylite.components.pyroscope.scrape import component as scrape_component
from alloylite.components.pyroscope.scrape.arguments import (
    Arguments,
    ProfilingConfig,
    ProfilingTarget,
)
from alloylite.components.pyroscope.scrape.component import PyroscopeScrape
from alloylite.components.pyroscope.scrape.http import ScrapeClient
from alloylite.components.pyroscope.scrape.loop import ScrapeLoop, first_delay
from alloylite.components.pyroscope.scrape.targets import build_targets
from alloylite.components.pyroscope.write.endpoint import user_agent
from alloylite.runtime.component import ComponentOptions
from tests.components.pyroscope.recorder import Recorder
from tests.components.pyroscope.scrape.profile_server import (
    ProfileServer,
    endless,
    fixed,
    profile_server,
)

DATA = Path(__file__).with_name("data")
ALLOCS_1 = (DATA / "allocs-1.pb.gz").read_bytes()
ALLOCS_2 = (DATA / "allocs-2.pb.gz").read_bytes()
GOROUTINE = gzip.compress(gunzip(ALLOCS_1))  # any pprof will do for a non-delta type
HOUR = timedelta(hours=1)


@pytest.fixture(autouse=True)
def fast_reload(monkeypatch: pytest.MonkeyPatch) -> None:
    """Target changes are applied every 5 s in production; the tests need not wait."""
    monkeypatch.setattr(scrape_component, "RELOAD_INTERVAL", 0.01)


def only(*names: str) -> ProfilingConfig:
    """A profiling_config with just the named built-in types enabled."""
    config = ProfilingConfig()
    for f in dataclasses.fields(ProfilingConfig):
        target = getattr(config, f.name)
        if isinstance(target, ProfilingTarget):
            enabled = f.name.rstrip("_") in names
            setattr(config, f.name, dataclasses.replace(target, enabled=enabled))
    return config


def arguments(addresses: list[str], *forward_to: Recorder, **kw: object) -> Arguments:
    kw.setdefault("profiling_config", only("goroutine"))
    kw.setdefault("scrape_interval", HOUR)
    return Arguments(
        targets=[{"__address__": a, "service_name": "svc"} for a in addresses],
        forward_to=list(forward_to),
        **kw,  # type: ignore[arg-type]
    )


def options(registry: CollectorRegistry | None = None) -> ComponentOptions:
    return ComponentOptions(
        id="pyroscope.scrape.test",
        logger=logging.getLogger("test"),
        on_state_change=lambda _: None,
        registry=registry,
    )


async def until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def urls(component: PyroscopeScrape) -> set[str]:
    return {loop.target.url for loop in component.loops}


async def started(component: PyroscopeScrape) -> asyncio.Task[None]:
    task = asyncio.create_task(component.run())
    await until(lambda: bool(component.loops), "the first target sync")
    return task


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def test_a_targets_change_starts_and_stops_only_the_loops_that_changed() -> None:
    async def main() -> None:
        async with profile_server({"/debug/pprof/goroutine": fixed(GOROUTINE)}) as server:
            other = server.address.replace("127.0.0.1", "localhost")
            component = PyroscopeScrape(options(), arguments([server.address], Recorder()))
            task = await started(component)
            (first,) = component.loops
            await component.update(arguments([server.address, other], Recorder()))
            await until(lambda: len(component.loops) == 2, "the added target")
            assert first in component.loops  # the unchanged target's loop kept running
            await component.update(arguments([other], Recorder()))
            await until(lambda: len(component.loops) == 1, "the removed target")
            assert first not in component.loops
            assert urls(component) == {f"http://{other}/debug/pprof/goroutine"}
            await stop(task)

    asyncio.run(main())


def test_a_forward_to_change_reaches_the_running_loops_without_a_restart() -> None:
    async def main() -> None:
        async with profile_server({"/debug/pprof/goroutine": fixed(GOROUTINE)}) as server:
            old, new = Recorder(), Recorder()
            registry = CollectorRegistry()
            component = PyroscopeScrape(options(registry), arguments([server.address], old))
            task = await started(component)
            (loop,) = component.loops
            await loop.scrape_once()
            assert len(old.pushes) == 1
            await component.update(arguments([server.address], new))
            await until(lambda: not component._dirty.is_set(), "the sync")  # noqa: SLF001
            assert component.loops == [loop]  # same loop, no restart (and no lost delta)
            await loop.scrape_once()
            assert (len(old.pushes), len(new.pushes)) == (1, 1)
            assert registry.get_sample_value("pyroscope_forwarded_entries_total") == 2
            assert registry.get_sample_value("pyroscope_fanout_latency_count") == 2
            await stop(task)

    asyncio.run(main())


def test_an_interval_change_restarts_every_loop_and_reseeds_the_delta() -> None:
    async def main() -> None:
        bodies = [ALLOCS_1, ALLOCS_2, ALLOCS_1, ALLOCS_2]

        async def allocs(writer: asyncio.StreamWriter) -> None:
            await fixed(bodies.pop(0))(writer)

        async with profile_server({"/debug/pprof/allocs": allocs}) as server:
            sink = Recorder()
            memory = only("memory")
            component = PyroscopeScrape(
                options(), arguments([server.address], sink, profiling_config=memory)
            )
            task = await started(component)
            (loop,) = component.loops
            await loop.scrape_once()
            await loop.scrape_once()
            assert len(sink.pushes) == 1  # the first profile seeded the delta
            await component.update(
                arguments(
                    [server.address],
                    sink,
                    profiling_config=memory,
                    scrape_interval=timedelta(minutes=30),
                )
            )
            await until(lambda: component.loops and component.loops != [loop], "the restart")
            (restarted,) = component.loops
            await restarted.scrape_once()
            assert len(sink.pushes) == 1  # delta state lost: this profile seeds again
            await restarted.scrape_once()
            assert len(sink.pushes) == 2
            assert restarted.health == "up"
            await stop(task)

    asyncio.run(main())


def make_loop(
    server: ProfileServer, name: str, client: ScrapeClient, path: str = "", **kw: object
) -> tuple[ScrapeLoop, Recorder]:
    """One loop for profile type `name` of `server` (at `path` if given), and its sink."""
    sink = Recorder()
    args = arguments([server.address], sink, profiling_config=only(name), **kw)
    if path:
        args.targets[0]["__profile_path__"] = path
    (target,), _ = build_targets(args, args.targets)
    return ScrapeLoop(target, 3600, client, sink.append), sink


def new_client(max_body: int | None = None) -> ScrapeClient:
    config = arguments([]).http_client()
    if max_body is None:
        return ScrapeClient(config, user_agent())
    return ScrapeClient(config, user_agent(), max_body=max_body)


def test_an_endless_body_is_cut_at_the_size_cap() -> None:
    async def main() -> None:
        async with profile_server({"/endless": endless()}) as server:
            client = new_client(max_body=64 << 10)
            loop, sink = make_loop(server, "goroutine", client, "/endless")
            await loop.scrape_once()
            assert (loop.health, loop.last_error) == (
                "down",
                "failed to read body: body exceeds 65536 bytes",
            )
            assert sink.pushes == []
            await client.close()

    asyncio.run(main())


def test_an_endless_trickle_under_the_cap_is_cut_by_the_timeout() -> None:
    async def main() -> None:
        async with profile_server({"/trickle": endless(b"\x1f\x8b", pause=0.05)}) as server:
            client = new_client()
            timeout = timedelta(seconds=0.5)
            loop, sink = make_loop(server, "goroutine", client, "/trickle", scrape_timeout=timeout)
            await loop.scrape_once()
            assert loop.health == "down"
            assert loop.last_error == f'Get "{loop.target.url}": context deadline exceeded'
            assert sink.pushes == []
            await client.close()

    asyncio.run(main())


BAD_BODIES = {
    "truncated gzip": (
        ALLOCS_1[: len(ALLOCS_1) // 2],
        "decompressing profile: Compressed file ended before the end-of-stream marker was reached",
    ),
    "truncated pprof": (
        gunzip(ALLOCS_1)[: len(gunzip(ALLOCS_1)) // 2],
        "computing delta: decoding profile: unexpected end of data in length-delimited field",
    ),
    "not pprof": (
        b"\x0a\x05hello world, not a profile",
        "computing delta: decoding profile: illegal wireType 4",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_a_body_a_delta_type_cannot_decode_marks_the_target_down(
    case: str, caplog: pytest.LogCaptureFixture
) -> None:
    body, error = BAD_BODIES[case]
    bodies = [ALLOCS_1, body, ALLOCS_1, ALLOCS_2]

    async def allocs(writer: asyncio.StreamWriter) -> None:
        await fixed(bodies.pop(0))(writer)

    async def main() -> None:
        async with profile_server({"/debug/pprof/allocs": allocs}) as server:
            client = new_client()
            loop, sink = make_loop(server, "memory", client)
            await loop.scrape_once()  # seeds
            await loop.scrape_once()  # the bad body
            assert (loop.health, loop.last_error) == ("down", error)
            await loop.scrape_once()  # re-seeds, and says so (Alloy's recovery)
            assert loop.last_error == (
                "computing delta: delta profiler recovering from bad state, skipping this profile"
            )
            await loop.scrape_once()
            assert (loop.health, loop.last_error) == ("up", "")
            await client.close()
            return sink

    with caplog.at_level(logging.DEBUG):
        sink = asyncio.run(main())
    (pushed,) = sink.pushes  # only the delta after recovery went out
    assert decode(gunzip(pushed[1][0].raw_profile)).samples is not None
    assert not [r for r in caplog.records if r.exc_info]  # no traceback anywhere


def test_ten_thousand_targets_are_spread_over_the_interval() -> None:
    """No thundering herd: each loop's first scrape falls in its own slot of the interval,
    so 10,000 targets at 15 s cost about 667 scrapes in every second, not 10,000 at once."""
    args = arguments(["127.0.0.1:1"])
    args.targets = [{"__address__": "127.0.0.1:1", "n": str(i)} for i in range(10_000)]
    targets, errors = build_targets(args, args.targets)
    assert (len(targets), errors) == (10_000, [])
    now = 1_700_000_000.25
    delays = [first_delay(t.identity, 15.0, now) for t in targets]
    assert all(0 <= d <= 15 for d in delays)
    per_second = [0] * 16
    for d in delays:
        per_second[int(d)] += 1
    assert max(per_second) < 2 * 10_000 / 15
