"""How many targets one `alloylite run` worker scrapes at a 15 s interval before it falls
behind.

A target server in this process answers every GET with a fixed profile; the agent (its own
process) runs pyroscope.scrape -> pyroscope.write -> the blackhole sink of bench/forward.
After the loops are running, the agent's CPU seconds over a window are divided by the
scrapes the target server answered in it: CPU per scrape. One worker is one event loop on
one core, so it falls behind when scrapes need more than the interval:
limit = 15 s / CPU per scrape (the figure assumes the core is free for it).

Two profile types: `goroutine` (forwarded as received; a 12 KB gzip'd Go CPU profile from
bench/forward/payloads.py) and `memory` (Alloy-side delta on a real 4,096-stack goapp heap
profile, bench/delta.py).

    python -m bench.scrape_capacity [--targets 200] [--delta-targets 10] [--window 30]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.common import REPO_ROOT, free_port, tree_cpu_seconds, wait_for_port
from bench.forward.payloads import GO_CPU, pprof_near_size

INTERVAL = 15.0


class Targets:
    """GET -> 200 with `bodies[i % len]`; counts the answers."""

    def __init__(self, bodies: list[bytes]) -> None:
        self.bodies = bodies
        self.answered = 0
        self.port = free_port()
        threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True).start()
        wait_for_port(self.port)

    async def _serve(self) -> None:
        server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        await server.serve_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                body = self.bodies[self.answered % len(self.bodies)]
                self.answered += 1
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


def config(profile: str, targets: int, target_port: int, sink_port: int) -> str:
    items = ", ".join(
        f'{{"__address__" = "127.0.0.1:{target_port}", "service_name" = "svc", "n" = "{i}"}}'
        for i in range(targets)
    )
    disabled = "".join(
        f"    profile.{p} {{ enabled = false }}\n"
        for p in ("memory", "block", "mutex", "process_cpu", "goroutine")
        if p != profile
    )
    return f"""
pyroscope.scrape "bench" {{
  targets = [{items}]
  forward_to = [pyroscope.write.sink.receiver]
  scrape_interval = "15s"
  profiling_config {{
{disabled}  }}
}}

pyroscope.write "sink" {{
  endpoint {{
    url = "http://127.0.0.1:{sink_port}"
  }}
}}
"""


def measure(profile: str, bodies: list[bytes], targets: int, window: float) -> dict[str, float]:
    server = Targets(bodies)
    sink_port, api_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "config.alloy"
        cfg.write_text(config(profile, targets, server.port, sink_port))
        sink = subprocess.Popen(
            [sys.executable, "-m", "bench.forward.sink", "--port", str(sink_port)], cwd=REPO_ROOT
        )
        agent = subprocess.Popen(
            [
                sys.executable, "-m", "alloylite", "run", str(cfg),
                "--stability.level=public-preview",
                f"--server.http.listen-addr=127.0.0.1:{api_port}",
            ],
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_for_port(api_port, 60)
            # The first target sync is 5 s after start; then one interval spreads the loops.
            time.sleep(5 + INTERVAL)
            cpu0, answered0, t0 = tree_cpu_seconds(agent.pid), server.answered, time.monotonic()
            time.sleep(window)
            cpu = tree_cpu_seconds(agent.pid) - cpu0
            scrapes = server.answered - answered0
            wall = time.monotonic() - t0
            stats = httpx.get(f"http://127.0.0.1:{sink_port}/__stats", timeout=10).json()
        finally:
            agent.terminate()
            sink.terminate()
            agent.wait(30)
            sink.wait(30)
    per_scrape = cpu / max(scrapes, 1)
    return {
        "targets": targets,
        "scrapes/s": scrapes / wall,
        "expected/s": targets / INTERVAL,
        "cpu %": 100 * cpu / wall,
        "ms cpu/scrape": 1000 * per_scrape,
        "limit": INTERVAL / per_scrape,
        "pushes": sum(stats["requests"].values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=200)
    parser.add_argument("--delta-targets", type=int, default=10)
    parser.add_argument("--window", type=float, default=30.0)
    args = parser.parse_args()
    _, goroutine = pprof_near_size(GO_CPU, 12_000, seed=1)
    rows = [
        (
            "goroutine (12 KB, forwarded as is)",
            measure("goroutine", [goroutine], args.targets, args.window),
        )
    ]
    if args.delta_targets:
        from bench.delta import profiles
        from tests.integration import goapp

        with tempfile.TemporaryDirectory() as tmp:
            first, second = profiles(goapp.build(Path(tmp)), 12)
        rows.append(
            (
                "memory (222 KB raw heap, delta)",
                measure("memory", [first, second], args.delta_targets, args.window),
            )
        )
    print(
        "| profile | targets | scrapes/s (expected) | agent CPU | CPU per scrape | limit at 15 s |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in rows:
        print(
            f"| {name} | {r['targets']:.0f} | {r['scrapes/s']:.1f} ({r['expected/s']:.1f}) "
            f"| {r['cpu %']:.0f}% | {r['ms cpu/scrape']:.2f} ms | {r['limit']:,.0f} targets |"
        )


if __name__ == "__main__":
    main()
