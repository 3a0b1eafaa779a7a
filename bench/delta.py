"""Alloy-side delta (pyroscope.scrape, memory/mutex/block) on real Go heap profiles.

Builds tests/integration/goapp with Debian's `go` (as tests/integration/test_scrape_go.py
does), runs it with GOAPP_STACKS=<bits> so it allocates from 2^bits distinct stacks, takes
two cumulative `allocs` profiles a second apart and times `DeltaComputer.compute` on them:
ms per profile (median) and the peak Python memory of one computation (tracemalloc).
With --baseline TREE (another checkout, e.g. `git worktree add /tmp/base <commit>`) the same
profiles are also measured with TREE's alloylite in a subprocess, in the same run.

    python -m bench.delta [--bits 12,15] [--rounds 20] [--baseline TREE]
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import httpx

from alloylite.components.pyroscope.pprof.profile import decode, gunzip
from alloylite.components.pyroscope.scrape.delta import DeltaComputer


def profiles(binary: Path, bits: int) -> tuple[bytes, bytes]:
    """Two cumulative allocs profiles of a goapp allocating from 2^bits stacks."""
    from tests.integration import goapp

    os.environ["GOAPP_STACKS"] = str(bits)
    try:
        with goapp.running(binary) as address:
            url = f"http://{address}/debug/pprof/allocs"
            deadline = time.monotonic() + 60
            first = httpx.get(url, timeout=30).content
            while len(decode(gunzip(first)).samples) < 1 << bits:
                if time.monotonic() > deadline:
                    raise SystemExit("goapp never reached its stack count")
                first = httpx.get(url, timeout=30).content
            second = first
            while second == first:
                second = httpx.get(url, timeout=30).content
            return first, second
    finally:
        del os.environ["GOAPP_STACKS"]


def measure(first: bytes, second: bytes, rounds: int) -> tuple[float, float]:
    """(median ms per delta profile, peak MiB of one computation)."""
    times = []
    for _ in range(rounds):
        computer = DeltaComputer("memory")
        computer.compute(first)
        start = time.perf_counter()
        computer.compute(second)
        times.append((time.perf_counter() - start) * 1000)
    computer = DeltaComputer("memory")
    computer.compute(first)
    tracemalloc.start()
    computer.compute(second)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / (1 << 20)


def measure_in(tree: Path, first: Path, second: Path, rounds: int) -> tuple[float, float]:
    """`measure` with the alloylite of another checkout, in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, __file__, "--measure", str(first), str(second), "--rounds", str(rounds)],
        env={**os.environ, "PYTHONPATH": str(tree)},
        check=True,
        capture_output=True,
        text=True,
    )
    ms, peak = done.stdout.split()
    return float(ms), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bits", default="12,15")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--baseline", type=Path, help="another checkout to measure alongside")
    parser.add_argument("--measure", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:  # the subprocess of measure_in
        print(*measure(args.measure[0].read_bytes(), args.measure[1].read_bytes(), args.rounds))
        return
    from tests.integration import goapp

    with tempfile.TemporaryDirectory() as tmp:
        binary = goapp.build(Path(tmp))
        extra = " baseline ms | baseline MiB | speed-up |" if args.baseline else ""
        print("| stacks | samples | gzip'd KB | raw KB | ms per profile | peak MiB |" + extra)
        print("|---:|---:|---:|---:|---:|---:|" + ("---:|" * 3 if args.baseline else ""))
        for bits in (int(b) for b in args.bits.split(",")):
            first, second = profiles(binary, bits)
            samples = len(decode(gunzip(second)).samples)
            raw = len(gzip.decompress(second))
            ms, peak = measure(first, second, args.rounds)
            row = (
                f"| {1 << bits:,} | {samples:,} | {len(second) / 1000:.0f} | {raw / 1000:.0f} "
                f"| {ms:.1f} | {peak:.1f} |"
            )
            if args.baseline:
                paths = (Path(tmp) / "first.pb.gz", Path(tmp) / "second.pb.gz")
                paths[0].write_bytes(first)
                paths[1].write_bytes(second)
                base_ms, base_peak = measure_in(args.baseline, *paths, args.rounds)
                row += f" {base_ms:.1f} | {base_peak:.1f} | {base_ms / ms:.2f}x |"
            print(row)


if __name__ == "__main__":
    main()
