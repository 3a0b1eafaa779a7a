"""Alloy-side delta (pyroscope.scrape, memory/mutex/block) on real Go heap profiles.

Builds tests/integration/goapp with Debian's `go` (as tests/integration/test_scrape_go.py
does), runs it with GOAPP_STACKS=<bits> so it allocates from 2^bits distinct stacks, takes
two cumulative `allocs` profiles a second apart and times `DeltaComputer.compute` on them:
ms per profile (median) and the peak Python memory of one computation (tracemalloc).

    python -m bench.delta [--bits 12,15] [--rounds 20]
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

import httpx

from alloylite.components.pyroscope.pprof.profile import decode, gunzip
from alloylite.components.pyroscope.scrape.delta import DeltaComputer
from tests.integration import goapp


def profiles(binary: Path, bits: int) -> tuple[bytes, bytes]:
    """Two cumulative allocs profiles of a goapp allocating from 2^bits stacks."""
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bits", default="12,15")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        binary = goapp.build(Path(tmp))
        print("| stacks | samples | gzip'd KB | raw KB | ms per profile | peak MiB |")
        print("|---:|---:|---:|---:|---:|---:|")
        for bits in (int(b) for b in args.bits.split(",")):
            first, second = profiles(binary, bits)
            samples = len(decode(gunzip(second)).samples)
            raw = len(gzip.decompress(second))
            ms, peak = measure(first, second, args.rounds)
            print(
                f"| {1 << bits:,} | {samples:,} | {len(second) / 1000:.0f} | {raw / 1000:.0f} "
                f"| {ms:.1f} | {peak:.1f} |"
            )


if __name__ == "__main__":
    main()
