"""Soak benchmark (run by hand, not in CI): does alloylite's memory stay flat under a steady
load, and bounded when the backend is down?

    python -m bench.soak                          # 600 s, healthy backend
    python -m bench.soak --backend refused --duration 300
    python -m bench.soak --backend hang --duration 300 --rate 40

It starts three kinds of process on 127.0.0.1 free ports: a backend (`bench.forward.sink`, a
blackhole Pyroscope, or a port where nothing listens, or a server that accepts and never
answers), `alloylite run` with receive_http -> write -> that backend, and two open-loop load
generators (`bench.forward.loadgen`), one for `/ingest` and one for the push API, at a fixed
rate each. Every `--interval` seconds it samples the alloylite process: VmRSS, the in-flight
request gauges of receive_http and the drop/sent counters of pyroscope.write from /metrics.

Why RSS and not tracemalloc: the question is what the operating system sees (what an OOM killer
sees), including uvloop's and the allocator's buffers. A leak shows as a slope; the slope is
fitted over the second half of the run, after the allocator has reached its working set.

Output: one line per sample, then a summary (and with `--json FILE` all of it as JSON).
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.common import free_port, machine_description, tree_memory_kb, wait_for_port
from bench.forward.payloads import build_payloads
from bench.forward.run import post, start_process, stop_process

PAYLOADS = ("ingest-12k", "push-12k")

CONFIG = """
pyroscope.receive_http "soak" {{
  http {{
    listen_address = "127.0.0.1"
    listen_port    = {port}
  }}
  forward_to = [pyroscope.write.backend.receiver]
}}

pyroscope.write "backend" {{
  endpoint {{
    url = "http://127.0.0.1:{backend_port}"
  }}
  external_labels = {{ "soak" = "true" }}
}}
"""


@dataclass
class Sample:
    t: float  # seconds since the load started
    rss_mb: float
    inflight: float  # receive_http requests in flight (both routes)
    sent: float  # pyroscope_write_sent_profiles_total
    dropped: float  # pyroscope_write_dropped_profiles_total


@dataclass
class Result:
    backend: str
    duration: float
    rate: float
    machine: str
    samples: list[Sample] = field(default_factory=list)
    loadgen: dict[str, dict[str, float]] = field(default_factory=dict)
    backend_received: int | None = None


class HangingBackend:
    """Accepts connections and reads requests, never answers (a wedged backend)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self._sock.listen(4096)
        self._conns: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            # Kept open and never read beyond the kernel buffer: the client's write
            # completes into the socket buffer and then it waits for an answer.
            self._conns.append(conn)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._sock.close()
        for conn in self._conns:
            conn.close()


_METRIC = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ([^ ]+)$")


def scrape(api_port: int) -> dict[str, float]:
    """Sum of each metric family over its label sets (what the soak needs)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{api_port}/metrics", timeout=10) as resp:
        text = resp.read().decode()
    out: dict[str, float] = {}
    for line in text.splitlines():
        m = _METRIC.match(line)
        if m:
            out[m.group(1)] = out.get(m.group(1), 0.0) + float(m.group(3))
    return out


def rss_mb(pid: int) -> float:
    return tree_memory_kb(pid, "VmRSS") / 1024


def slope_mb_per_min(samples: list[Sample]) -> float:
    """Least-squares slope of RSS over time for the second half of the samples."""
    half = samples[len(samples) // 2 :]
    if len(half) < 2:
        return float("nan")
    n = len(half)
    mean_t = sum(s.t for s in half) / n
    mean_r = sum(s.rss_mb for s in half) / n
    var = sum((s.t - mean_t) ** 2 for s in half)
    if var == 0:
        return float("nan")
    cov = sum((s.t - mean_t) * (s.rss_mb - mean_r) for s in half)
    return cov / var * 60


def backend_received(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__stats", timeout=5) as resp:
        return sum(json.loads(resp.read())["requests"].values())


def run(args: argparse.Namespace) -> Result:
    result = Result(args.backend, args.duration, args.rate, machine_description())
    tmp = Path(tempfile.mkdtemp(prefix="alloylite-soak-"))
    backend_port, port, api_port = free_port(), free_port(), free_port()
    procs: list[subprocess.Popen[bytes]] = []
    hanging: HangingBackend | None = None
    try:
        sink = None
        if args.backend == "healthy":
            sink = start_process(
                [sys.executable, "-m", "bench.forward.sink", "--port", str(backend_port)],
                tmp / "sink.log",
            )
            procs.append(sink)
            if not wait_for_port(backend_port):
                raise SystemExit("the sink did not start")
        elif args.backend == "hang":
            hanging = HangingBackend(backend_port)
        # "refused": nothing listens on backend_port.
        config = tmp / "soak.alloy"
        config.write_text(CONFIG.format(port=port, backend_port=backend_port))
        agent = start_process(
            [
                sys.executable,
                "-m",
                "alloylite",
                "run",
                str(config),
                "--stability.level=public-preview",
                f"--server.http.listen-addr=127.0.0.1:{api_port}",
            ],
            tmp / "alloylite.log",
        )
        procs.append(agent)
        if not wait_for_port(port, 60) or not wait_for_port(api_port, 60):
            raise SystemExit(f"alloylite did not start; log in {tmp / 'alloylite.log'}")
        if args.backend == "healthy":
            probe = build_payloads(["ingest-2k"])["ingest-2k"]
            if post(f"http://127.0.0.1:{port}", probe) != 200:
                raise SystemExit("a probe profile did not get through")
        per_payload = args.rate / len(PAYLOADS)
        gens = {
            name: start_process(
                [
                    sys.executable,
                    "-m",
                    "bench.forward.loadgen",
                    "--url",
                    f"http://127.0.0.1:{port}",
                    "--payload",
                    name,
                    "--rate",
                    str(per_payload),
                    "--seconds",
                    str(args.duration),
                    "--warmup",
                    "0",
                    "--connections",
                    str(args.connections),
                ],
                tmp / f"loadgen-{name}.log",
            )
            for name in PAYLOADS
        }
        procs.extend(gens.values())
        start = time.monotonic()
        print(
            f"# soak: backend={args.backend} rate={args.rate}/s duration={args.duration}s "
            f"logs in {tmp}",
            flush=True,
        )
        print(f"# {'t_s':>6} {'rss_mb':>8} {'inflight':>8} {'sent':>9} {'dropped':>9}", flush=True)
        while any(g.poll() is None for g in gens.values()):
            time.sleep(args.interval)
            if agent.poll() is not None:
                raise SystemExit(f"alloylite exited with {agent.returncode}")
            metrics = scrape(api_port)
            sample = Sample(
                t=round(time.monotonic() - start, 1),
                rss_mb=round(rss_mb(agent.pid), 1),
                inflight=metrics.get("pyroscope_receive_http_inflight_requests", 0.0),
                sent=metrics.get("pyroscope_write_sent_profiles_total", 0.0),
                dropped=metrics.get("pyroscope_write_dropped_profiles_total", 0.0),
            )
            result.samples.append(sample)
            print(
                f"  {sample.t:6.0f} {sample.rss_mb:8.1f} {sample.inflight:8.0f} "
                f"{sample.sent:9.0f} {sample.dropped:9.0f}",
                flush=True,
            )
        for name, gen in gens.items():
            gen.wait()
            lines = (tmp / f"loadgen-{name}.log").read_text().strip().splitlines()
            result.loadgen[name] = json.loads(lines[-1]) if lines else {}
        if sink is not None:
            result.backend_received = backend_received(backend_port)
        return result
    finally:
        for proc in reversed(procs):
            stop_process(proc)
        if hanging is not None:
            hanging.close()


def summary(result: Result) -> str:
    s = result.samples
    if not s:
        return "no samples"
    first_minute = [x.rss_mb for x in s if x.t <= 60] or [s[0].rss_mb]
    lines = [
        f"machine: {result.machine}",
        f"backend {result.backend}, {result.rate:g} req/s for {result.duration:g} s "
        f"({', '.join(PAYLOADS)}, half each)",
        f"RSS: after 1 min {max(first_minute):.1f} MB, min {min(x.rss_mb for x in s):.1f}, "
        f"max {max(x.rss_mb for x in s):.1f}, at end {s[-1].rss_mb:.1f} MB; "
        f"slope over the second half {slope_mb_per_min(s):+.3f} MB/min",
        f"in flight: max {max(x.inflight for x in s):.0f}; profiles sent {s[-1].sent:.0f}, "
        f"dropped {s[-1].dropped:.0f}",
    ]
    for name, r in result.loadgen.items():
        lines.append(
            f"{name}: sent {r.get('sent')}, ok {r.get('ok')}, errors {r.get('errors')}, "
            f"p50 {r.get('p50_ms', float('nan')):.1f} ms, "
            f"p99 {r.get('p99_ms', float('nan')):.1f} ms"
        )
    if result.backend_received is not None:
        lines.append(f"backend received {result.backend_received} requests")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="alloylite memory soak (by hand, not CI)")
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of load")
    parser.add_argument(
        "--rate", type=float, default=100.0, help="requests per second, split over /ingest and push"
    )
    parser.add_argument("--backend", choices=("healthy", "refused", "hang"), default="healthy")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between samples")
    parser.add_argument(
        "--connections",
        type=int,
        default=256,
        help="max connections per load generator (bounds requests in flight)",
    )
    parser.add_argument("--json", type=Path, help="also write samples and summary here")
    args = parser.parse_args()
    result = run(args)
    text = summary(result)
    print(text)
    if args.json is not None:
        args.json.write_text(json.dumps({**asdict(result), "summary": text}, indent=1))


if __name__ == "__main__":
    main()
