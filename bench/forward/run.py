"""bench/forward: how fast alloylite forwards profiles, next to the limits of this machine.

One run measures, side by side and alternating round by round, the same load sent
(a) straight to a blackhole Pyroscope sink (the ceiling of the machine),
(b) through a minimal pass-through proxy on alloylite's own stack (bench/forward/proxy.py),
(c) through `alloylite run` with pyroscope.receive_http -> pyroscope.write -> the sink
    (one row per `--workers` value).
Throughput on this shared 2-core machine moves by up to 2x between rounds, so the figures
to compare are the CPU seconds per 1,000 profiles of the forwarding process tree (read
from /proc before and after each load run) and ratios measured in the same run.

Phases, per payload (realistic SDK requests, bench/forward/payloads.py):
1. closed loop (wrk, 1 thread, `--connections`): profiles/s, forwarder CPU per 1k
   profiles, sink CPU, peak RSS (VmHWM, reset before each run);
2. open loop (bench/forward/loadgen.py) at half of alloylite's maximum rate from phase 1,
   the same rate for every path: p50/p99 latency, and the latency added over the direct
   path.

    python -m bench.forward            # full run (about 15 minutes; 22 with 5 paths)
    python -m bench.forward --quick    # one round, short runs, two payloads
    python -m bench.forward --workers 1,2 --payloads ingest-12k

The sink, proxy and alloylite each run in their own process on free 127.0.0.1 ports and
are stopped at the end. Results: a Markdown table on stdout (and `--json FILE`).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.common import (
    REPO_ROOT,
    autogroup_nice,
    free_port,
    machine_busy_seconds,
    machine_description,
    median,
    reset_peak_rss,
    set_autogroup_nice,
    tree_cpu_seconds,
    tree_memory_kb,
    wait_for_port,
)
from bench.forward import pyspy, wrk
from bench.forward.payloads import Payload, build_payloads

ALL_PAYLOADS = ["ingest-12k", "multipart-12k", "push-12k", "ingest-2k", "ingest-1m"]
QUICK_PAYLOADS = ["ingest-12k", "push-12k"]
BIG_PAYLOADS = {"ingest-1m"}  # closed loop only, with --big-connections (the RSS target)

ALLOYLITE_CONFIG = """\
pyroscope.write "sink" {{
  endpoint {{
    url = "http://127.0.0.1:{sink_port}"
  }}
}}

pyroscope.receive_http "bench" {{
  http {{
    listen_address = "127.0.0.1"
    listen_port    = {port}
  }}
  forward_to = [pyroscope.write.sink.receiver]
}}
"""
# The same pipeline with live debugging on (`--live-debugging`): a viewer streams the
# writer's lines for the whole run, as an operator with the live page open would.
LIVE_CONFIG = "livedebugging {{\n  enabled = true\n}}\n\n" + ALLOYLITE_CONFIG
LIVE_VIEWED = "pyroscope.write.sink"


@dataclass
class Target:
    """One path the load can take; `pid` is the forwarding process (the sink for (a))."""

    name: str
    port: int
    proc: subprocess.Popen[bytes]
    forwarder: bool
    log: Path
    rss_start_kb: int = 0


@dataclass
class Sample:
    """One measurement of one target in one round."""

    rate: float
    ok: int
    errors: int
    fwd_cpu_ms_per_1k: float
    sink_cpu_ms_per_1k: float
    peak_rss_mb: float
    gen_cpu_ms_per_1k: float
    p50_ms: float
    p99_ms: float
    sink_received: int
    other_cpu: float = float("nan")  # cores busy with processes outside the measurement
    rss_after_mb: float = float("nan")  # VmRSS right after the run (growth = a leak?)


@dataclass
class Row:
    closed: list[Sample] = field(default_factory=list)
    opened: list[Sample] = field(default_factory=list)


def start_process(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    # A new session, so stopping it also stops its workers (by its process group id).
    with log.open("wb") as out:
        return subprocess.Popen(
            args,
            cwd=REPO_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )


def alloylite_command(config: Path, agent_port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "alloylite",
        "run",
        str(config),
        f"--server.http.listen-addr=127.0.0.1:{agent_port}",
        "--stability.level=public-preview",
    ]


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def post(url: str, payload: Payload, timeout: float = 5.0) -> int:
    request = urllib.request.Request(
        url + payload.path, data=payload.body, method="POST", headers=dict(payload.headers)
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return int(err.code)
    except OSError:
        return 0


def sink_stats(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__stats", timeout=5) as response:
        return sum(json.loads(response.read())["requests"].values())


def wait_ready(target: Target, probe: Payload, timeout: float = 30.0) -> bool:
    """Ready = a real profile makes it through with a 200."""
    if not wait_for_port(target.port, timeout):
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if target.proc.poll() is not None:
            return False
        if post(f"http://127.0.0.1:{target.port}", probe) == 200:
            return True
        time.sleep(0.2)
    return False


def measure_closed(
    target: Target,
    sink: Target,
    script: Path,
    payload: Payload,
    connections: int,
    seconds: float,
    warmup: float,
) -> Sample:
    url = f"http://127.0.0.1:{target.port}{payload.path}"
    if warmup > 0:
        wrk.run(script, url, connections, warmup)
    time.sleep(0.2)  # let in-flight requests of the warm-up drain
    reset_peak_rss(target.proc.pid)
    received0 = sink_stats(sink.port)
    fwd0, sink0 = tree_cpu_seconds(target.proc.pid), tree_cpu_seconds(sink.proc.pid)
    busy0 = machine_busy_seconds()
    result = wrk.run(script, url, connections, seconds)
    busy1 = machine_busy_seconds()
    fwd1, sink1 = tree_cpu_seconds(target.proc.pid), tree_cpu_seconds(sink.proc.pid)
    ours = (sink1 - sink0) + result.wrk_cpu + ((fwd1 - fwd0) if target.forwarder else 0.0)
    peak_kb = tree_memory_kb(target.proc.pid, "VmHWM")
    rss_kb = tree_memory_kb(target.proc.pid, "VmRSS")
    time.sleep(0.2)
    received = sink_stats(sink.port) - received0
    per_1k = 1000.0 / result.ok if result.ok else float("nan")
    return Sample(
        rate=result.rate,
        ok=result.ok,
        errors=result.errors,
        fwd_cpu_ms_per_1k=(fwd1 - fwd0) * 1000 * per_1k if target.forwarder else float("nan"),
        sink_cpu_ms_per_1k=(sink1 - sink0) * 1000 * per_1k,
        peak_rss_mb=peak_kb / 1024,
        gen_cpu_ms_per_1k=result.wrk_cpu * 1000 * per_1k,
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        sink_received=received,
        other_cpu=max(0.0, (busy1 - busy0) - ours) / result.seconds,
        rss_after_mb=rss_kb / 1024,
    )


def measure_open(
    target: Target, sink: Target, payload: Payload, rate: float, seconds: float, warmup: float
) -> Sample:
    received0 = sink_stats(sink.port)
    fwd0, sink0 = tree_cpu_seconds(target.proc.pid), tree_cpu_seconds(sink.proc.pid)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.forward.loadgen",
            "--url",
            f"http://127.0.0.1:{target.port}",
            "--payload",
            payload.name,
            "--rate",
            f"{rate:.1f}",
            "--seconds",
            str(seconds),
            "--warmup",
            str(warmup),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    fwd1, sink1 = tree_cpu_seconds(target.proc.pid), tree_cpu_seconds(sink.proc.pid)
    if proc.returncode != 0:
        raise RuntimeError(f"loadgen failed: {proc.stderr[-2000:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    time.sleep(0.2)
    received = sink_stats(sink.port) - received0
    # CPU covers warm-up + measured part; so does the request count below.
    total = int(rate * (seconds + warmup))
    per_1k = 1000.0 / total
    return Sample(
        rate=data["rate"],
        ok=data["ok"],
        errors=data["errors"],
        fwd_cpu_ms_per_1k=(fwd1 - fwd0) * 1000 * per_1k if target.forwarder else float("nan"),
        sink_cpu_ms_per_1k=(sink1 - sink0) * 1000 * per_1k,
        peak_rss_mb=float("nan"),
        gen_cpu_ms_per_1k=data["cpu_s"] * 1000 * per_1k,
        p50_ms=data["p50_ms"],
        p99_ms=data["p99_ms"],
        sink_received=received,
    )


# --- report ------------------------------------------------------------------------


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _fmt(value: float, digits: int = 0) -> str:
    if value != value:  # NaN
        return "n/a"
    return f"{value:,.{digits}f}"


def _ratio(value: float, base: float) -> str:
    if value != value or base != base or base == 0:
        return "n/a"
    return f"{value / base:.2f}x"


def _m(samples: list[Sample], attr: str) -> float:
    return median([getattr(s, attr) for s in samples])


def _rounds(samples: list[Sample], attr: str) -> str:
    return ", ".join(_fmt(getattr(s, attr)) for s in samples)


def report(
    results: dict[str, dict[str, Row]], open_rates: dict[str, float], targets: list[Target]
) -> str:
    lines: list[str] = []
    names = [t.name for t in targets]
    sink_name, proxy_name = names[0], names[1]
    for payload_name, rows in results.items():
        sink_row, proxy_row = rows[sink_name], rows[proxy_name]
        base_rate = _m(sink_row.closed, "rate")
        proxy_cpu = _m(proxy_row.closed, "fwd_cpu_ms_per_1k")
        proxy_rss = _m(proxy_row.closed, "peak_rss_mb")
        lines.append(f"#### {payload_name}: closed loop (wrk)")
        lines.append("")
        lines.append(
            "| path | profiles/s median (rounds) | vs sink | fwd CPU ms/1k (rounds) "
            "| vs proxy | sink CPU ms/1k | wrk CPU ms/1k | peak RSS MB | vs proxy "
            "| errors | sink got / 200s | other load (cores) |"
        )
        lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for name in names:
            closed = rows[name].closed
            if not closed:
                continue
            rate, cpu = _m(closed, "rate"), _m(closed, "fwd_cpu_ms_per_1k")
            rss = _m(closed, "peak_rss_mb")
            got = sum(s.sink_received for s in closed)
            ok = sum(s.ok for s in closed)
            lines.append(
                f"| {name} | **{_fmt(rate)}** ({_rounds(closed, 'rate')}) "
                f"| {_ratio(rate, base_rate)} "
                f"| **{_fmt(cpu)}** ({_rounds(closed, 'fwd_cpu_ms_per_1k')}) "
                f"| {_ratio(cpu, proxy_cpu)} | {_fmt(_m(closed, 'sink_cpu_ms_per_1k'))} "
                f"| {_fmt(_m(closed, 'gen_cpu_ms_per_1k'))} | {_fmt(rss, 1)} "
                f"| {_ratio(rss, proxy_rss)} | {sum(s.errors for s in closed)} | {got} / {ok} "
                f"| {', '.join(_fmt(s.other_cpu, 2) for s in closed)} |"
            )
        lines.append("")
        lines.append(
            "VmRSS after each round (MB): "
            + "; ".join(
                f"{name} {', '.join(_fmt(s.rss_after_mb, 1) for s in rows[name].closed)}"
                for name in names
                if rows[name].closed
            )
        )
        lines.append("")
        if payload_name not in open_rates:
            continue
        sink_open = rows[sink_name].opened
        base50, base99 = _m(sink_open, "p50_ms"), _m(sink_open, "p99_ms")
        proxy_open = rows[proxy_name].opened
        proxy_add99 = _m(proxy_open, "p99_ms") - base99 if proxy_open else float("nan")
        lines.append(
            f"#### {payload_name}: open loop at {_fmt(open_rates[payload_name])} "
            "profiles/s (half of alloylite's closed-loop maximum)"
        )
        lines.append("")
        lines.append(
            "| path | p50 ms | p99 ms (rounds) | added p50 ms | added p99 ms | vs proxy "
            "| fwd CPU ms/1k | vs proxy | loadgen CPU ms/1k | errors |"
        )
        lines.append("|---|---|---|---|---|---|---|---|---|---|")
        proxy_open_cpu = _m(proxy_open, "fwd_cpu_ms_per_1k") if proxy_open else float("nan")
        for name in names:
            opened = rows[name].opened
            if not opened:
                continue
            p50, p99 = _m(opened, "p50_ms"), _m(opened, "p99_ms")
            add50 = p50 - base50 if name != sink_name else float("nan")
            add99 = p99 - base99 if name != sink_name else float("nan")
            cpu = _m(opened, "fwd_cpu_ms_per_1k")
            lines.append(
                f"| {name} | {_fmt(p50, 2)} | {_fmt(p99, 2)} "
                f"({', '.join(_fmt(s.p99_ms, 2) for s in opened)}) | {_fmt(add50, 2)} "
                f"| **{_fmt(add99, 2)}** | {_ratio(add99, proxy_add99)} | {_fmt(cpu)} "
                f"| {_ratio(cpu, proxy_open_cpu)} | {_fmt(_m(opened, 'gen_cpu_ms_per_1k'))} "
                f"| {sum(s.errors for s in opened)} |"
            )
        lines.append("")
    return "\n".join(lines)


def profile_targets(
    out_dir: Path,
    targets: list[Target],
    script: Path,
    payload: Payload,
    connections: int,
    seconds: float,
) -> list[str]:
    """py-spy the proxy and the first alloylite target while wrk loads each in turn."""
    if not pyspy.available():
        return ["py-spy not found: pip install py-spy"]
    out_dir.mkdir(parents=True, exist_ok=True)
    summaries = []
    first_alloylite = next((t for t in targets if t.name.startswith("(c)")), None)
    for target in [targets[1], first_alloylite]:
        if target is None:
            continue
        slug = "proxy" if target.name.startswith("(b)") else "alloylite"
        folded = out_dir / f"{payload.name}-{slug}.folded"
        recorder = pyspy.record(target.proc.pid, seconds, folded)
        time.sleep(0.5)  # let py-spy attach before the load starts
        wrk.run(script, f"http://127.0.0.1:{target.port}{payload.path}", connections, seconds)
        recorder.wait(timeout=seconds + 30)
        text = pyspy.summarize(folded) if folded.exists() else "(py-spy wrote nothing)"
        summaries.append(f"{payload.name}, {target.name} ({folded}):\n```\n{text}\n```")
    return summaries


def scaling(results: dict[str, dict[str, Row]], targets: list[Target]) -> str:
    """Throughput of each multi-worker alloylite row over the one-worker row."""
    single = next((t.name for t in targets if t.name.endswith(", 1 worker")), None)
    multi = [t.name for t in targets if t.name.startswith("(c)") and t.name != single]
    if single is None or not multi:
        return ""
    lines = []
    for payload_name, rows in results.items():
        base = _m(rows[single].closed, "rate")
        for name in multi:
            rate = _m(rows[name].closed, "rate")
            lines.append(
                f"- {payload_name}: {name} / 1 worker = {_ratio(rate, base)} "
                f"({_fmt(rate)} vs {_fmt(base)} profiles/s)"
            )
    return "Scaling with workers (closed loop, medians):\n\n" + "\n".join(lines) + "\n"


# --- main --------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.forward",
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick", action="store_true", help="1 round, 3 s runs, payloads ingest-12k and push-12k"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=6.0, help="per measured run")
    parser.add_argument(
        "--warmup", type=float, default=2.0, help="per target, before each run (whole seconds)"
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--big-connections",
        type=int,
        default=100,
        help="connections for the 1 MB payload (the peak-RSS target)",
    )
    parser.add_argument("--payloads", default=",".join(ALL_PAYLOADS))
    parser.add_argument(
        "--workers", default="1", help="comma list: one alloylite target per value (e.g. 1,2)"
    )
    parser.add_argument(
        "--proxy-client",
        default="httpcore",
        help="comma list, one proxy row each, the first is the baseline of the "
        "ratios: httpcore (default), httpx, httpcore-asyncio",
    )
    parser.add_argument(
        "--no-alloylite",
        action="store_true",
        help="only the sink and the proxy (to test the harness)",
    )
    parser.add_argument("--no-open-loop", action="store_true")
    parser.add_argument(
        "--live-debugging",
        action="store_true",
        help="one more alloylite row (one worker) with `livedebugging` on and one viewer "
        "(curl -N on the writer's live stream) connected",
    )
    parser.add_argument("--json", type=Path, help="also write every sample here")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="niceness for the whole benchmark: every process it starts and "
        "their scheduler autogroups; negative values need root and shield "
        "the measurement from other work on a shared machine",
    )
    parser.add_argument(
        "--py-spy",
        type=Path,
        metavar="DIR",
        dest="py_spy",
        help="after each payload's rounds, record alloylite (and the proxy) "
        "with py-spy during one more closed-loop run; folded stacks go to DIR",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.seconds, args.warmup = 1, 3.0, 1.0
        if args.payloads == ",".join(ALL_PAYLOADS):
            args.payloads = ",".join(QUICK_PAYLOADS)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    own_group_nice: int | None = None
    if args.nice:
        try:
            os.nice(args.nice)
        except OSError as exc:
            print(f"--nice {args.nice}: {exc}", file=sys.stderr)
            return 2
        # wrk and loadgen run in this session; its autogroup may be the caller's shell's,
        # so the old value is put back at the end.
        own_group_nice = autogroup_nice(os.getpid())
        set_autogroup_nice(os.getpid(), args.nice)
    if not wrk.available():
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2
    payload_names = [p for p in args.payloads.split(",") if p]
    payloads = build_payloads(payload_names)
    missing = set(payload_names) - set(payloads)
    if missing:
        print(f"unknown payloads: {sorted(missing)}; known: {ALL_PAYLOADS}", file=sys.stderr)
        return 2
    probe = build_payloads(["ingest-2k"])["ingest-2k"]
    workdir = Path(tempfile.mkdtemp(prefix="bench-forward-"))
    started = datetime.now(UTC)
    targets: list[Target] = []
    viewers: list[subprocess.Popen[bytes]] = []
    try:
        sink_port = free_port()
        sink = Target(
            "(a) wrk -> sink",
            sink_port,
            start_process(
                [sys.executable, "-m", "bench.forward.sink", "--port", str(sink_port)],
                workdir / "sink.log",
            ),
            forwarder=False,
            log=workdir / "sink.log",
        )
        targets.append(sink)
        for client in [c for c in args.proxy_client.split(",") if c]:
            proxy_port = free_port()
            log = workdir / f"proxy-{client}.log"
            targets.append(
                Target(
                    f"(b) minimal proxy ({client})",
                    proxy_port,
                    start_process(
                        [
                            sys.executable,
                            "-m",
                            "bench.forward.proxy",
                            "--port",
                            str(proxy_port),
                            "--upstream",
                            f"http://127.0.0.1:{sink_port}",
                            "--client",
                            client,
                        ],
                        log,
                    ),
                    forwarder=True,
                    log=log,
                )
            )
        if not args.no_alloylite:
            for n in [int(w) for w in args.workers.split(",") if w]:
                port, agent_port = free_port(), free_port()
                config = workdir / f"alloylite-w{n}.alloy"
                config.write_text(ALLOYLITE_CONFIG.format(sink_port=sink_port, port=port))
                log = workdir / f"alloylite-w{n}.log"
                cmd = alloylite_command(config, agent_port)
                if n != 1:
                    cmd.append(f"--workers={n}")
                targets.append(
                    Target(
                        f"(c) alloylite run, {n} worker{'s' if n > 1 else ''}",
                        port,
                        start_process(cmd, log),
                        forwarder=True,
                        log=log,
                    )
                )
        if args.live_debugging and not args.no_alloylite:
            port, agent_port = free_port(), free_port()
            config = workdir / "alloylite-live.alloy"
            config.write_text(LIVE_CONFIG.format(sink_port=sink_port, port=port))
            log = workdir / "alloylite-live.log"
            cmd = alloylite_command(config, agent_port)
            live = Target(
                "(d) alloylite run, live debugging on, 1 viewer",
                port,
                start_process(cmd, log),
                forwarder=True,
                log=log,
            )
            targets.append(live)
            viewer_url = f"http://127.0.0.1:{agent_port}/api/v0/web/debug/{LIVE_VIEWED}"
            viewers.append(
                start_process(
                    ["sh", "-c", f"until curl -sfN -o /dev/null {viewer_url}; do sleep 0.2; done"],
                    workdir / "viewer.log",
                )
            )
        if args.nice:
            for target in targets:  # each runs in its own session, hence its own autogroup
                set_autogroup_nice(target.proc.pid, args.nice)
        not_ready: list[str] = []
        for target in list(targets):
            if not wait_ready(target, probe, timeout=60.0):
                tail = target.log.read_text(errors="replace")[-3000:]
                print(f"{target.name} did not become ready; log tail:\n{tail}", file=sys.stderr)
                not_ready.append(
                    f"{target.name}: did not answer 200 within 60 s "
                    f"(exit code {target.proc.poll()})"
                )
                if not target.name.startswith("(c)"):
                    return 1
                stop_process(target.proc)
                targets.remove(target)
        for target in targets:
            target.rss_start_kb = tree_memory_kb(target.proc.pid, "VmRSS")

        results: dict[str, dict[str, Row]] = {}
        open_rates: dict[str, float] = {}
        profiles: list[str] = []
        for payload in (payloads[name] for name in payload_names):
            script = wrk.write_script(payload, workdir)
            rows = {t.name: Row() for t in targets}
            results[payload.name] = rows
            big = payload.name in BIG_PAYLOADS
            connections = args.big_connections if big else args.connections
            for rnd in range(args.rounds):
                order = targets[rnd % len(targets) :] + targets[: rnd % len(targets)]
                for target in order:
                    sample = measure_closed(
                        target, sink, script, payload, connections, args.seconds, args.warmup
                    )
                    rows[target.name].closed.append(sample)
                    print(
                        f"[{payload.name} r{rnd + 1}] {target.name}: {sample.rate:,.0f}/s "
                        f"cpu {sample.fwd_cpu_ms_per_1k:.0f} ms/1k "
                        f"rss {sample.peak_rss_mb:.1f} MB err {sample.errors}",
                        file=sys.stderr,
                        flush=True,
                    )
            if args.py_spy is not None:
                profiles.extend(
                    profile_targets(
                        args.py_spy, targets, script, payload, connections, args.seconds
                    )
                )
            if big or args.no_open_loop:
                continue
            ref = next((t for t in targets if t.name.startswith("(c)")), targets[1])
            rate = 0.5 * _m(rows[ref.name].closed, "rate")
            open_rates[payload.name] = rate
            for rnd in range(args.rounds):
                order = targets[rnd % len(targets) :] + targets[: rnd % len(targets)]
                for target in order:
                    sample = measure_open(
                        target, sink, payload, rate, args.seconds, min(args.warmup, 1.0)
                    )
                    rows[target.name].opened.append(sample)
                    print(
                        f"[{payload.name} open r{rnd + 1}] {target.name}: "
                        f"p50 {sample.p50_ms:.2f} p99 {sample.p99_ms:.2f} ms",
                        file=sys.stderr,
                        flush=True,
                    )

        print(f"### bench/forward run of {started:%Y-%m-%d %H:%M} UTC\n")
        print(
            f"Machine: {machine_description()}. Command: `python -m bench.forward "
            f"{' '.join(argv if argv is not None else sys.argv[1:])}`. Rounds: {args.rounds} "
            f"x {args.seconds:g} s per path, alternating; wrk 1 thread, "
            f"{args.connections} connections ({args.big_connections} for 1 MB); "
            f"niceness {os.nice(0)}; load average at the end {_loadavg()}.\n"
        )
        for line in not_ready:
            print(f"**Not measured**: {line}\n")
        print(report(results, open_rates, targets))
        print(scaling(results, targets))
        forwarded = {
            t.name: sum(
                s.ok for rows in results.values() for s in rows[t.name].closed + rows[t.name].opened
            )
            for t in targets
        }
        print(
            "RSS (VmRSS) after start-up -> at the end of the run (profiles sent through): "
            + "; ".join(
                f"{t.name} {t.rss_start_kb / 1024:.1f} -> "
                f"{tree_memory_kb(t.proc.pid, 'VmRSS') / 1024:.1f} MB "
                f"({forwarded[t.name]:,})"
                for t in targets
            )
        )
        if profiles:
            print("\n#### Where the time goes (py-spy, closed loop)\n")
            print("\n\n".join(profiles))
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "started": started.isoformat(),
                        "machine": machine_description(),
                        "open_rates": open_rates,
                        "results": {
                            p: {n: asdict(r) for n, r in rows.items()}
                            for p, rows in results.items()
                        },
                    },
                    indent=1,
                )
            )
        return 0
    finally:
        for viewer in viewers:
            stop_process(viewer)
        for target in reversed(targets):
            stop_process(target.proc)
        if args.nice and own_group_nice is not None:
            set_autogroup_nice(os.getpid(), own_group_nice)


if __name__ == "__main__":
    raise SystemExit(main())
