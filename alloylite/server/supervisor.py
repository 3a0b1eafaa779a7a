"""`run --workers N`: N worker processes behind one agent HTTP server.

Each worker is a complete `alloylite run` (its own controller, its own agent
server on a private 127.0.0.1 port) started with ALLOYLITE_WORKER_* variables
set; receive_http shares its port between workers through SO_REUSEPORT. The
supervisor serves the agent endpoints for all of them: ready when every
worker is, healthy when every worker is, `/-/reload` and SIGHUP reach every
worker, `/metrics` merges the workers' expositions with a `worker` label, and
the component API is worker 0's (all workers run the same graph).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.core import Metric
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import Collector, CollectorRegistry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from alloylite.runtime import logging as alloy_logging
from alloylite.server.metrics import exposition

ENV_INDEX = "ALLOYLITE_WORKER_INDEX"
ENV_COUNT = "ALLOYLITE_WORKERS"
ENV_READY_FD = "ALLOYLITE_WORKER_READY_FD"


def worker_settings() -> tuple[int, int, int] | None:
    """(index, count, ready fd) when this process is a worker, else None."""
    if ENV_INDEX not in os.environ:
        return None
    return int(os.environ[ENV_INDEX]), int(os.environ[ENV_COUNT]), int(os.environ[ENV_READY_FD])


def announce_ready(fd: int, address: str) -> None:
    """Tell the supervisor this worker finished its first load and where its API is."""
    os.write(fd, (address + "\n").encode())
    os.close(fd)


@dataclass
class Worker:
    index: int
    proc: asyncio.subprocess.Process | None = None
    address: str | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)


class WorkerFailed(Exception):
    def __init__(self, returncode: int) -> None:
        super().__init__(f"worker exited with status {returncode}")
        self.returncode = returncode


class Supervisor:
    def __init__(self, argv: list[str], count: int) -> None:
        self.argv = argv  # the worker command line (without --workers)
        self.workers = [Worker(i) for i in range(count)]
        self.stopping = False
        self.log = alloy_logging.get_logger()
        self.client = httpx.AsyncClient(timeout=None)
        self._watchers: set[asyncio.Task[None]] = set()

    async def start_worker(self, worker: Worker) -> None:
        read_fd, write_fd = os.pipe()
        env = {
            **os.environ,
            ENV_INDEX: str(worker.index),
            ENV_COUNT: str(len(self.workers)),
            ENV_READY_FD: str(write_fd),
        }
        worker.ready.clear()
        worker.address = None
        worker.proc = await asyncio.create_subprocess_exec(
            *self.argv, env=env, pass_fds=(write_fd,), stdin=asyncio.subprocess.DEVNULL
        )
        os.close(write_fd)
        line = await asyncio.to_thread(_read_line, read_fd)
        if not line:
            code = await worker.proc.wait()
            raise WorkerFailed(code)
        worker.address = line
        worker.ready.set()
        watcher = asyncio.create_task(self._watch(worker))
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)

    async def _watch(self, worker: Worker) -> None:
        """Restart a worker that dies while the agent is running."""
        assert worker.proc is not None
        code = await worker.proc.wait()
        if self.stopping:
            return
        worker.ready.clear()
        self.log.error("worker exited, restarting it", kv={"worker": worker.index, "status": code})
        try:
            await self.start_worker(worker)
        except WorkerFailed as err:
            self.log.error("worker could not restart", kv={"worker": worker.index, "err": str(err)})

    async def start(self) -> None:
        """Worker 0 first (its diagnostics are the user's answer), then the rest."""
        await self.start_worker(self.workers[0])
        await asyncio.gather(*(self.start_worker(w) for w in self.workers[1:]))

    async def stop(self) -> None:
        self.stopping = True
        for worker in self.workers:
            if worker.proc is not None and worker.proc.returncode is None:
                worker.proc.send_signal(signal.SIGTERM)
        for worker in self.workers:
            if worker.proc is not None:
                await worker.proc.wait()
        for task in list(self._watchers):
            task.cancel()
        await self.client.aclose()

    # ------------------------------------------------------------ fan-out

    def live(self) -> list[Worker]:
        return [w for w in self.workers if w.ready.is_set() and w.address]

    async def _each(self, method: str, path: str) -> list[httpx.Response | Exception]:
        async def one(worker: Worker) -> httpx.Response | Exception:
            try:
                return await self.client.request(method, f"http://{worker.address}{path}")
            except httpx.HTTPError as err:
                return err

        return list(await asyncio.gather(*(one(w) for w in self.live())))

    async def reload(self) -> str | None:
        for result in await self._each("POST", "/-/reload"):
            if isinstance(result, Exception):
                return f"error during the reload: {result}"
            if result.status_code != 200:
                return result.text.rstrip("\n")
        return None

    async def metrics_text(self) -> list[tuple[int, str]]:
        out = []
        for worker, result in zip(self.live(), await self._each("GET", "/metrics"), strict=True):
            if isinstance(result, httpx.Response) and result.status_code == 200:
                out.append((worker.index, result.text))
        return out


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


def build_supervisor_app(sup: Supervisor) -> Starlette:
    async def ready(_: Request) -> Response:
        if all(w.ready.is_set() for w in sup.workers):
            return PlainTextResponse("Alloy is ready.\n")
        return PlainTextResponse("Alloy is not ready.\n", status_code=503)

    async def healthy(_: Request) -> Response:
        bad: list[str] = []
        for worker in sup.workers:
            if not worker.ready.is_set():
                bad.append(f"worker {worker.index}")
        for result in await sup._each("GET", "/-/healthy"):
            if isinstance(result, Exception):
                bad.append(str(result))
            elif result.status_code != 200:
                for name in result.text.strip().removeprefix("unhealthy components: ").split(", "):
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
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_WorkerMetrics(await sup.metrics_text()))
        return Response(exposition(registry), media_type="text/plain; version=0.0.4; charset=utf-8")

    async def proxy(request: Request) -> Response:
        live = sup.live()
        if not live:
            return PlainTextResponse("Alloy is not ready.\n", status_code=503)
        result = await sup.client.get(f"http://{live[0].address}{request.url.path}")
        return Response(
            result.content,
            status_code=result.status_code,
            media_type=result.headers.get("content-type"),
        )

    return Starlette(
        routes=[
            Route("/-/ready", ready),
            Route("/-/healthy", healthy),
            Route("/-/reload", do_reload, methods=["GET", "POST"]),
            Route("/metrics", metrics),
            Route("/api/v0/web/components", proxy),
            Route("/api/v0/web/components/{id:path}", proxy),
        ]
    )


def _read_line(fd: int) -> str:
    with os.fdopen(fd, "rb") as pipe:
        return pipe.readline().decode().strip()


# A worker runs the supervisor's own entry point (`alloylite.cli.main`) from the package the
# supervisor imported, whatever the working directory holds: `-P` keeps the working directory
# off sys.path (a folder there named `alloylite`, such as a checkout's, would shadow the
# package), and the package's parent folder is put on sys.path only when the interpreter
# would not find it by itself (an editable install, or a supervisor started from a checkout).
_WORKER_ENTRY = """\
import os, sys
root = sys.argv.pop(1)
if root not in map(os.path.realpath, sys.path):
    sys.path.insert(0, root)
from alloylite.cli import main
sys.exit(main())
"""


def worker_argv(args: Any) -> list[str]:
    """The command line of a worker: the supervisor's interpreter and package."""
    package_root = str(Path(__file__).resolve().parents[2])  # the folder holding alloylite/
    return [
        sys.executable,
        "-P",
        "-c",
        _WORKER_ENTRY,
        package_root,
        "run",
        args.path,
        f"--stability.level={args.stability_level}",
        "--server.http.listen-addr=127.0.0.1:0",
    ]
