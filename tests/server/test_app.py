"""The agent's HTTP endpoints on a real socket, over a controller running test components."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest

from alloylite.commands.report import plain
from alloylite.runtime.component import Stability
from alloylite.runtime.controller import Controller, LoadFailed
from alloylite.server.app import build_app
from alloylite.server.listener import ListenAddrError, Server, address_of, bind, parse_listen_addr
from tests.runtime import ast_helpers as A
from tests.runtime.components import make_registry
from tests.runtime.test_controller import Configs, pipeline

Scenario = Callable[[httpx.AsyncClient, Controller, Configs], Awaitable[None]]


def serve(scenario: Scenario, *, load: bool = True) -> None:
    async def main() -> None:
        configs = Configs(*pipeline())
        ctl = Controller("main.alloy", make_registry(), Stability.EXPERIMENTAL, load_config=configs)

        async def reload() -> str | None:
            try:
                await ctl.load()
            except LoadFailed as err:
                return plain(err.diagnostics)
            return None

        sock = bind("127.0.0.1:0")
        server = Server(build_app(ctl, reload), sock)
        await server.start()
        try:
            if load:
                await ctl.load()
            base = f"http://{address_of(sock)}"
            async with httpx.AsyncClient(base_url=base) as client:
                await scenario(client, ctl, configs)
        finally:
            await ctl.stop()
            await server.stop()

    asyncio.run(asyncio.wait_for(main(), 60))


def test_ready_before_and_after_the_first_load() -> None:
    async def scenario(client: httpx.AsyncClient, ctl: Controller, _: Configs) -> None:
        r = await client.get("/-/ready")
        assert (r.status_code, r.text) == (503, "Alloy is not ready.\n")
        await ctl.load()
        r = await client.get("/-/ready")
        assert (r.status_code, r.text) == (200, "Alloy is ready.\n")

    serve(scenario, load=False)


def test_healthy_lists_unhealthy_components() -> None:
    async def scenario(client: httpx.AsyncClient, ctl: Controller, configs: Configs) -> None:
        r = await client.get("/-/healthy")
        assert (r.status_code, r.text) == (200, "All Alloy components are healthy.\n")
        configs.set(*pipeline(label="bad"))
        r = await client.post("/-/reload")
        assert r.status_code == 400
        r = await client.get("/-/healthy")
        assert (r.status_code, r.text) == (500, "unhealthy components: test.receiver.r\n")

    serve(scenario)


def test_reload_endpoint_success_and_failure_keeps_old_graph() -> None:
    async def scenario(client: httpx.AsyncClient, ctl: Controller, configs: Configs) -> None:
        configs.set(*pipeline(writer_name="second"))
        for method in ("GET", "POST"):
            r = await client.request(method, "/-/reload")
            assert (r.status_code, r.text) == (200, "config reloaded\n")
        configs.set(pipeline()[0])
        r = await client.post("/-/reload")
        assert r.status_code == 400
        assert r.text.endswith(
            'component "test.writer.a.receiver" does not exist or is out of scope\n'
        )
        assert sorted(ctl.components) == ["test.receiver.r", "test.writer.a"]
        assert ctl.components["test.writer.a"].arguments.name == "second"
        r = await client.put("/-/reload")
        assert r.status_code == 405

    serve(scenario)


def test_component_api_shows_arguments_exports_and_hides_secrets() -> None:
    async def scenario(client: httpx.AsyncClient, ctl: Controller, configs: Configs) -> None:
        configs.set(
            pipeline()[0],
            A.block("test.writer", A.attr("name", "w"), A.attr("token", "hunter2"), label="a"),
        )
        assert (await client.post("/-/reload")).status_code == 200
        listing = (await client.get("/api/v0/web/components")).json()
        assert [c["localID"] for c in listing] == ["test.writer.a", "test.receiver.r"]
        assert listing[1]["referencesTo"] == ["test.writer.a"]
        assert listing[0]["referencedBy"] == ["test.receiver.r"]
        assert listing[0]["health"]["state"] == "healthy"
        r = await client.get("/api/v0/web/components/test.writer.a")
        detail = r.json()
        assert detail["arguments"] == {"name": "w", "token": "(secret)"}
        assert detail["exports"]["name"] == "w"
        assert "hunter2" not in r.text
        for path in ("/api/v0/web/components", "/metrics"):
            assert "hunter2" not in (await client.get(path)).text
        r = await client.get("/api/v0/web/components/nope.x")
        assert r.status_code == 404

    serve(scenario)


def test_metrics_aggregate_components_with_their_ids() -> None:
    async def scenario(client: httpx.AsyncClient, ctl: Controller, configs: Configs) -> None:
        configs.set(*pipeline(), A.block("test.writer", A.attr("name", "b"), label="b"))
        await client.post("/-/reload")
        configs.set(
            *pipeline(writer_name="changed"),
            A.block("test.writer", A.attr("name", "b2"), label="b"),
        )
        await client.post("/-/reload")
        text = (await client.get("/metrics")).text
        assert text.count("# TYPE test_writer_updates_total counter") == 1
        assert (
            'test_writer_updates_total{component_id="test.writer.a",component_path="/"} 1.0' in text
        )
        assert (
            'test_writer_updates_total{component_id="test.writer.b",component_path="/"} 1.0' in text
        )
        assert "alloy_config_last_load_successful 1.0" in text
        assert 'alloy_component_controller_running_components{health_type="healthy"} 3.0' in text

    serve(scenario)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("127.0.0.1:12345", ("127.0.0.1", 12345)), (":80", ("", 80)), ("[::1]:9", ("::1", 9))],
)
def test_parse_listen_addr(text: str, expected: tuple[str, int]) -> None:
    assert parse_listen_addr(text) == expected


def test_busy_port_is_an_error() -> None:
    sock = bind("127.0.0.1:0")
    try:
        with pytest.raises(ListenAddrError, match="listen tcp"):
            bind(address_of(sock))
    finally:
        sock.close()
