"""Shutdown and reload under load, through `alloylite run`: nothing accepted is lost.

- SIGTERM while uploads are in flight: the listener stops accepting, every
  accepted request completes, exit code 0.
- Steady traffic through a reload that leaves receive_http alone and one that
  moves its port: every request the agent accepted is answered 200 and reached
  the backend exactly once; nothing is lost.
"""

from __future__ import annotations

import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.integration.agent import Agent, free_port, start_agent
from tests.integration.fake_pyroscope import FakePyroscope, Reply

CONFIG = """
pyroscope.receive_http "default" {{
  http {{
    listen_address = "127.0.0.1"
    listen_port    = {port}
  }}
  forward_to = [pyroscope.write.backend.receiver]
}}

pyroscope.write "backend" {{
  endpoint {{
    url = "{backend}"
  }}
  external_labels = {{ "generation" = "{generation}" }}
}}
"""


def refuses(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except OSError:
        return True


def test_sigterm_finishes_accepted_uploads_and_exits_0(tmp_path: Path) -> None:
    port = free_port()
    with FakePyroscope() as fake:
        fake.default = Reply(hold=True)
        agent = start_agent(CONFIG.format(port=port, backend=fake.url, generation=1), tmp_path)
        try:
            with ThreadPoolExecutor(5) as pool:
                futures = [
                    pool.submit(
                        httpx.post,
                        f"http://127.0.0.1:{port}/ingest?name=app",
                        content=f"profile-{i}".encode(),
                        timeout=120,
                    )
                    for i in range(5)
                ]
                fake.wait_for(5)  # all five are in flight, held by the backend
                agent.proc.send_signal(signal.SIGTERM)
                deadline = time.monotonic() + 60
                while not refuses(port):
                    assert time.monotonic() < deadline, "the listener kept accepting"
                    time.sleep(0.02)
                assert agent.proc.poll() is None  # still draining
                fake.release()
                statuses = [f.result().status_code for f in futures]
            assert statuses == [200] * 5
            assert agent.proc.wait(timeout=60) == 0
        finally:
            agent.stop()
        assert sorted(r.body for r in fake.requests) == [f"profile-{i}".encode() for i in range(5)]


class Traffic:
    """Sequential uploads in a thread; on a refused connection it moves to the
    other port (an SDK pointed at a load balancer would do the same)."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.current = 0
        self.sent: list[bytes] = []
        self.ok: list[bytes] = []
        self.failures: list[str] = []
        self.retried: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=60) as client:
            i = 0
            while not self._stop.is_set():
                body = f"upload-{i}".encode()
                i += 1
                for _attempt in range(50):
                    port = self.ports[self.current]
                    try:
                        resp = client.post(f"http://127.0.0.1:{port}/ingest?name=app", content=body)
                    except httpx.ConnectError:
                        self.current = (self.current + 1) % len(self.ports)
                        time.sleep(0.01)
                        continue
                    except (httpx.ReadError, httpx.RemoteProtocolError) as exc:
                        # The request went out on a kept-alive connection the
                        # old listener closed as idle at that very moment (the
                        # keep-alive race every HTTP/1.1 server has). The agent
                        # never read it; if it had, the retry below would make
                        # the backend see this body twice, which the test checks.
                        self.retried.append(f"{body!r}: {exc!r}")
                        continue
                    except httpx.HTTPError as exc:
                        self.failures.append(f"{body!r}: {exc!r}")
                        break
                    self.sent.append(body)
                    if resp.status_code == 200:
                        self.ok.append(body)
                    else:
                        self.failures.append(f"{body!r}: {resp.status_code}")
                    break

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 60
        while len(self.ok) < count:
            assert time.monotonic() < deadline, f"traffic stalled: {self.failures}"
            time.sleep(0.01)

    def __enter__(self) -> Traffic:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def reload(agent: Agent) -> None:
    resp = httpx.post(f"{agent.api}/-/reload", timeout=60)
    assert resp.status_code == 200, resp.text


def test_reloads_under_steady_traffic_lose_nothing(tmp_path: Path) -> None:
    port_a, port_b = free_port(), free_port()
    with FakePyroscope() as fake:
        agent = start_agent(CONFIG.format(port=port_a, backend=fake.url, generation=1), tmp_path)
        config = tmp_path / "config.alloy"
        try:
            with Traffic([port_a, port_b]) as traffic:
                traffic.wait_for(20)
                # 1. A reload that changes only the writer: receive_http keeps its listener.
                config.write_text(CONFIG.format(port=port_a, backend=fake.url, generation=2))
                reload(agent)
                traffic.wait_for(len(traffic.ok) + 20)
                assert traffic.current == 0
                # 2. A reload that moves the listener to another port.
                config.write_text(CONFIG.format(port=port_b, backend=fake.url, generation=3))
                reload(agent)
                deadline = time.monotonic() + 60
                while not refuses(port_a):
                    assert time.monotonic() < deadline
                    time.sleep(0.02)
                traffic.wait_for(len(traffic.ok) + 20)
                assert traffic.current == 1
        finally:
            assert agent.stop() == 0
        assert traffic.failures == []
        received = [r.body for r in fake.requests]
        assert sorted(received) == sorted(traffic.ok)  # every accepted upload, exactly once
        generations = {dict(r.query)["name"].split("generation=")[1][0] for r in fake.requests}
        assert generations == {"1", "2", "3"}
