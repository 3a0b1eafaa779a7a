"""pyroscope.scrape end to end: `alloylite run` scrapes a real Go program's net/http/pprof.

cpu (with `seconds`), memory (Alloy-side delta), goroutine, mutex and block reach the fake
Pyroscope with the labels of spec §1.7 and decode as pprof; a pyroscope.relabel rule in
between renames service_name. Targets that answer HTML, JSON, 500, a wrong Content-Type or
hang show their error in the component API and send nothing.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

import alloylite
from tests.integration import goapp
from tests.integration.agent import start_agent
from tests.integration.fake_pyroscope import FakePyroscope, Pprof, Request, decode_pprof

BAD = {
    "/bad/html": "invalid profile data: text response instead of pprof: "
    '"<html><body>login required</body></html>" (server should return HTTP error, not 200)',
    "/bad/json": "invalid profile data: text response instead of pprof: "
    '"{\\"error\\": \\"profiling disabled on this instance\\"}" '
    "(server should return HTTP error, not 200)",
    "/bad/500": "server returned HTTP status (500) profiler exploded",
    "/bad/text": "invalid profile data: unexpected Content-Type text/plain, "
    "expected application/octet-stream for pprof data",
    "/bad/hang": "context deadline exceeded",
}


def config(address: str, backend: str) -> str:
    bad_targets = ", ".join(
        f'{{"__address__" = "{address}", "__profile_path__" = "{path}", "service_name" = "bad"}}'
        for path in BAD
    )
    return f"""
pyroscope.scrape "go" {{
  targets = [{{"__address__" = "{address}", "service_name" = "go-app", "env" = "test"}}]
  forward_to = [pyroscope.relabel.rename.receiver]
  scrape_interval = "3s"
  delta_profiling_duration = "2s"
}}

pyroscope.scrape "bad" {{
  targets = [{bad_targets}]
  forward_to = [pyroscope.write.backend.receiver]
  scrape_interval = "3s"
  scrape_timeout = "1s"
  delta_profiling_duration = "2s"
  job_name = "broken"
}}

pyroscope.relabel "rename" {{
  forward_to = [pyroscope.write.backend.receiver]
  rule {{
    source_labels = ["service_name"]
    regex         = "go-(.*)"
    target_label  = "service_name"
    replacement   = "renamed-$1"
  }}
}}

pyroscope.write "backend" {{
  endpoint {{
    url = "{backend}"
  }}
}}
"""


def _by_name(requests: list[Request]) -> dict[str, list[Request]]:
    out: dict[str, list[Request]] = {}
    for req in requests:
        if req.is_push:
            out.setdefault(req.labels()["__name__"], []).append(req)
    return out


def _wait_types(fake: FakePyroscope, names: set[str], timeout: float) -> dict[str, list[Request]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = _by_name(list(fake.requests))
        if names <= set(seen):
            return seen
        time.sleep(0.2)
    raise AssertionError(f"profile types seen: {sorted(_by_name(list(fake.requests)))}")


def _pprof(req: Request) -> Pprof:
    assert req.series is not None
    return decode_pprof(req.series[0].samples[0].raw_profile)


def _debug_targets(api: str) -> list[dict[str, Any]]:
    info = httpx.get(f"{api}/api/v0/web/components/pyroscope.scrape.bad", timeout=5).json()
    return list(info["debugInfo"]["targets"])


def test_scrape_real_go_program(tmp_path: Path) -> None:
    binary = goapp.build(tmp_path)
    with goapp.running(binary) as address, FakePyroscope() as fake:
        agent = start_agent(config(address, fake.url), tmp_path)
        try:
            wanted = {"process_cpu", "memory", "goroutine", "mutex", "block"}
            seen = _wait_types(fake, wanted, timeout=90)
            for name in wanted:
                req = seen[name][0]
                labels = req.labels()
                assert labels["service_name"] == "renamed-app"
                assert labels["instance"] == address
                assert labels["env"] == "test"
                assert labels["otel.scope.name"] == "com.grafana.alloy/pyroscope.scrape"
                assert labels["otel.scope.version"] == f"v{alloylite.__version__}"
                assert "job" not in labels  # no job_name: no job label (spec §1.4)
                assert not any(
                    k.startswith("__") and k not in ("__name__", "__delta__") for k in labels
                )
                assert ("__delta__" in labels) == (name in ("memory", "mutex", "block"))
                assert _pprof(req).sample_types, name
            memory = _pprof(seen["memory"][0])
            assert memory.type_names[:2] == ["alloc_objects", "alloc_space"]
            assert memory.duration_nanos > 0  # time since the seeding profile
            cpu = _pprof(seen["process_cpu"][0])
            assert cpu.duration_nanos >= 2_000_000_000  # seconds=2
            # Misbehaving targets: the matching last error, nothing sent.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                targets = _debug_targets(agent.api)
                if len(targets) == len(BAD) and all(t["last_error"] for t in targets):
                    break
                time.sleep(0.3)
            errors = {t["labels"]["__profile_path__"]: t for t in targets}
            for path, message in BAD.items():
                target = errors[path]
                assert target["health"] == "down"
                assert target["job"] == "broken"
                assert message in target["last_error"], (path, target["last_error"])
            assert not any(
                r.labels().get("service_name") == "bad" for r in fake.requests if r.is_push
            )
        finally:
            agent.stop()
