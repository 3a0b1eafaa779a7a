"""The controller with real (small) components: order, reload, export propagation."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from alloylite.runtime.component import Stability
from alloylite.runtime.controller import Controller, Health, LoadFailed
from alloylite.runtime.loader import LoadedConfig, link
from alloylite.syntax import ast
from tests.runtime import ast_helpers as A
from tests.runtime.components import JOURNAL, make_registry
from tests.waiting import until


class Configs:
    """A settable config source standing in for the file on disk."""

    def __init__(self, *blocks: ast.Stmt) -> None:
        self.set(*blocks)

    def set(self, *blocks: ast.Stmt) -> None:
        self.blocks = blocks

    def __call__(self) -> LoadedConfig:
        files = {"main.alloy": ast.File("main.alloy", tuple(self.blocks), ())}
        return link(
            files, LoadedConfig(), make_registry(), Stability.EXPERIMENTAL, validate_mode=False
        )


def pipeline(writer_name: str = "w", label: str = "") -> tuple[ast.Stmt, ...]:
    return (
        A.block(
            "test.receiver",
            A.attr("forward_to", A.array(A.ref("test.writer.a.receiver"))),
            A.attr("label", label),
            label="r",
        ),
        A.block("test.writer", A.attr("name", writer_name), label="a"),
    )


def controller_for(configs: Configs) -> Controller:
    """A controller over the test registry that loads `configs` (every stability allowed)."""
    return Controller("main.alloy", make_registry(), Stability.EXPERIMENTAL, load_config=configs)


def run(coro_fn: Callable[[], object]) -> None:
    asyncio.run(asyncio.wait_for(coro_fn(), 30))  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _clear_journal() -> None:
    JOURNAL.events.clear()


def test_writers_start_first_and_stop_last() -> None:
    async def main() -> None:
        ctl = controller_for(Configs(*pipeline()))
        await ctl.load()
        await until(lambda: len(JOURNAL.of("start")) == 2)
        assert JOURNAL.of("build") == ["test.writer.a", "test.receiver.r"]
        assert JOURNAL.of("start") == ["test.writer.a", "test.receiver.r"]
        sink = ctl.components["test.writer.a"].exports["receiver"]
        assert sink.items == ["test.receiver.r"]
        assert ctl.components["test.receiver.r"].health is Health.HEALTHY
        await ctl.stop()
        assert JOURNAL.of("stop") == ["test.receiver.r", "test.writer.a"]

    run(main)


def test_reload_updates_only_changed_components_and_stops_removed_ones() -> None:
    async def main() -> None:
        configs = Configs(*pipeline())
        ctl = controller_for(configs)
        await ctl.load()
        await until(lambda: len(JOURNAL.of("start")) == 2)
        first_writer = ctl.components["test.writer.a"].instance
        await ctl.load()  # same config
        assert JOURNAL.of("update") == []
        configs.set(*pipeline(writer_name="changed"))
        await ctl.load()
        assert JOURNAL.of("update") == ["test.writer.a"]
        assert ctl.components["test.writer.a"].instance is first_writer
        configs.set(pipeline()[1])
        await ctl.load()
        assert JOURNAL.of("stop") == ["test.receiver.r"]
        assert list(ctl.components) == ["test.writer.a"]
        await ctl.stop()

    run(main)


def test_failed_reload_keeps_the_last_good_graph() -> None:
    async def main() -> None:
        configs = Configs(*pipeline())
        ctl = controller_for(configs)
        await ctl.load()
        configs.set(pipeline()[0])  # the writer it references is gone
        with pytest.raises(LoadFailed) as info:
            await ctl.load()
        assert [d.message for d in info.value.diagnostics] == [
            'component "test.writer.a.receiver" does not exist or is out of scope'
        ]
        assert sorted(ctl.components) == ["test.receiver.r", "test.writer.a"]
        assert ctl.last_load_ok is False and ctl.load_failures == 1
        assert JOURNAL.of("stop") == []
        await ctl.stop()

    run(main)


def test_evaluation_error_on_reload_keeps_last_good_arguments() -> None:
    async def main() -> None:
        configs = Configs(*pipeline())
        ctl = controller_for(configs)
        await ctl.load()
        configs.set(*pipeline(label="bad"))
        with pytest.raises(LoadFailed) as info:
            await ctl.load()
        assert [d.message for d in info.value.diagnostics] == [
            'Failed to build component: decoding configuration: label must not be "bad"'
        ]
        state = ctl.components["test.receiver.r"]
        assert state.health is Health.UNHEALTHY and state.arguments.label == ""
        assert ctl.unhealthy() == ["test.receiver.r"]
        await ctl.stop()

    run(main)


def test_first_load_with_errors_runs_nothing() -> None:
    async def main() -> None:
        configs = Configs(*pipeline(), A.block("test.failing", A.attr("value", "x"), label="f"))
        ctl = controller_for(configs)
        with pytest.raises(LoadFailed) as info:
            await ctl.load()
        assert [d.message for d in info.value.diagnostics] == [
            "Failed to build component: building component: cannot use x"
        ]
        # A good load afterwards: its receiver running proves that the event loop ran every
        # task created before it, so a component started by the failed load would show too.
        configs.set(*pipeline())
        await ctl.load()
        sink = ctl.components["test.writer.a"].exports["receiver"]
        await until(lambda: sink.items == ["test.receiver.r"])
        assert JOURNAL.of("start") == ["test.writer.a", "test.receiver.r"]
        await ctl.stop()

    run(main)


def test_export_changes_reach_dependants() -> None:
    async def main() -> None:
        configs = Configs(
            A.block("test.writer", A.attr("name", A.ref("test.late.l.value")), label="a"),
            A.block("test.late", label="l"),
        )
        ctl = controller_for(configs)
        await ctl.load()
        assert ctl.components["test.writer.a"].arguments.name in ("early", "late")
        await until(lambda: ctl.components["test.writer.a"].arguments.name == "late")
        assert "test.writer.a" in JOURNAL.of("update")
        await ctl.stop()

    run(main)


def test_component_metrics_registry_is_per_component() -> None:
    async def main() -> None:
        configs = Configs(*pipeline())
        ctl = controller_for(configs)
        await ctl.load()
        configs.set(*pipeline(writer_name="x"))
        await ctl.load()
        registry = ctl.components["test.writer.a"].metrics
        assert registry.get_sample_value("test_writer_updates_total") == 1.0
        await ctl.stop()

    run(main)


def test_dependants_of_a_failed_component_do_not_repeat_its_error() -> None:
    async def main() -> None:
        configs = Configs(
            A.block(
                "test.receiver",
                A.attr("forward_to", A.array(A.ref("test.failing.f.out"))),
                label="r",
            ),
            A.block("test.failing", A.attr("value", "x"), label="f"),
        )
        ctl = controller_for(configs)
        with pytest.raises(LoadFailed) as info:
            await ctl.load()
        assert [d.message for d in info.value.diagnostics] == [
            "Failed to build component: building component: cannot use x"
        ]
        await ctl.stop()

    run(main)
