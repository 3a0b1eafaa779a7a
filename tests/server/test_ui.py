"""The UI's server side: `/api/v0/web/graph` over a running controller, the
counters read from the components' real metric definitions, the static files.
Each component's registration declares its counters (`ui_counters`); the
server knows no component's metric names. The browser test is tests/ui/test_web_ui.py."""

from __future__ import annotations

import httpx
from prometheus_client import CollectorRegistry, Counter

from alloylite.components.pyroscope import receive_http, write
from alloylite.components.pyroscope.receive_http.metrics import ReceiveMetrics
from alloylite.components.pyroscope.write.metrics import WriteMetrics
from alloylite.runtime.component import CounterRule
from alloylite.runtime.controller import Controller
from alloylite.server.ui import component_counters
from tests.runtime import ast_helpers as A
from tests.runtime.test_controller import Configs, pipeline
from tests.server.test_app import serve


def test_write_counters_sum_over_endpoints() -> None:
    registry = CollectorRegistry()
    metrics = WriteMetrics(registry)
    counters = write.REGISTRATION.ui_counters
    assert component_counters(registry, counters) == {
        "forwarded": 0,
        "dropped": 0,
        "retries": 0,
        "bytes_sent": 0,
    }
    metrics.sent_profiles.labels("http://a").inc(2)
    metrics.sent_profiles.labels("http://b").inc()
    metrics.dropped_profiles.labels("http://b").inc()
    metrics.retries.labels("http://b").inc(4)
    metrics.sent_bytes.labels("http://a").inc(300)
    assert component_counters(registry, counters) == {
        "forwarded": 3,
        "dropped": 1,
        "retries": 4,
        "bytes_sent": 300,
    }


def test_receive_counters_count_profile_routes_by_status() -> None:
    registry = CollectorRegistry()
    metrics = ReceiveMetrics(registry)
    counters = receive_http.REGISTRATION.ui_counters
    assert component_counters(registry, counters) == {"received": 0, "accepted": 0, "rejected": 0}
    metrics.observe("POST", "ingest", 200, 0.01)
    metrics.observe("POST", "ingest", 200, 0.01)
    metrics.observe("POST", "push_v1_pusherservice", 200, 0.01)
    metrics.observe("POST", "ingest", 400, 0.01)
    metrics.observe("POST", "push_v1_pusherservice", 503, 0.01)
    metrics.observe("GET", "notfound", 404, 0.01)  # not a profile: not counted
    assert component_counters(registry, counters) == {"received": 5, "accepted": 3, "rejected": 2}


def test_counters_are_only_those_the_registration_declares() -> None:
    registry = CollectorRegistry()
    Counter("something_else_total", "other", registry=registry).inc()
    assert component_counters(registry, write.REGISTRATION.ui_counters) == {}
    assert component_counters(registry, ()) == {}
    assert component_counters(None, write.REGISTRATION.ui_counters) == {}
    rule = CounterRule("others", "something_else_total")
    assert component_counters(registry, [rule]) == {"others": 1}


def test_the_server_names_no_component_metric() -> None:
    import alloylite.server.ui as ui

    source = open(ui.__file__, encoding="utf-8").read()
    assert "pyroscope_" not in source and "CounterRule(" not in source


def test_graph_route_has_nodes_edges_and_no_secret() -> None:
    async def scenario(client: httpx.AsyncClient, ctl: Controller, configs: Configs) -> None:
        configs.set(
            pipeline()[0],
            A.block("test.writer", A.attr("name", "w"), A.attr("token", "hunter2"), label="a"),
        )
        assert (await client.post("/-/reload")).status_code == 200
        r = await client.get("/api/v0/web/graph")
        assert r.status_code == 200
        graph = r.json()
        assert graph["edges"] == [{"from": "test.receiver.r", "to": "test.writer.a"}]
        nodes = {n["id"]: n for n in graph["nodes"]}
        assert sorted(nodes) == ["test.receiver.r", "test.writer.a"]
        writer = nodes["test.writer.a"]
        assert (writer["name"], writer["label"]) == ("test.writer", "a")
        assert writer["health"]["state"] == "healthy"
        assert writer["arguments"] == {"name": "w", "token": "(secret)"}
        assert writer["counters"] == {}  # the test components have no pyroscope metrics
        assert "hunter2" not in r.text

    serve(scenario)


def test_ui_files_are_served_and_nothing_else() -> None:
    async def scenario(client: httpx.AsyncClient, ctl: Controller, configs: Configs) -> None:
        index = await client.get("/")
        assert index.status_code == 200
        assert '<script type="module" src="/ui/app.js">' in index.text
        assert (await client.get("/ui/")).text == index.text
        for name, kind in (
            ("app.js", "text/javascript"),
            ("graph.js", "text/javascript"),
            ("style.css", "text/css"),
        ):
            r = await client.get(f"/ui/{name}")
            assert r.status_code == 200 and r.headers["content-type"].startswith(kind)
        for path in ("/ui/ui.py", "/ui/%2e%2e/app.py", "/ui/sub/app.js", "/ui/x.html"):
            assert (await client.get(path)).status_code == 404, path
        # The agent's own endpoints are still there next to the UI's.
        assert (await client.get("/-/ready")).status_code == 200

    serve(scenario)


def test_every_ui_counter_carries_its_own_tooltip() -> None:
    """The tooltips come from the registrations: relabel's "dropped" is a rule drop,
    write's is a profile lost after retries, so the texts must differ."""
    from alloylite.runtime.registry import default_registry

    registry = default_registry()
    rules = {
        (name, rule.counter): rule.description
        for name in registry.names()
        for rule in getattr(registry.get(name), "ui_counters", ())
    }
    assert rules, "no registration declares UI counters"
    assert [key for key, text in rules.items() if not text] == []
    assert rules["pyroscope.relabel", "dropped"] != rules["pyroscope.write", "dropped"]
    assert "rule" in rules["pyroscope.relabel", "dropped"]
    assert rules["pyroscope.relabel", "forwarded"] != rules["pyroscope.write", "forwarded"]
