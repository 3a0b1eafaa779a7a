"""Run `alloylite run <config>` in a subprocess on free 127.0.0.1 ports, and a
recording tap that sits between an SDK and the agent.

The tap is a tiny reverse proxy: it keeps the exact bytes an SDK sent so a test
can compare them with what reached the fake Pyroscope.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from tests.integration.fake_pyroscope import Request

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Agent:
    proc: subprocess.Popen[bytes]
    api_port: int
    log_path: Path

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        """SIGTERM and wait: returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("alloylite did not stop on SIGTERM") from None
        return int(self.proc.returncode)


def start_agent(config: str, tmp: Path, *extra: str, env: dict[str, str] | None = None) -> Agent:
    """Write `config`, start the agent and wait until /-/ready answers 200."""
    path = tmp / "config.alloy"
    path.write_text(config)
    return start_agent_file(path, tmp, *extra, env=env)


def start_agent_file(
    path: Path, tmp: Path, *extra: str, env: dict[str, str] | None = None
) -> Agent:
    """Start the agent on a config file as it is (its log goes into `tmp`) and wait until
    /-/ready answers 200."""
    api_port = free_port()
    log_path = tmp / "alloylite.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "alloylite",
            "run",
            str(path),
            "--stability.level=public-preview",
            f"--server.http.listen-addr=127.0.0.1:{api_port}",
            *extra,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=REPO,
        env=env,
    )
    agent = Agent(proc, api_port, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"alloylite exited with {proc.returncode}:\n{agent.log()}")
        try:
            if httpx.get(f"{agent.api}/-/ready", timeout=2).status_code == 200:
                return agent
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    agent.stop()
    raise AssertionError(f"alloylite never became ready:\n{agent.log()}")


class Tap:
    """Records every request an SDK sends and relays it to `target`, answering
    with the target's answer (whose status codes `statuses` records, in answer order)."""

    def __init__(self, target: str) -> None:
        self.requests: list[Request] = []
        self.statuses: list[int] = []
        self._cond = threading.Condition()
        client = httpx.Client(base_url=target, timeout=120)
        tap = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_POST(self) -> None:  # noqa: N802
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    body = bytearray()
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        if size == 0:
                            self.rfile.readline()
                            break
                        body += self.rfile.read(size)
                        self.rfile.readline()
                    data = bytes(body)
                else:
                    data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                path, _, query = self.path.partition("?")
                headers = [
                    (k, v)
                    for k, v in self.headers.items()
                    if k.lower()
                    not in ("host", "content-length", "transfer-encoding", "connection")
                ]
                with tap._cond:
                    tap.requests.append(
                        Request("POST", path, query, list(self.headers.items()), data)
                    )
                    tap._cond.notify_all()
                resp = client.post(self.path, content=data, headers=headers)
                with tap._cond:
                    tap.statuses.append(resp.status_code)
                self.send_response(resp.status_code)
                for k, v in resp.headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(resp.content)))
                self.end_headers()
                self.wfile.write(resp.content)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._client = client

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Tap:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._client.close()
