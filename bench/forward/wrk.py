"""Closed-loop load with wrk (Debian `wrk` 4.1): C connections, each sends the next request
as soon as the previous answer arrives, so the rate is the most the path can take.

wrk is C and costs 10-26 ms CPU per 1,000 requests here (spec performance-facts.md); its own
CPU is measured (getrusage of the reaped child) and reported next to the results so that a
reader can check it was not the bottleneck. A Lua script sets method, headers and the body
(read from a file) and prints a JSON summary in `done`.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.forward.payloads import Payload

LUA_TEMPLATE = """
wrk.method = "POST"
local f = assert(io.open("{body_path}", "rb"))
wrk.body = f:read("*a")
f:close()
{headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


@dataclass
class WrkResult:
    requests: int  # completed responses
    ok: int  # 2xx/3xx responses
    errors: int  # socket errors + timeouts + non-2xx/3xx
    seconds: float
    p50_ms: float
    p99_ms: float
    wrk_cpu: float  # wrk's own CPU seconds

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def available() -> bool:
    return shutil.which("wrk") is not None


def write_script(payload: Payload, workdir: Path) -> Path:
    body_path = workdir / f"{payload.name}.body"
    body_path.write_bytes(payload.body)
    headers = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in payload.headers)
    script = workdir / f"{payload.name}.lua"
    script.write_text(LUA_TEMPLATE.format(body_path=body_path, headers=headers))
    return script


def run(
    script: Path, url: str, connections: int, seconds: float, timeout_s: int = 10, threads: int = 1
) -> WrkResult:
    """One wrk run; one thread by default (two take more of a 2-core machine than they give)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{max(1, round(seconds))}s",
            "--timeout",
            f"{timeout_s}s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr or proc.stdout}")
    data = json.loads(line[len("WRKJSON ") :])
    errors = data["connect"] + data["read"] + data["write"] + data["timeout"]
    return WrkResult(
        requests=data["requests"],
        ok=data["requests"] - data["status"],
        errors=errors + data["status"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000.0,
        p99_ms=data["p99_us"] / 1000.0,
        wrk_cpu=cpu,
    )
