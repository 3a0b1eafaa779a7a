"""Parser benchmark: alloylite vs python-hcl2 on the same config shape, side by side.

    python -m bench.parse [--size-mb 1] [--rounds 5]

Two figures:
1. Throughput on a ~1 MB config: `alloylite.syntax.parser.parse_file` on Alloy text vs
   `hcl2.loads` on the same text in HCL spelling (`_` instead of `.` in block names).
   Medians of alternating rounds in one process, in CPU time (process_time).
2. Start-up like `alloylite validate`: a fresh interpreter that imports the parser and parses
   a ~100-line file (the cached parse tables are used), vs the same with hcl2. Medians of
   alternating runs after warm-ups, in CPU time of the child process.
3. `alloylite validate` itself on a valid ~100-line config (components, stdlib calls,
   references), next to `python -c pass` in the same run: alternating runs after warm-ups,
   medians of wall time and of the child's CPU time. The difference is what alloylite adds
   to the interpreter's own start. In the same rounds: validate of the seed example, and of
   a 40 KB config of ~150 components alloylite only validates (`catalogue_config()`), whose
   ratio to the seed example is issue 11's speed target (under 2x).

Children run from bytecode caches (PYTHONDONTWRITEBYTECODE unset, caches under a temporary
PYTHONPYCACHEPREFIX), as after an installed wheel, and with a temporary XDG_CACHE_HOME whose
grammar cache the warm-up runs fill.

No timing is asserted anywhere; this prints numbers for humans and the report.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

_WRITE = """// Writer {i}: forwards profiles to a Pyroscope server.
pyroscope.write "backend_{i}" {{
  endpoint {{
    url = "https://profiles-{i}.example.com:4040"
    headers = {{
      "X-Scope-OrgID" = "tenant-{i}",
      "X-Team"        = "team-{j}",
    }}
    remote_timeout = "10s"
    min_backoff_period = "500ms"
    max_backoff_retries = {retries}
    basic_auth {{
      username = "user{i}"
      password = "secret-{i}"
    }}
  }}
  external_labels = {{
    "env"     = "production",
    "cluster" = "eu-west-{j}",
  }}
}}

"""
_RECEIVE = """pyroscope.receive_http "ingest_{i}" {{
  http {{
    listen_address = "0.0.0.0"
    listen_port = {port}
    conn_limit = {limit}
  }}
  forward_to = [pyroscope.write.backend_{i}.receiver, pyroscope.write.backend_{j}.receiver]
  enabled = true
  ratio = 0.{j}5 * 2 + 1
}}

"""


def alloy_config(target_bytes: int) -> str:
    parts: list[str] = []
    size = 0
    i = 0
    while size < target_bytes:
        j = i % 7
        text = _WRITE.format(i=i, j=j, retries=i % 10) + _RECEIVE.format(
            i=i, j=j, port=4000 + i % 1000, limit=100 + i
        )
        parts.append(text)
        size += len(text)
        i += 1
    return "".join(parts)


def hcl_spelling(alloy: str) -> str:
    """The same text as HCL: block names use `_` where Alloy uses `.`."""
    return alloy.replace("pyroscope.write ", "pyroscope_write ").replace(
        "pyroscope.receive_http ", "pyroscope_receive_http "
    )


def _cpu_time(fn: Callable[[], object]) -> float:
    """CPU seconds of one call: robust when other work shares the machine."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def throughput(size_mb: float, rounds: int) -> tuple[float, float]:
    import hcl2

    from alloylite.syntax.parser import parse_file

    alloy = alloy_config(int(size_mb * 1_000_000))
    hcl = hcl_spelling(alloy)
    assert parse_file(alloy).file is not None, "benchmark config must parse"
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(rounds):
        ours.append(_cpu_time(lambda: parse_file(alloy)))
        theirs.append(_cpu_time(lambda: hcl2.loads(hcl)))
    return statistics.median(ours), statistics.median(theirs)


_OURS_STARTUP = (
    "import sys; from alloylite.syntax.parser import parse_file; "
    "r = parse_file(open(sys.argv[1], 'rb').read()); assert r.file is not None"
)
_HCL_STARTUP = "import sys, hcl2; hcl2.loads(open(sys.argv[1]).read())"


def startup(runs: int) -> tuple[float, float]:
    small = alloy_config(2_000)
    with tempfile.TemporaryDirectory() as folder:
        alloy_path = Path(folder) / "config.alloy"
        hcl_path = Path(folder) / "config.hcl"
        alloy_path.write_text(small)
        hcl_path.write_text(hcl_spelling(small))

        # Both sides run from bytecode caches, as after a normal install: compiling sources
        # on every start (PYTHONDONTWRITEBYTECODE) would measure the compiler. The caches go
        # to a temporary prefix, never into the checkout or site-packages.
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")

        def run(code: str, path: Path) -> float:
            # CPU time of the child (user + system): wall time is noise on a busy machine.
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(
                [sys.executable, "-c", code, str(path)], check=True, cwd=REPO_ROOT, env=env
            )
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

        for _ in range(3):
            run(_OURS_STARTUP, alloy_path)
            run(_HCL_STARTUP, hcl_path)
            run("pass", alloy_path)
        ours: list[float] = []
        theirs: list[float] = []
        floor: list[float] = []
        for _ in range(runs):
            ours.append(run(_OURS_STARTUP, alloy_path))
            theirs.append(run(_HCL_STARTUP, hcl_path))
            floor.append(run("pass", alloy_path))
        lines = small.count("\n")
    print(
        f"start-up file: {lines} lines; floor (python -c pass) "
        f"{statistics.median(floor) * 1000:.1f} ms CPU"
    )
    return statistics.median(ours), statistics.median(theirs)


_VALIDATE_HEAD = """// A typical agent: receivers forwarding to several Pyroscope backends.
// Checked in CI with `alloylite validate` before it is deployed.

logging {
  level  = "info"
  format = "logfmt"
}

"""
_VALIDATE_PAIR = """pyroscope.write "backend_{i}" {{
  endpoint {{
    url = coalesce(sys.env("PYROSCOPE_URL_{i}"), "http://pyroscope-{i}:4040")
    remote_timeout = "10s"
    basic_auth {{
      username = string.format("tenant-%d", {i})
      password = sys.env("PYROSCOPE_PASSWORD")
    }}
  }}
  external_labels = {{
    "env"     = "production",
    "cluster" = "eu-west-{i}",
  }}
}}

pyroscope.receive_http "ingest_{i}" {{
  http {{
    listen_address = "0.0.0.0"
    listen_port    = {port}
  }}
  forward_to = [pyroscope.write.backend_{i}.receiver]
}}

"""


def validate_config(lines: int = 100) -> str:
    """A valid config of about `lines` lines (every component kind, stdlib calls, references)."""
    parts = [_VALIDATE_HEAD]
    i = 0
    while sum(p.count("\n") for p in parts) < lines - 10:
        parts.append(_VALIDATE_PAIR.format(i=i, port=9000 + i))
        i += 1
    return "".join(parts)


_CATALOGUE_GROUP = """discovery.kubernetes "pods_{i}" {{
  role = "pod"
  namespaces {{
    names = ["team-{i}"]
  }}
}}

discovery.relabel "pods_{i}" {{
  targets = discovery.kubernetes.pods_{i}.targets
  rule {{
    source_labels = ["__meta_kubernetes_pod_label_app"]
    target_label  = "app"
  }}
  rule {{
    source_labels = ["__meta_kubernetes_namespace"]
    target_label  = "namespace"
  }}
  rule {{
    source_labels = ["__meta_kubernetes_pod_container_port_name"]
    regex         = ".*-metrics"
    action        = "keep"
  }}
  rule {{
    source_labels = ["__meta_kubernetes_pod_node_name"]
    target_label  = "node"
  }}
}}

prometheus.scrape "pods_{i}" {{
  targets         = discovery.relabel.pods_{i}.output
  forward_to      = [prometheus.remote_write.metrics.receiver]
  scrape_interval = "30s"
  clustering {{
    enabled = true
  }}
}}

loki.source.kubernetes "pods_{i}" {{
  targets    = discovery.relabel.pods_{i}.output
  forward_to = [loki.process.pods_{i}.receiver]
}}

loki.process "pods_{i}" {{
  stage.cri {{ }}
  stage.labels {{
    values = {{ level = "" }}
  }}
  stage.match {{
    selector = "{{app=\\"api-{i}\\"}}"
    stage.json {{
      expressions = {{ status = "status", path = "request.path" }}
    }}
    stage.labels {{
      values = {{ status = "" }}
    }}
  }}
  forward_to = [loki.write.logs.receiver]
}}

"""
_CATALOGUE_TAIL = """prometheus.remote_write "metrics" {
  endpoint {
    url = "https://prometheus.example.com/api/v1/write"
    basic_auth {
      username = "user"
      password = sys.env("PROM_PASSWORD")
    }
  }
}

loki.write "logs" {
  endpoint {
    url = "https://loki.example.com/loki/api/v1/push"
  }
}
"""


def catalogue_config(components: int = 160) -> str:
    """A valid Kubernetes-monitoring config of ~40 KB whose components alloylite only
    validates (discovery, scrape, logs: the catalogue), like the real ones users have."""
    groups = [_CATALOGUE_GROUP.format(i=i) for i in range((components - 2) // 5)]
    return "".join(groups) + _CATALOGUE_TAIL


def _child_env(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    env["XDG_CACHE_HOME"] = str(folder / "cache")
    return env


def validate_startup(runs: int) -> dict[str, float]:
    """Medians (seconds) of wall and CPU time: `python -c pass` vs `alloylite validate`."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        config = folder / "config.alloy"
        config.write_text(validate_config())
        catalogue = folder / "catalogue.alloy"
        catalogue.write_text(catalogue_config())
        env = _child_env(folder)
        validate = [sys.executable, "-m", "alloylite", "validate"]
        preview = "--stability.level=public-preview"
        commands = {
            "pass": [sys.executable, "-c", "pass"],
            "validate": [*validate, str(config), preview],
            "seed": [
                *validate,
                str(REPO_ROOT / "examples" / "receive-profiles-basic.alloy"),
                preview,
            ],
            "catalogue": [*validate, str(catalogue)],
        }

        def run(argv: list[str]) -> tuple[float, float]:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(argv, cwd=REPO_ROOT, env=env, capture_output=True)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode != 0 or done.stderr:
                raise SystemExit(f"{argv} failed: {done.stderr.decode()}")
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            return wall, cpu

        for _ in range(3):  # bytecode caches, the grammar cache, the OS page cache
            for argv in commands.values():
                run(argv)
        samples: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
        for _ in range(runs):
            for key, argv in commands.items():
                samples[key].append(run(argv))
        lines = config.read_text().count("\n")
    out = {"lines": float(lines)}
    for key, values in samples.items():
        out[f"{key}_wall"] = statistics.median(w for w, _ in values)
        out[f"{key}_cpu"] = statistics.median(c for _, c in values)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--startup-runs", type=int, default=10)
    parser.add_argument("--validate-runs", type=int, default=20)
    parser.add_argument(
        "--only-validate",
        action="store_true",
        help="measure only `alloylite validate` next to `python -c pass`",
    )
    args = parser.parse_args()
    figures = validate_startup(args.validate_runs)
    print(
        f"validate {figures['lines']:.0f}-line config ({args.validate_runs} alternating runs, "
        f"medians)\n"
        f"  python -c pass        wall {figures['pass_wall'] * 1000:6.1f} ms   "
        f"cpu {figures['pass_cpu'] * 1000:6.1f} ms\n"
        f"  alloylite validate    wall {figures['validate_wall'] * 1000:6.1f} ms   "
        f"cpu {figures['validate_cpu'] * 1000:6.1f} ms\n"
        f"  added by alloylite    wall "
        f"{(figures['validate_wall'] - figures['pass_wall']) * 1000:6.1f} ms   cpu "
        f"{(figures['validate_cpu'] - figures['pass_cpu']) * 1000:6.1f} ms\n"
        f"  validate seed example wall {figures['seed_wall'] * 1000:6.1f} ms   "
        f"cpu {figures['seed_cpu'] * 1000:6.1f} ms\n"
        f"  validate 40 KB, 150 catalogue components   wall "
        f"{figures['catalogue_wall'] * 1000:6.1f} ms   "
        f"cpu {figures['catalogue_cpu'] * 1000:6.1f} ms"
        f"   ({figures['catalogue_wall'] / figures['seed_wall']:.2f}x the seed example)"
    )
    if args.only_validate:
        return
    ours, theirs = throughput(args.size_mb, args.rounds)
    print(
        f"parse {args.size_mb:g} MB   alloylite {ours * 1000:8.1f} ms   "
        f"hcl2.loads {theirs * 1000:8.1f} ms   ratio {theirs / ours:5.1f}x"
    )
    ours, theirs = startup(args.startup_runs)
    print(
        f"start-up + parse   alloylite {ours * 1000:8.1f} ms   "
        f"hcl2       {theirs * 1000:8.1f} ms   ratio {theirs / ours:5.1f}x"
    )


if __name__ == "__main__":
    main()
