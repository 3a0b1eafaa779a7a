"""`alloylite run PATH`: serve the agent's HTTP endpoints and run the config.

Lifecycle (alloy-syntax.md §6.1): the HTTP server starts before the first
load, so `/metrics` and `/-/ready` answer while loading; a failed first load
prints the diagnostics and exits 1. SIGHUP and `/-/reload` reload the config,
SIGINT/SIGTERM stop receivers first, then writers, and exit 0.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from alloylite.commands.report import plain, write_pretty
from alloylite.runtime import logging as alloy_logging
from alloylite.runtime.component import Stability
from alloylite.runtime.controller import Controller, LoadFailed
from alloylite.runtime.registry import default_registry


class _Signals:
    """SIGINT and SIGTERM set `stop`; SIGHUP runs `reload` in a task.

    Reload tasks stay referenced here until done (the loop keeps only weak references to
    tasks), for as long as the caller keeps this object.
    """

    def __init__(
        self, stop: asyncio.Event, reload: Callable[[], Coroutine[Any, Any, object]]
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._reload = reload
        self._pending: set[asyncio.Task[object]] = set()
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._loop.add_signal_handler(sig, stop.set)
        self._loop.add_signal_handler(signal.SIGHUP, self._on_hup)

    def _on_hup(self) -> None:
        task = self._loop.create_task(self._reload())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def remove(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            self._loop.remove_signal_handler(sig)


async def _serve(args: argparse.Namespace) -> int:
    from alloylite.server.app import build_app
    from alloylite.server.listener import ListenAddrError, Server, address_of, bind
    from alloylite.server.supervisor import announce_ready, die_with_supervisor, worker_settings

    worker = worker_settings()
    if worker is not None:
        die_with_supervisor()
    extra: dict[str, Any] = {"workers": 1, "worker_index": 0}
    log = alloy_logging.get_logger()
    if worker is not None:
        extra = {"workers": worker[1], "worker_index": worker[0]}
        log = log.with_values(worker=worker[0])
        alloy_logging.bind_defaults(worker=worker[0])
    controller = Controller(
        args.path,
        default_registry(community_enabled=getattr(args, "community_components", False)),
        Stability.parse(args.stability_level),
        extra_options=extra,
    )

    reload_lock = asyncio.Lock()

    async def reload() -> str | None:
        async with reload_lock:
            log.info("reload requested")
            try:
                await controller.load()
            except LoadFailed as err:
                text = plain(err.diagnostics)
                log.error("failed to reload config", kv={"err": text})
                return f"error during the reload: {text}"
            log.info("config reloaded")
            return None

    try:
        sock = bind(args.listen_addr)
    except ListenAddrError as err:
        print(f"Error: failed to start HTTP server: {err}", file=sys.stderr)
        return 1
    server = Server(build_app(controller, reload), sock)
    await server.start()
    log.info("now listening for http traffic", kv={"service": "http", "addr": address_of(sock)})

    stop = asyncio.Event()
    signals = _Signals(stop, reload)

    failed: LoadFailed | None = None
    try:
        try:
            await controller.load()
        except LoadFailed as err:
            failed = err
        else:
            log.info("alloylite is running", kv={"config_path": args.path})
            if worker is not None:
                announce_ready(worker[2], address_of(sock))
            await stop.wait()
            log.info("shutting down")
    finally:
        signals.remove()
        await controller.stop()
        await server.stop()
    if failed is not None and failed.read_error:
        print(f"Error: {failed.read_error}", file=sys.stderr)
        return 1
    if failed is not None:
        write_pretty(sys.stderr, failed.diagnostics, failed.sources)
        sys.stdout.write("\n")
        sys.stdout.flush()
        print("Error: could not perform the initial load successfully", file=sys.stderr)
        return 1
    log.info("shutdown complete")
    return 0


async def _supervise(args: argparse.Namespace) -> int:
    from alloylite.server.listener import ListenAddrError, Server, address_of, bind
    from alloylite.server.supervisor import Supervisor, WorkerFailed, worker_argv
    from alloylite.server.supervisor_app import build_supervisor_app

    log = alloy_logging.get_logger()
    try:
        sock = bind(args.listen_addr)
    except ListenAddrError as err:
        print(f"Error: failed to start HTTP server: {err}", file=sys.stderr)
        return 1
    sup = Supervisor(worker_argv(args), args.workers)
    server = Server(build_supervisor_app(sup), sock)
    await server.start()
    log.info("now listening for http traffic", kv={"service": "http", "addr": address_of(sock)})
    stop = asyncio.Event()

    async def reload() -> None:
        error = await sup.reload()
        if error is None:
            log.info("config reloaded", kv={"workers": args.workers})
        else:
            log.error("failed to reload config", kv={"err": error})

    signals = _Signals(stop, reload)
    code = 0
    try:
        starting = asyncio.create_task(sup.start())
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait({starting, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if starting.done() and starting.exception() is not None:
            failure = starting.exception()
            code = (
                failure.returncode
                if isinstance(failure, WorkerFailed) and failure.returncode
                else 1
            )
        elif not stop.is_set():
            log.info("alloylite is running", kv={"config_path": args.path, "workers": args.workers})
            await stop.wait()
            log.info("shutting down")
        if not starting.done():
            starting.cancel()
        stopped.cancel()
    finally:
        signals.remove()
        await sup.stop()
        await server.stop()
    if code == 0:
        log.info("shutdown complete")
    return code


def _runner() -> asyncio.Runner:
    try:
        import uvloop
    except ImportError:
        return asyncio.Runner()
    return asyncio.Runner(loop_factory=uvloop.new_event_loop)


def run_command(args: argparse.Namespace) -> int:
    alloy_logging.setup(sys.stderr)
    from alloylite.server.supervisor import worker_settings

    if getattr(args, "workers", 1) < 1:
        print("Error: --workers must be at least 1", file=sys.stderr)
        return 2
    supervise = args.workers > 1 and worker_settings() is None
    with _runner() as runner:
        return runner.run(_supervise(args) if supervise else _serve(args))
