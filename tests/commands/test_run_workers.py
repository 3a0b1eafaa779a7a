"""`run --workers N` behaves like one agent from the outside, even when a worker misbehaves.

Workers are found through /proc (Linux): the supervisor's children, told apart by the
ALLOYLITE_WORKER_INDEX in their environment.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.commands.test_run_command import CONFIG, WAIT, WRITE_ONLY, Agent, labels
from tests.integration.agent import free_port

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="finds workers through /proc")

TIMEOUT = "0.5"  # ALLOYLITE_WORKER_TIMEOUT: how long the supervisor waits for a worker


def worker_pids(supervisor: int) -> dict[int, int]:
    """{worker index: pid} of the supervisor's children."""
    out: dict[int, int] = {}
    for task in Path(f"/proc/{supervisor}/task").iterdir():
        for pid in (task / "children").read_text().split():
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            for item in environ:
                if item.startswith(b"ALLOYLITE_WORKER_INDEX="):
                    out[int(item.split(b"=", 1)[1])] = int(pid)
    return out


def gone(pid: int) -> bool:
    """The process has exited (reaped, or a zombie waiting for its new parent)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


def config_on(port: int, env: str) -> str:
    """CONFIG with receive_http on `port` (shared by the workers; 0 would give each its own)."""
    return (CONFIG % env).replace("listen_port    = 0", f"listen_port    = {port}")


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[Agent, Path]]:
    path = tmp_path / "config.alloy"
    port = free_port()
    path.write_text(config_on(port, "one"))
    running = Agent(
        path,
        "--stability.level=public-preview",
        "--workers",
        "2",
        env={"ALLOYLITE_WORKER_TIMEOUT": TIMEOUT},
    )
    running.wait_for('msg="alloylite is running".* workers=2')
    try:
        yield running, path
    finally:
        for pid in worker_pids(running.proc.pid).values() if running.proc.poll() is None else []:
            os.kill(pid, signal.SIGCONT)
        if running.proc.poll() is None:
            running.proc.send_signal(signal.SIGTERM)
            try:
                running.proc.wait(timeout=WAIT)
            except Exception:
                running.proc.kill()


def test_a_stopped_worker_does_not_hang_the_agent(workers: tuple[Agent, Path]) -> None:
    running, _ = workers
    os.kill(worker_pids(running.proc.pid)[1], signal.SIGSTOP)
    # The client's own timeout (WAIT) is the bound: without the supervisor's, these hang.
    with httpx.Client(base_url=running.base_url, timeout=WAIT) as client:
        r = client.get("/-/healthy")
        assert r.status_code == 500
        assert r.text == f"unhealthy components: worker 1 (no answer within {TIMEOUT}s)\n"
        metrics = client.get("/metrics").text
        assert 'alloy_config_last_load_successful{worker="0"} 1.0' in metrics
        assert 'worker="1"' not in metrics
        assert labels(client) == {"env": "one"}
        graph = client.get("/api/v0/web/graph")
        assert graph.status_code == 200
        assert {n["id"] for n in graph.json()["nodes"]} == {
            "pyroscope.receive_http.default",
            "pyroscope.write.backend",
        }


def test_web_ui_and_graph_are_served_over_the_workers(workers: tuple[Agent, Path]) -> None:
    running, _ = workers
    port = running.wait_for(r"receive_http listening on 127\.0\.0\.1:(\d+)")[1]
    for _ in range(6):  # a new connection each: the kernel spreads them over the workers
        r = httpx.post(f"http://127.0.0.1:{port}/ingest?format=folded", content=b"a 1\n")
        assert r.status_code >= 400  # refused (the backend is down), but counted as received
    with httpx.Client(base_url=running.base_url, timeout=WAIT) as client:
        index = client.get("/")
        assert index.status_code == 200
        assert index.headers["content-type"].startswith("text/html")
        assert client.get("/ui").headers["location"] == "/ui/"
        assert client.get("/ui/app.js").status_code == 200
        graph = client.get("/api/v0/web/graph").json()
        nodes = {n["id"]: n for n in graph["nodes"]}
        assert nodes["pyroscope.receive_http.default"]["counters"]["received"] == 6
        assert graph["edges"] == [
            {"from": "pyroscope.receive_http.default", "to": "pyroscope.write.backend"}
        ]


def test_workers_exit_when_the_supervisor_is_killed(workers: tuple[Agent, Path]) -> None:
    running, _ = workers
    pids = list(worker_pids(running.proc.pid).values())
    assert len(pids) == 2
    running.proc.kill()
    running.proc.wait(timeout=WAIT)
    deadline = time.monotonic() + WAIT
    while not all(gone(pid) for pid in pids):
        assert time.monotonic() < deadline, "workers outlived their supervisor"
        time.sleep(0.05)


def test_a_reload_a_worker_misses_still_reaches_every_worker(
    workers: tuple[Agent, Path],
) -> None:
    """Worker 1 is stopped during the reload: the reload answers, names the worker, and the
    workers converge on the new config (worker 1 is restarted and loads it)."""
    running, path = workers
    before = worker_pids(running.proc.pid)
    os.kill(before[1], signal.SIGSTOP)
    port = running.wait_for(r"receive_http listening on 127\.0\.0\.1:(\d+)")[1]
    path.write_text(config_on(int(port), "two"))
    with httpx.Client(base_url=running.base_url, timeout=WAIT) as client:
        r = client.post("/-/reload")
        assert (r.status_code, r.text) == (200, "config reloaded\n")
        running.wait_for(
            r'msg="worker failed to reload, restarting it" worker=1 '
            r'err="worker 1: no answer within'
        )
        after = worker_pids(running.proc.pid)
        assert after[0] == before[0] and after[1] != before[1]
        assert client.get("/-/ready").status_code == 200
        assert client.get("/-/healthy").status_code == 200
    listening = r'msg="now listening for http traffic" worker=1 .*addr=(\S+)'
    address = running.wait_for(listening, nth=2)[1]  # the restarted worker 1's own API
    with httpx.Client(base_url=f"http://{address}", timeout=WAIT) as worker1:
        assert labels(worker1) == {"env": "two"}


def test_a_reload_that_fails_everywhere_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "config.alloy"
    path.write_text(WRITE_ONLY % "one")
    running = Agent(path, "--workers", "2", env={"ALLOYLITE_WORKER_TIMEOUT": TIMEOUT})
    try:
        running.wait_for('msg="alloylite is running".* workers=2')
        before = worker_pids(running.proc.pid)
        path.write_text(WRITE_ONLY % "two" + "oops {")
        with httpx.Client(base_url=running.base_url, timeout=WAIT) as client:
            r = client.post("/-/reload")
            assert r.status_code == 400
            assert r.text.startswith("error during the reload: ")
            assert labels(client) == {"env": "one"}
        assert worker_pids(running.proc.pid) == before  # nobody was restarted
    finally:
        running.proc.kill()
        running.proc.wait(timeout=WAIT)


def test_live_debugging_merges_every_workers_lines(tmp_path: Path) -> None:
    """Under --workers, the live view shows what every worker saw: the stream interleaves
    the workers' lines (each names its worker; a stored profile is fetched from the worker
    that kept it), the errors are all workers', the status is theirs summed."""
    path = tmp_path / "config.alloy"
    port = free_port()
    path.write_text("livedebugging {\n  enabled = true\n}\n" + config_on(port, "one"))
    running = Agent(path, "--stability.level=public-preview", "--workers", "2")
    try:
        running.wait_for('msg="alloylite is running".* workers=2')
        sent = 6
        for _ in range(sent):  # a new connection each: the kernel spreads them over workers
            r = httpx.post(f"http://127.0.0.1:{port}/ingest?format=folded", content=b"a 1\n")
            assert r.status_code >= 400  # the backend is down: an error for the live view
        with httpx.Client(base_url=running.base_url, timeout=WAIT) as client:
            status = client.get("/api/v0/web/debug").json()
            assert status["enabled"] is True and status["memory_bytes"] > 0
            lines = []
            url = "/api/v0/web/debug/pyroscope.receive_http.default"
            with client.stream("GET", url) as stream:
                assert stream.headers["content-type"].startswith("text/event-stream")
                for event in stream.iter_lines():
                    if event.startswith("data: "):
                        lines.append(json.loads(event[len("data: ") :]))
                    if len(lines) == sent:
                        break
            assert {line["worker"] for line in lines} <= {0, 1}
            kept = [line["profile"] for line in lines if line.get("profile")]
            assert kept and all(ref.split("-")[0] in ("0", "1") for ref in kept)
            shown = client.get(f"{url}/profiles/{kept[0]}")
            assert shown.status_code == 200, shown.text
            errors = client.get("/api/v0/web/debug/pyroscope.write.backend/errors").json()
            assert errors and {e["worker"] for e in errors} <= {0, 1}
            times = [e["time"] for e in errors]
            assert times == sorted(times, reverse=True)
            unknown = client.get("/api/v0/web/debug/pyroscope.write.nope/errors")
            assert unknown.status_code == 404
    finally:
        running.proc.send_signal(signal.SIGTERM)
        running.proc.wait(timeout=WAIT)
