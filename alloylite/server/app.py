"""The agent's own HTTP server: health, reload, metrics and the component API.

Texts and status codes are Alloy's (service/http/http.go, web/api/api.go), so
probes and scripts written for Alloy work unchanged. Arguments are shown via
`schema.encode`, which prints secrets as `(secret)`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from alloylite.runtime.controller import Controller
from alloylite.server.component_info import component_info, module_not_found
from alloylite.server.live_api import live_routes
from alloylite.server.metrics import build_registry, exposition
from alloylite.server.ui import ui_routes

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

# Reload callback: returns None on success, else the error text.
Reloader = Callable[[], Awaitable[str | None]]


def build_app(
    controller: Controller, reload: Reloader, metrics_registry: CollectorRegistry | None = None
) -> Starlette:
    registry = metrics_registry or build_registry(controller)

    async def ready(_: Request) -> Response:
        if controller.loaded_once:
            return PlainTextResponse("Alloy is ready.\n")
        return PlainTextResponse("Alloy is not ready.\n", status_code=503)

    async def healthy(_: Request) -> Response:
        bad = controller.unhealthy()
        if bad:
            return PlainTextResponse(f"unhealthy components: {', '.join(bad)}\n", status_code=500)
        return PlainTextResponse("All Alloy components are healthy.\n")

    async def do_reload(_: Request) -> Response:
        error = await reload()
        if error is not None:
            return PlainTextResponse(error + "\n", status_code=400)
        return PlainTextResponse("config reloaded\n")

    async def metrics(_: Request) -> Response:
        return Response(exposition(registry), media_type=CONTENT_TYPE_LATEST)

    async def components(request: Request) -> Response:
        ctl = controller.module(request.path_params.get("module_id", ""))
        if ctl is None:
            return module_not_found()
        states = list(ctl.components.values())
        return JSONResponse([component_info(ctl, s, False) for s in states])

    async def component(request: Request) -> Response:
        found = controller.find(request.path_params["id"])  # `<module ID>/<local ID>`
        if found is None:
            return PlainTextResponse("404 page not found\n", status_code=404)
        return JSONResponse(component_info(*found, True))

    routes = [
        Route("/-/ready", ready),
        Route("/-/healthy", healthy),
        Route("/-/reload", do_reload, methods=["GET", "POST"]),
        Route("/metrics", metrics),
        Route("/api/v0/web/components", components),
        Route("/api/v0/web/components/{id:path}", component),
        Route("/api/v0/web/modules/{module_id:path}/components", components),
    ]
    routes += live_routes(controller)  # live debugging (alloylite/server/live_api.py)
    routes += ui_routes(controller)  # the web UI at / and /ui/ (alloylite/server/ui.py)
    return Starlette(routes=routes)
