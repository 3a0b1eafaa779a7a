"""What the `--workers` supervisor answers on a worker's behalf (supervisor_app.py,
supervisor_live.py): a worker's own answer passed on, or that no worker is ready."""

from __future__ import annotations

import httpx
from starlette.responses import PlainTextResponse, Response

NOT_READY = "Alloy is not ready.\n"


def not_ready() -> Response:
    return PlainTextResponse(NOT_READY, status_code=503)


def relay(answer: httpx.Response) -> Response:
    """A worker's answer as the supervisor's (the UI's `/ui` redirect keeps its Location).
    A streamed answer must have been read (`aread`) first."""
    headers = {k: answer.headers[k] for k in ("location", "cache-control") if k in answer.headers}
    return Response(
        answer.content,
        status_code=answer.status_code,
        media_type=answer.headers.get("content-type"),
        headers=headers,
    )
