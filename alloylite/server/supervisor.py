"""`run --workers N`: N worker processes behind one agent HTTP server.

Each worker is a complete `alloylite run` (its own controller, its own agent
server on a private 127.0.0.1 port) started with ALLOYLITE_WORKER_* variables
set; receive_http shares its port between workers through SO_REUSEPORT. This
module starts, watches and talks to the workers; supervisor_app.py serves the
agent endpoints for all of them.

Every call to a worker is bounded by a timeout, so one stuck worker (stopped,
deadlocked, swapping) cannot hang the agent's own endpoints: it is reported
instead. A worker dies with its supervisor (`die_with_supervisor`), so a
killed supervisor never leaves workers holding the ports.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from alloylite.runtime import logging as alloy_logging

ENV_INDEX = "ALLOYLITE_WORKER_INDEX"
ENV_COUNT = "ALLOYLITE_WORKERS"
ENV_READY_FD = "ALLOYLITE_WORKER_READY_FD"
ENV_SUPERVISOR_PID = "ALLOYLITE_SUPERVISOR_PID"
# Seconds a worker has to answer a probe, /metrics or the API; a reload gets RELOAD_FACTOR
# times as long (loading a config legitimately takes longer than answering a probe).
ENV_TIMEOUT = "ALLOYLITE_WORKER_TIMEOUT"
DEFAULT_TIMEOUT = 5.0
RELOAD_FACTOR = 6
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def worker_settings() -> tuple[int, int, int] | None:
    """(index, count, ready fd) when this process is a worker, else None."""
    if ENV_INDEX not in os.environ:
        return None
    return int(os.environ[ENV_INDEX]), int(os.environ[ENV_COUNT]), int(os.environ[ENV_READY_FD])


def die_with_supervisor() -> None:
    """Have the kernel send this worker SIGTERM (a clean shutdown) when its supervisor dies.

    Without it a SIGKILLed supervisor leaves its workers running and holding the receivers'
    ports, so a new agent cannot start. PR_SET_PDEATHSIG is Linux's; elsewhere a thread
    polls the parent pid. The parent pid is checked after arming, in case the supervisor
    died before this ran.
    """
    supervisor = int(os.environ.get(ENV_SUPERVISOR_PID, "0"))
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    else:
        import threading
        import time

        def poll() -> None:
            while os.getppid() == supervisor:
                time.sleep(1)
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=poll, daemon=True, name="supervisor-watch").start()
    if supervisor and os.getppid() != supervisor:
        os.kill(os.getpid(), signal.SIGTERM)


def announce_ready(fd: int, address: str) -> None:
    """Tell the supervisor this worker finished its first load and where its API is."""
    os.write(fd, (address + "\n").encode())
    os.close(fd)


def worker_timeout() -> float:
    try:
        value = float(os.environ.get(ENV_TIMEOUT, DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


@dataclass
class Worker:
    index: int
    proc: asyncio.subprocess.Process | None = None
    address: str | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    restarted: asyncio.Event = field(default_factory=asyncio.Event)


class WorkerFailed(Exception):
    def __init__(self, returncode: int) -> None:
        super().__init__(f"worker exited with status {returncode}")
        self.returncode = returncode


class WorkerError(Exception):
    """A worker that did not answer, or answered with a transport error."""

    def __init__(self, worker: Worker, reason: str) -> None:
        super().__init__(f"worker {worker.index}: {reason}")
        self.worker = worker
        self.reason = reason


Answer = httpx.Response | WorkerError


class Supervisor:
    def __init__(self, argv: list[str], count: int) -> None:
        self.argv = argv  # the worker command line (without --workers)
        self.workers = [Worker(i) for i in range(count)]
        self.stopping = False
        self.log = alloy_logging.get_logger()
        self.timeout = worker_timeout()
        self.client = httpx.AsyncClient(timeout=self.timeout)
        self._watchers: set[asyncio.Task[None]] = set()
        self._reload_lock = asyncio.Lock()

    async def start_worker(self, worker: Worker) -> None:
        read_fd, write_fd = os.pipe()
        env = {
            **os.environ,
            ENV_INDEX: str(worker.index),
            ENV_COUNT: str(len(self.workers)),
            ENV_READY_FD: str(write_fd),
            ENV_SUPERVISOR_PID: str(os.getpid()),
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
        finally:
            worker.restarted.set()

    async def start(self) -> None:
        """Worker 0 first (its diagnostics are the user's answer), then the rest."""
        await self.start_worker(self.workers[0])
        await asyncio.gather(*(self.start_worker(w) for w in self.workers[1:]))

    async def stop(self) -> None:
        self.stopping = True
        for worker in self.workers:
            if worker.proc is not None and worker.proc.returncode is None:
                worker.proc.send_signal(signal.SIGTERM)
                worker.proc.send_signal(signal.SIGCONT)  # a stopped worker must see it too
        for worker in self.workers:
            if worker.proc is not None:
                await worker.proc.wait()
        for task in list(self._watchers):
            task.cancel()
        await self.client.aclose()

    # ------------------------------------------------------------ fan-out

    def live(self) -> list[Worker]:
        return [w for w in self.workers if w.ready.is_set() and w.address]

    async def ask(self, worker: Worker, method: str, path: str, timeout: float) -> Answer:
        """One call to one worker, never longer than `timeout` seconds."""
        try:
            return await self.client.request(
                method, f"http://{worker.address}{path}", timeout=timeout
            )
        except httpx.TimeoutException:
            return WorkerError(worker, f"no answer within {timeout:g}s")
        except httpx.HTTPError as err:
            return WorkerError(worker, str(err) or type(err).__name__)

    async def each(self, method: str, path: str) -> list[tuple[Worker, Answer]]:
        """The same call to every live worker at once."""
        live = self.live()
        answers = await asyncio.gather(*(self.ask(w, method, path, self.timeout) for w in live))
        return list(zip(live, answers, strict=True))

    async def first(self, path: str) -> Answer | None:
        """GET from the first live worker that answers (all run the same graph)."""
        answer: Answer | None = None
        for worker in self.live():
            answer = await self.ask(worker, "GET", path, self.timeout)
            if isinstance(answer, httpx.Response):
                return answer
        return answer

    async def reload(self) -> str | None:
        """Reload every worker; all of them end on the same config, or the error says which not.

        Workers read the same file, so a config error fails on all of them alike and each
        keeps its previous graph. A worker that fails while others succeeded (it timed out,
        or the file changed between reads) is restarted: a fresh worker loads the file the
        others loaded, so the workers converge on the new config. The answer names that
        worker, and is an error only when it could not come back.
        """
        async with self._reload_lock:
            live = self.live()
            timeout = self.timeout * RELOAD_FACTOR
            answers = await asyncio.gather(
                *(self.ask(w, "POST", "/-/reload", timeout) for w in live)
            )
            failed = [(w, a) for w, a in zip(live, answers, strict=True) if not _reloaded(a)]
            if not failed:
                return None
            if len(failed) == len(live):
                return _reason(failed[0][1])
            problems = []
            for worker, answer in failed:
                reason = _reason(answer)
                self.log.error(
                    "worker failed to reload, restarting it",
                    kv={"worker": worker.index, "err": reason},
                )
                if not await self.restart(worker):
                    problems.append(f"worker {worker.index}: {reason}; it could not restart")
            if problems:
                return "error during the reload: " + "; ".join(problems)
            return None

    async def restart(self, worker: Worker) -> bool:
        """Kill a worker and wait for the watcher to start it again; True once it is ready."""
        if worker.proc is None or worker.proc.returncode is not None:
            return worker.ready.is_set()
        worker.restarted.clear()
        worker.proc.kill()  # SIGKILL: it may be stopped or stuck
        try:
            await asyncio.wait_for(worker.restarted.wait(), self.timeout * RELOAD_FACTOR)
        except TimeoutError:
            return False
        return worker.ready.is_set()


def _reloaded(answer: Answer) -> bool:
    return isinstance(answer, httpx.Response) and answer.status_code == 200


def _reason(answer: Answer) -> str:
    if isinstance(answer, WorkerError):
        return str(answer)
    return answer.text.rstrip("\n")


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
