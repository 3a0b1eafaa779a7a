"""pyroscope.scrape with 10,000 targets in a real `alloylite run`: scheduling stays bounded.

One loop per target is a task, a target and a few labels; nothing grows with time or with
the interval. The agent's resident memory is measured before and after a reload from one
target to 10,000 (a memory figure, not a timing). The targets point at a closed port with a
one-hour interval, so the few scrapes that fall in the test's window fail at once and the
loops' scheduling is what is measured. Figures for real scraping: docs/benchmarks.md.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.integration.agent import Agent, start_agent

TARGETS = 10_000
# What 10,000 targets may add to the agent's RSS. Measured: +72 MiB on CPython 3.11 (about
# 7 KiB a target: the evaluated config's maps, the targets, the loops' tasks, and the debug
# info's JSON); twice that leaves room for allocator noise, not for anything per scrape.
MAX_GROWTH = 150 << 20


def config(count: int) -> str:
    targets = ", ".join(
        f'{{"__address__" = "127.0.0.1:1", "service_name" = "svc", "n" = "{i}"}}'
        for i in range(count)
    )
    return f"""
pyroscope.scrape "many" {{
  targets = [{targets}]
  forward_to = []
  scrape_interval = "1h"
  profiling_config {{
    profile.memory {{ enabled = false }}
    profile.block {{ enabled = false }}
    profile.mutex {{ enabled = false }}
    profile.process_cpu {{ enabled = false }}
  }}
}}
"""


def rss(agent: Agent) -> int:
    for line in Path(f"/proc/{agent.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def wait_targets(agent: Agent, count: int) -> None:
    url = f"{agent.api}/api/v0/web/components/pyroscope.scrape.many"
    deadline = time.monotonic() + 120
    seen = -1
    while time.monotonic() < deadline:
        info = httpx.get(url, timeout=30).json()
        seen = len((info.get("debugInfo") or {}).get("targets", []))
        if seen == count:
            return
        time.sleep(0.5)
    raise AssertionError(f"{seen} targets running, expected {count}")


def test_ten_thousand_targets_cost_bounded_memory(tmp_path: Path) -> None:
    agent = start_agent(config(1), tmp_path)
    try:
        wait_targets(agent, 1)
        before = rss(agent)
        (tmp_path / "config.alloy").write_text(config(TARGETS))
        assert httpx.post(f"{agent.api}/-/reload", timeout=120).status_code == 200
        wait_targets(agent, TARGETS)
        after = rss(agent)
        assert after - before < MAX_GROWTH, f"RSS grew {(after - before) >> 20} MiB"
        assert agent.proc.poll() is None
    finally:
        agent.stop()
