"""The HTTP/1.1 trailers wrapper holds its request cycle weakly: uvicorn breaks its own
reference cycles so a finished request is freed at once, and a wrapper installed on every
HTTP/1.1 request must not make each one wait for a full garbage collection."""

from __future__ import annotations

import gc
import weakref
from typing import Any

from alloylite.components.pyroscope.receive_http.http1_trailers import EXTENSION, install


class _Cycle:
    def __init__(self, version: str, method: str = "POST") -> None:
        self.scope: dict[str, Any] = {"http_version": version, "method": method}

    async def send(self, message: dict[str, Any]) -> None:
        pass


def test_a_finished_request_is_freed_without_a_garbage_collection() -> None:
    gc.disable()
    try:
        cycle = _Cycle("1.1")
        install(cycle)
        assert EXTENSION in cycle.scope["extensions"]
        gone = weakref.ref(cycle)
        del cycle
        assert gone() is None
    finally:
        gc.enable()


def test_only_http_1_1_requests_with_a_body_get_the_extension() -> None:
    for cycle in (_Cycle("1.0"), _Cycle("1.1", "HEAD")):
        install(cycle)
        assert "extensions" not in cycle.scope
