"""The agent HTTP server of `run --workers N`: one agent's endpoints over N workers.

From the outside the workers look like one agent: ready and healthy when every worker
is (a worker that does not answer in time is reported unhealthy by name), `/-/reload`
reaches every worker (supervisor.py makes it all or nothing), `/metrics` merges the
workers' expositions with a `worker` label, the UI's graph sums each component's
counters over the workers, and the component API and the UI's static files come from
the first worker that answers (all workers run the same graph). Live debugging merges
every worker's (supervisor_live.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
from prometheus_client.core import Metric
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import Collector, CollectorRegistry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from alloylite.server.metrics import exposition
from alloylite.server.relay import not_ready, relay
from alloylite.server.supervisor import Supervisor, WorkerError
from alloylite.server.supervisor_live import live_routes_over_workers


class _WorkerMetrics(Collector):
    """Families scraped from every worker, merged by name, with a `worker` label."""

    def __init__(self, scraped: list[tuple[int, str]]) -> None:
        self.scraped = scraped

    def collect(self) -> Iterator[Metric]:
        families: dict[str, Metric] = {}
        for index, text in self.scraped:
            for family in text_string_to_metric_families(text):
                merged = families.get(family.name)
                if merged is None:
                    merged = Metric(family.name, family.documentation, family.type, family.unit)
                    families[family.name] = merged
                for s in family.samples:
                    merged.add_sample(
                        s.name, {**s.labels, "worker": str(index)}, s.value, s.timestamp, s.exemplar
                    )
        yield from families.values()


def merge_graphs(graphs: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    """One graph for the UI from every worker's: the first worker's nodes and edges, each
    node's counters summed over the workers, and a node's health the first unhealthy one
    any worker reports (its message prefixed with the worker), so a problem in one worker
    is not hidden by the others."""
    first = graphs[0][1]
    nodes: dict[str, dict[str, Any]] = {node["id"]: dict(node) for node in first["nodes"]}
    for node in nodes.values():
        node["counters"] = dict(node.get("counters", {}))
    for index, graph in graphs[1:]:
        for other in graph["nodes"]:
            mine = nodes.get(other["id"])
            if mine is None:
                continue
            for name, value in other.get("counters", {}).items():
                mine["counters"][name] = mine["counters"].get(name, 0.0) + value
            if mine["health"]["state"] == "healthy" and other["health"]["state"] != "healthy":
                health = dict(other["health"])
                health["message"] = f"worker {index}: {health['message']}"
                mine["health"] = health
    return {"nodes": list(nodes.values()), "edges": first["edges"]}


def build_supervisor_app(sup: Supervisor) -> Starlette:
    async def ready(_: Request) -> Response:
        if all(w.ready.is_set() for w in sup.workers):
            return PlainTextResponse("Alloy is ready.\n")
        return not_ready()

    async def healthy(_: Request) -> Response:
        bad = [f"worker {w.index}" for w in sup.workers if not w.ready.is_set()]
        for worker, answer in await sup.each("GET", "/-/healthy"):
            if isinstance(answer, WorkerError):
                bad.append(f"worker {worker.index} ({answer.reason})")
            elif answer.status_code != 200:
                for name in answer.text.strip().removeprefix("unhealthy components: ").split(", "):
                    if name not in bad:
                        bad.append(name)
        if bad:
            return PlainTextResponse(f"unhealthy components: {', '.join(bad)}\n", status_code=500)
        return PlainTextResponse("All Alloy components are healthy.\n")

    async def do_reload(_: Request) -> Response:
        error = await sup.reload()
        if error is not None:
            return PlainTextResponse(error + "\n", status_code=400)
        return PlainTextResponse("config reloaded\n")

    async def metrics(_: Request) -> Response:
        scraped = [
            (worker.index, answer.text)
            for worker, answer in await sup.each("GET", "/metrics")
            if isinstance(answer, httpx.Response) and answer.status_code == 200
        ]
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_WorkerMetrics(scraped))
        return Response(exposition(registry), media_type="text/plain; version=0.0.4; charset=utf-8")

    async def graph(request: Request) -> Response:
        answers = [
            (worker.index, answer)
            for worker, answer in await sup.each("GET", request.url.path)
            if isinstance(answer, httpx.Response)
        ]
        graphs = [(index, a.json()) for index, a in answers if a.status_code == 200]
        if not graphs and answers:  # an unknown module: every worker says so
            return relay(answers[0][1])
        if not graphs:
            return not_ready()
        return JSONResponse(merge_graphs(graphs))

    async def proxy(request: Request) -> Response:
        answer = await sup.first(request.url.path)
        if not isinstance(answer, httpx.Response):
            return not_ready()
        return relay(answer)

    return Starlette(
        routes=[
            Route("/-/ready", ready),
            Route("/-/healthy", healthy),
            Route("/-/reload", do_reload, methods=["GET", "POST"]),
            Route("/metrics", metrics),
            Route("/api/v0/web/components", proxy),
            Route("/api/v0/web/components/{id:path}", proxy),
            Route("/api/v0/web/modules/{id:path}", proxy),
            Route("/api/v0/web/graph", graph),
            Route("/api/v0/web/graph/{id:path}", graph),
            *live_routes_over_workers(sup),
            Route("/", proxy),
            Route("/ui", proxy),
            Route("/ui/{name:path}", proxy),
        ]
    )
