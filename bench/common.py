"""Helpers shared by the benchmarks: free ports, process CPU and memory from /proc, percentiles.

CPU is read from /proc/<pid>/stat (utime+stime, plus cutime+cstime for children that
already exited and were reaped) over the whole process tree, because `--workers N` forks
and a benchmark that only read the parent would report almost nothing. Peak memory is
VmHWM, which can be reset per measurement by writing "5" to /proc/<pid>/clear_refs, so one
long-lived process gives a peak per scenario.
"""

from __future__ import annotations

import math
import os
import socket
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")
REPO_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 15.0, host: str = "127.0.0.1") -> bool:
    """True once something accepts TCP connections on host:port, False after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may contain spaces and parentheses; split after the last ')'.
    return raw[raw.rindex(")") + 2 :].split()


def process_tree(pid: int) -> list[int]:
    """pid and all its live descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _stat_fields(int(entry))
        if fields is None:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def cpu_seconds(pids: Iterable[int]) -> float:
    """utime+stime+cutime+cstime of the given processes, in seconds."""
    ticks = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None:
            # After dropping pid and comm: index 11..14 are utime, stime, cutime, cstime.
            ticks += sum(int(v) for v in fields[11:15])
    return ticks / CLK_TCK


def tree_cpu_seconds(pid: int) -> float:
    return cpu_seconds(process_tree(pid))


def set_autogroup_nice(pid: int, nice: int) -> bool:
    """With CONFIG_SCHED_AUTOGROUP, CPU is shared fairly between sessions first, so a plain
    nice value only matters inside one session; the session's own nice (root only for
    negative values) is what shields a measurement from other sessions' work."""
    try:
        Path(f"/proc/{pid}/autogroup").write_text(str(nice))
        return True
    except OSError:
        return False


def autogroup_nice(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/autogroup").read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (/proc/stat), to see foreign load."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_memory_kb(pid: int, key: str = "VmHWM") -> int:
    """Sum of VmHWM (peak) or VmRSS over the tree. For N workers the sum of peaks is an
    upper bound of the tree's simultaneous peak; shared pages count once per process."""
    return sum(_status_kb(p, key) for p in process_tree(pid))


def reset_peak_rss(pid: int) -> None:
    """Reset VmHWM of the tree to the current RSS (Linux >= 4.0)."""
    for p in process_tree(pid):
        try:
            Path(f"/proc/{p}/clear_refs").write_text("5")
        except OSError:
            pass


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted sequence (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(q / 100.0 * len(sorted_values))))
    return sorted_values[rank - 1]


def median(values: Sequence[float]) -> float:
    ordered = sorted(v for v in values if v == v)  # drop NaN
    if not ordered:
        return float("nan")
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def machine_description() -> str:
    """nproc, CPU model, kernel and Python: the line that goes next to every figure."""
    import platform

    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPU ({model}), Linux {platform.release()}, "
        f"Python {platform.python_version()}"
    )
