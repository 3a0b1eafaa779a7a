"""The agent's web UI: static files at `/` and `/ui/`, and `/api/v0/web/graph`.

The UI is plain HTML/JS/CSS shipped in the package (alloylite/server/ui/): the
network may be closed and there is no build step, so nothing is fetched from a
CDN. One JSON route feeds it (`/api/v0/web/graph`, or `.../graph/<module ID>` for the
components of a module: `/ui/?module=<module ID>`): the graph (nodes with health, arguments and
exports, edges in data-flow direction) plus per-component counters read from
each component's own metrics registry (the counters each registration declares
in `ui_counters`, with their tooltip texts), so one poll every few seconds is
enough. Nodes are described by `component_info` (through `schema.encode`, which
prints secrets as `(secret)`).
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from alloylite.runtime.component import CounterRule
from alloylite.runtime.controller import Controller
from alloylite.server.component_info import component_info, module_not_found

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

# Static files the UI consists of; anything else under /ui/ is a 404, so a
# request path can never reach outside the package folder.
_STATIC: dict[str, str] = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "graph.js": "text/javascript; charset=utf-8",
    "live.html": "text/html; charset=utf-8",
    "live.js": "text/javascript; charset=utf-8",
    "flame.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}


def component_counters(
    registry: CollectorRegistry | None, rules: Iterable[CounterRule]
) -> dict[str, float]:
    """Sum a component registry's samples into the UI counters it has metrics for.

    `rules` are the counters the component's registration declares. A counter
    appears as soon as the component registers its metric family (at 0 before
    the first labelled sample exists), so a counter whose metric is absent
    shows nothing.
    """
    if registry is None:
        return {}
    rules = tuple(rules)
    totals: dict[str, float] = {}
    for metric in registry.collect():
        mine = [rule for rule in rules if rule.family == metric.name]
        for rule in mine:
            totals.setdefault(rule.counter, 0.0)
        for sample in metric.samples:
            for rule in mine:
                if rule.matches(sample.name, sample.labels):
                    totals[rule.counter] += sample.value
    return {rule.counter: totals[rule.counter] for rule in rules if rule.counter in totals}


def graph_view(controller: Controller) -> dict[str, Any]:
    """Nodes (`component_info` plus counters) and data-flow edges.

    An edge points from the component holding a reference to the component
    it references (receive_http's `forward_to` -> write's `receiver`), which
    is the way profiles travel.
    """
    states = dict(controller.components)
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, str]] = []
    for cid, state in states.items():
        info = component_info(controller, state, True)
        info["id"] = cid
        registration = state.node.registration
        rules = registration.ui_counters if registration is not None else ()
        info["counters"] = component_counters(state.metrics, rules)
        info["counter_descriptions"] = {rule.counter: rule.description for rule in rules}
        nodes.append(info)
        edges.extend(
            {"from": cid, "to": target}
            for target in controller.dependencies(cid)
            if target in states
        )
    return {"nodes": nodes, "edges": edges}


def _static_file(name: str) -> Response:
    media_type = _STATIC.get(name)
    if media_type is None:
        return PlainTextResponse("404 page not found\n", status_code=404)
    data = (resources.files("alloylite.server") / "ui" / name).read_bytes()
    # The UI is tiny; no-cache keeps a browser from mixing an old app.js with a new API.
    return Response(data, media_type=media_type, headers={"Cache-Control": "no-cache"})


def ui_routes(controller: Controller) -> list[Route]:
    """The UI's routes, to add to the agent's app."""

    async def index(_: Request) -> Response:
        return _static_file("index.html")

    async def ui_redirect(_: Request) -> Response:
        return RedirectResponse("/ui/", status_code=302)

    async def static(request: Request) -> Response:
        return _static_file(request.path_params["name"] or "index.html")

    async def graph(request: Request) -> Response:
        ctl = controller.module(request.path_params.get("module_id", ""))
        if ctl is None:
            return module_not_found()
        return JSONResponse(graph_view(ctl))

    return [
        Route("/", index),
        Route("/ui", ui_redirect),
        Route("/ui/{name:path}", static),
        Route("/api/v0/web/graph", graph),
        Route("/api/v0/web/graph/{module_id:path}", graph),
    ]
