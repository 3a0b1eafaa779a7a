"""The agent's web UI: static files at `/` and `/ui/`, and `/api/v0/web/graph`.

The UI is plain HTML/JS/CSS shipped in the package (alloylite/server/ui/): the
network may be closed and there is no build step, so nothing is fetched from a
CDN. One JSON route feeds it: the graph (nodes with health, arguments and
exports, edges in data-flow direction) plus per-component counters read from
each component's own metrics registry, so one poll every few seconds is enough.
Arguments go through H4's `_component_info` (and so through `schema.encode`),
which prints secrets as `(secret)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from alloylite.runtime.controller import Controller

# Static files the UI consists of; anything else under /ui/ is a 404, so a
# request path can never reach outside the package folder.
_STATIC: dict[str, str] = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "graph.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}


@dataclass(frozen=True)
class CounterRule:
    """Which metric samples add up to one UI counter of a component.

    `sample` is the exposition sample name; `labels` must all match; a
    `status_class` (e.g. "2") additionally filters on the first digit of the
    `status_code` label, and `negate` inverts that filter.
    """

    counter: str
    sample: str
    labels: tuple[tuple[str, tuple[str, ...]], ...] = ()
    status_class: str | None = None
    negate: bool = False

    @property
    def family(self) -> str:
        """The metric family the sample belongs to, as prometheus_client names it."""
        for suffix in ("_total", "_count"):
            if self.sample.endswith(suffix):
                return self.sample[: -len(suffix)]
        return self.sample

    def matches(self, name: str, labels: dict[str, str]) -> bool:
        if name != self.sample:
            return False
        if any(labels.get(key) not in allowed for key, allowed in self.labels):
            return False
        if self.status_class is not None:
            ok = labels.get("status_code", "").startswith(self.status_class)
            return ok != self.negate
        return True


_PROFILE_ROUTES = ("route", ("ingest", "push_v1_pusherservice"))
_REQUESTS = "pyroscope_receive_http_request_duration_seconds_count"

# The counters shown per component, from the metrics the components register
# (spec alloy-pyroscope.md: receive_http's dskit server metrics, write's
# pyroscope_write_* counters). A receive_http request on /ingest carries one
# profile; a push request may carry several series, so its counter counts requests.
COUNTER_RULES: tuple[CounterRule, ...] = (
    CounterRule("received", _REQUESTS, (_PROFILE_ROUTES,)),
    CounterRule("accepted", _REQUESTS, (_PROFILE_ROUTES,), status_class="2"),
    CounterRule("rejected", _REQUESTS, (_PROFILE_ROUTES,), status_class="2", negate=True),
    CounterRule("forwarded", "pyroscope_write_sent_profiles_total"),
    CounterRule("dropped", "pyroscope_write_dropped_profiles_total"),
    CounterRule("retries", "pyroscope_write_retries_total"),
    CounterRule("bytes_sent", "pyroscope_write_sent_bytes_total"),
)


def component_counters(
    registry: Any, rules: Iterable[CounterRule] = COUNTER_RULES
) -> dict[str, float]:
    """Sum a component registry's samples into the UI counters it has metrics for.

    A counter appears as soon as the component registers its metric family
    (at 0 before the first labelled sample exists), so a receiver shows no
    "forwarded" and an unknown component shows nothing.
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
    """Nodes (H4's component detail plus counters) and data-flow edges.

    An edge points from the component holding a reference to the component
    it references (receive_http's `forward_to` -> write's `receiver`), which
    is the way profiles travel.
    """
    from alloylite.server.app import _component_info

    states = dict(controller.components)
    nodes = []
    edges = []
    for cid, state in states.items():
        info = _component_info(controller, state, True)
        info["id"] = cid
        info["counters"] = component_counters(state.metrics)
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

    async def graph(_: Request) -> Response:
        return JSONResponse(graph_view(controller))

    return [
        Route("/", index),
        Route("/ui", ui_redirect),
        Route("/ui/{name:path}", static),
        Route("/api/v0/web/graph", graph),
    ]
