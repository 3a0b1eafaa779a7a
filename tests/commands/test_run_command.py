"""`alloylite run` end to end in a subprocess: ready, reload (SIGHUP and HTTP), shutdown."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.agent import free_port
from tests.test_api import GATED

WAIT = 60.0  # generous bound so a broken build fails instead of hanging

CONFIG = """\
pyroscope.receive_http "default" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = 0
  }
  forward_to = [pyroscope.write.backend.receiver]
}

pyroscope.write "backend" {
  endpoint {
    url = "http://127.0.0.1:9"
    basic_auth {
      username = "user"
      password = "hunter2"
    }
  }
  external_labels = { env = "%s" }
}
"""


class Agent:
    """A running `alloylite run` process and the lines it has logged so far."""

    def __init__(
        self,
        config: Path,
        *extra: str,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        """With `cwd`, the agent runs there as the console script would: the working directory
        is not on its sys.path (`-P`). `env` adds environment variables."""
        self.proc = subprocess.Popen(
            [
                sys.executable,
                *(["-P"] if cwd is not None else []),
                "-m",
                "alloylite",
                "run",
                str(config),
                "--server.http.listen-addr=127.0.0.1:0",
                *extra,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NO_COLOR": "1", **(env or {})},
            cwd=cwd,
        )
        self.lines: list[str] = []
        self._out = ""  # stdout, read once stderr ends
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        """stderr line by line, then (once the process closed it) stdout whole; both pipes
        closed here, so an agent a test never finishes leaks no file."""
        assert self.proc.stderr is not None and self.proc.stdout is not None
        for line in self.proc.stderr:
            self._queue.put(line)
        self.proc.stderr.close()
        self._out = self.proc.stdout.read()
        self.proc.stdout.close()
        self._queue.put(None)

    def wait_for(self, pattern: str, nth: int = 1) -> re.Match[str]:
        """The `nth` line logged that matches `pattern`, waiting for it if need be."""
        regex = re.compile(pattern)
        for line in self.lines:
            if (m := regex.search(line)) and (nth := nth - 1) == 0:
                return m
        while True:
            line = self._queue.get(timeout=WAIT)
            if line is None:
                raise AssertionError(f"exited before {pattern!r}: {''.join(self.lines)}")
            self.lines.append(line)
            if (m := regex.search(line)) and (nth := nth - 1) == 0:
                return m

    @property
    def base_url(self) -> str:
        return "http://" + self.wait_for(r'msg="now listening for http traffic".* addr=(\S+)')[1]

    def finish(self) -> tuple[int, str, str]:
        self.proc.wait(timeout=WAIT)
        while (line := self._queue.get(timeout=WAIT)) is not None:
            self.lines.append(line)
        return self.proc.returncode, self._out, "".join(self.lines)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.alloy"
    path.write_text(CONFIG % "one")
    return path


@pytest.fixture
def agent(config: Path) -> Iterator[Agent]:
    running = Agent(config, "--stability.level=public-preview")
    yield running
    if running.proc.poll() is None:
        running.proc.kill()
        running.proc.wait()


def labels(client: httpx.Client) -> dict[str, str]:
    detail = client.get("/api/v0/web/components/pyroscope.write.backend").json()
    return detail["arguments"]["external_labels"]


def test_ready_reload_and_clean_shutdown(agent: Agent, config: Path) -> None:
    with httpx.Client(base_url=agent.base_url, timeout=WAIT) as client:
        agent.wait_for('msg="alloylite is running"')
        r = client.get("/-/ready")
        assert (r.status_code, r.text) == (200, "Alloy is ready.\n")
        assert labels(client) == {"env": "one"}

        config.write_text(CONFIG % "two")
        agent.proc.send_signal(signal.SIGHUP)
        agent.wait_for('msg="config reloaded"')
        assert labels(client) == {"env": "two"}

        config.write_text(CONFIG % "three" + 'bogus.component "x" { }\n')
        r = client.post("/-/reload")
        assert r.status_code == 400
        assert 'cannot find the definition of component name "bogus.component"' in r.text
        assert labels(client) == {"env": "two"}
        assert client.get("/-/healthy").status_code == 200

        config.write_text(CONFIG % "four")
        r = client.get("/-/reload")
        assert (r.status_code, r.text) == (200, "config reloaded\n")
        assert labels(client) == {"env": "four"}
        metrics = client.get("/metrics").text
        assert "alloy_config_last_load_successful 1.0" in metrics

    agent.proc.send_signal(signal.SIGTERM)
    rc, _, err = agent.finish()
    assert rc == 0
    assert 'msg="shutdown complete"' in err
    assert "hunter2" not in err


def test_sigint_also_exits_0(agent: Agent) -> None:
    agent.wait_for('msg="alloylite is running"')
    agent.proc.send_signal(signal.SIGINT)
    assert agent.finish()[0] == 0


def test_initial_load_failure(tmp_path: Path) -> None:
    path = tmp_path / "bad.alloy"
    path.write_text('pyroscope.write "a" {\n  endpoint { }\n}\n')
    rc, _, err = Agent(path).finish()
    assert rc == 1
    assert (
        f"Error: {path}:1:1: Failed to build component: decoding configuration: "
        'missing required attribute "url"' in err
    )
    assert err.rstrip().endswith("Error: could not perform the initial load successfully")


def test_stability_gate_on_run(tmp_path: Path) -> None:
    path = tmp_path / "config.alloy"
    path.write_text(GATED)
    rc, _, err = Agent(path).finish()
    assert rc == 1
    assert 'component "pyroscope.enrich" is at stability level "experimental"' in err


def test_busy_listen_address(config: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "alloylite",
                "run",
                str(config),
                f"--server.http.listen-addr=127.0.0.1:{port}",
                "--stability.level=public-preview",
            ],
            capture_output=True,
            text=True,
            timeout=WAIT,
        )
    assert proc.returncode == 1
    assert f"listen tcp 127.0.0.1:{port}" in proc.stderr


def test_unreadable_config_path_is_a_plain_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.alloy"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "alloylite",
            "run",
            str(missing),
            "--server.http.listen-addr=127.0.0.1:0",
        ],
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert proc.returncode == 1
    assert f'Error: reading config path "{missing}": no such file or directory' in proc.stderr
    assert "-: reading" not in proc.stderr and "Traceback" not in proc.stderr


def test_logging_block_sets_format_and_level(tmp_path: Path) -> None:
    path = tmp_path / "config.alloy"
    path.write_text('logging {\n  level  = "debug"\n  format = "json"\n}\n' + CONFIG % "x")
    running = Agent(path, "--stability.level=public-preview")
    try:
        running.wait_for('"msg": "alloylite is running"')
        line = next(ln for ln in running.lines if "alloylite is running" in ln)
        record = json.loads(line)
        assert record["level"] == "info" and record["config_path"] == str(path)
        running.proc.send_signal(signal.SIGTERM)
        assert running.finish()[0] == 0
    finally:
        if running.proc.poll() is None:
            running.proc.kill()


WRITE_ONLY = """\
pyroscope.write "backend" {
  endpoint {
    url = "http://127.0.0.1:9"
  }
  external_labels = { env = "%s" }
}
"""


def test_workers_share_one_agent_server(tmp_path: Path) -> None:
    path = tmp_path / "config.alloy"
    path.write_text(WRITE_ONLY % "one")
    running = Agent(path, "--workers", "2")
    try:
        with httpx.Client(base_url=running.base_url, timeout=WAIT) as client:
            running.wait_for('msg="alloylite is running".* workers=2')
            assert client.get("/-/ready").status_code == 200
            assert client.get("/-/healthy").text == "All Alloy components are healthy.\n"
            metrics = client.get("/metrics").text
            assert 'alloy_config_last_load_successful{worker="0"} 1.0' in metrics
            assert 'alloy_config_last_load_successful{worker="1"} 1.0' in metrics
            assert metrics.count("# TYPE alloy_config_last_load_successful gauge") == 1

            path.write_text(WRITE_ONLY % "two")
            assert client.post("/-/reload").text == "config reloaded\n"
            assert labels(client) == {"env": "two"}
            assert running.wait_for(r'msg="config reloaded" worker=1')

            path.write_text(WRITE_ONLY % "three" + "oops {")
            r = client.post("/-/reload")
            assert r.status_code == 400
            assert labels(client) == {"env": "two"}
            metrics = client.get("/metrics").text
            assert 'alloy_config_load_failures_total{worker="1"} 1.0' in metrics
        running.proc.send_signal(signal.SIGTERM)
        rc, _, err = running.finish()
        assert rc == 0
        assert 'msg="shutdown complete" worker=0' in err
        assert 'msg="shutdown complete" worker=1' in err
    finally:
        if running.proc.poll() is None:
            running.proc.kill()


def test_workers_initial_load_failure(tmp_path: Path) -> None:
    path = tmp_path / "bad.alloy"
    path.write_text('pyroscope.write "a" {\n  bogus = 1\n}\n')
    rc, _, err = Agent(path, "--workers", "3").finish()
    assert rc == 1
    assert err.count('unrecognized attribute name "bogus"') == 1
    assert "Error: could not perform the initial load successfully" in err


def test_profiles_flow_from_receiver_to_writer(tmp_path: Path) -> None:
    """The graph is wired: an /ingest request reaches the backend through forward_to."""
    import http.server

    received: list[tuple[str, bytes, str | None]] = []

    class Backend(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append((self.path, body, self.headers.get("Authorization")))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    config = (CONFIG % "e2e").replace(
        "http://127.0.0.1:9", f"http://127.0.0.1:{backend.server_address[1]}"
    )
    path = tmp_path / "config.alloy"
    path.write_text(config)
    running = Agent(path, "--stability.level=public-preview")
    try:
        port = running.wait_for(r"receive_http listening on 127\.0\.0\.1:(\d+)")[1]
        running.wait_for('msg="alloylite is running"')
        r = httpx.post(
            f"http://127.0.0.1:{port}/ingest?name=app.cpu&format=folded",
            content=b"foo;bar 1\n",
            timeout=WAIT,
        )
        assert r.status_code == 200
        assert len(received) == 1
        target, body, auth = received[0]
        assert target.startswith("/ingest?")
        assert "name=app.cpu%7Benv%3De2e%2C" in target  # external label added by the writer
        assert body == b"foo;bar 1\n"
        assert auth is not None and auth.startswith("Basic ")
        running.proc.send_signal(signal.SIGTERM)
        assert running.finish()[0] == 0
    finally:
        if running.proc.poll() is None:
            running.proc.kill()
        backend.shutdown()


def test_workers_share_the_receiver_port(tmp_path: Path) -> None:
    port = free_port()
    config = (CONFIG % "w").replace("listen_port    = 0", f"listen_port    = {port}")
    path = tmp_path / "config.alloy"
    path.write_text(config)
    running = Agent(path, "--stability.level=public-preview", "--workers", "2")
    try:
        with httpx.Client(base_url=running.base_url, timeout=WAIT) as client:
            running.wait_for('msg="alloylite is running".* workers=2')
            assert running.wait_for(rf"receive_http listening on 127\.0\.0\.1:{port}.* worker=1")
            assert running.wait_for(rf"receive_http listening on 127\.0\.0\.1:{port}.* worker=0")
            metrics = client.get("/metrics").text
            for worker in ("0", "1"):
                assert (
                    "pyroscope_receive_http_tcp_connections_limit{component_id="
                    f'"pyroscope.receive_http.default",component_path="/",protocol="http",'
                    f'worker="{worker}"}} 16384.0' in metrics
                )
        running.proc.send_signal(signal.SIGTERM)
        assert running.finish()[0] == 0
    finally:
        if running.proc.poll() is None:
            running.proc.kill()


def test_workers_start_whatever_folder_they_run_from(tmp_path: Path) -> None:
    """Workers run the supervisor's own interpreter and package: a folder named `alloylite` in
    the working directory (an editable checkout's parent, a stray copy) is never imported."""
    decoy = tmp_path / "alloylite"
    decoy.mkdir()
    (decoy / "__init__.py").write_text('raise ImportError("the decoy package was imported")\n')
    port = free_port()
    config = (CONFIG % "w").replace("listen_port    = 0", f"listen_port    = {port}")
    path = tmp_path / "config.alloy"
    path.write_text(config)
    running = Agent(path, "--stability.level=public-preview", "--workers", "2", cwd=tmp_path)
    try:
        with httpx.Client(base_url=running.base_url, timeout=WAIT) as client:
            running.wait_for('msg="alloylite is running".* workers=2')
            for worker in ("0", "1"):
                assert running.wait_for(
                    rf"receive_http listening on 127\.0\.0\.1:{port}.* worker={worker}"
                )
            assert client.get("/-/ready").status_code == 200
            metrics = client.get("/metrics").text
            for worker in ("0", "1"):
                assert f'alloy_config_last_load_successful{{worker="{worker}"}} 1.0' in metrics
        running.proc.send_signal(signal.SIGTERM)
        assert running.finish()[0] == 0
    finally:
        if running.proc.poll() is None:
            running.proc.kill()
    assert "decoy" not in "".join(running.lines)


def test_an_open_live_view_does_not_hold_up_shutdown(tmp_path: Path) -> None:
    """A live-debugging stream never ends by itself: on SIGTERM the agent ends it (the
    viewer is told the service is off) instead of waiting for the viewer to leave."""
    path = tmp_path / "config.alloy"
    path.write_text("livedebugging {\n  enabled = true\n}\n" + WRITE_ONLY % "one")
    running = Agent(path)
    url = f"{running.base_url}/api/v0/web/debug/pyroscope.write.backend"
    running.wait_for('msg="alloylite is running"')
    with httpx.Client(timeout=WAIT) as client, client.stream("GET", url) as stream:
        assert stream.status_code == 200
        running.proc.send_signal(signal.SIGTERM)
        events = list(stream.iter_lines())  # ends only when the agent closes the stream
        code, _, log = running.finish()
    assert code == 0, log
    assert "event: disabled" in events
    assert 'msg="shutdown complete"' in log
