"""Where the forwarding process spends its time: py-spy samples while wrk runs, summarised.

`python -m bench.forward --py-spy DIR` records alloylite (1 worker) during one extra
closed-loop run per payload (py-spy `--format raw`, folded stacks, `--nonblocking` so the
target is not paused) and prints, per payload, the share of samples by package, the
functions with the most own time, and the time attributed to the innermost alloylite frame
(what alloylite code, including the library calls it makes, costs).

    python -m bench.forward.pyspy DIR/ingest-12k.folded    # summarise a recording again
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^:()]+):(?P<line>\d+)\)$")


def available() -> bool:
    return shutil.which("py-spy") is not None


def record(pid: int, seconds: float, out: Path, rate: int = 100) -> subprocess.Popen[bytes]:
    """Start recording; the caller waits for it after generating load."""
    return subprocess.Popen(
        [
            "py-spy",
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(max(1, round(seconds))),
            "--rate",
            str(rate),
            "--format",
            "raw",
            "--nonblocking",
            "--subprocesses",
            "--output",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


_OUTER = ("alloylite/__main__.py", "alloylite/cli.py", "alloylite/commands/run.py")


def _file(frame: str) -> str:
    match = _FRAME.match(frame)
    if not match:
        return frame
    path = match["file"]
    # py-spy prints paths relative to the sys.path entry they were found under.
    for marker in ("site-packages/", "/work/main/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    if "/alloylite/" in path:
        path = "alloylite/" + path.split("/alloylite/", 1)[1]
    return path


def _is_ours(frame: str) -> bool:
    path = _file(frame)
    return path.startswith("alloylite/") and not path.startswith(_OUTER)


def _package(frame: str) -> str:
    path = _file(frame)
    if path.startswith("alloylite/"):
        return path
    return path.split("/", 1)[0].removesuffix(".py")


def _short(frame: str) -> str:
    match = _FRAME.match(frame)
    return f"{match['func']} ({_file(frame)}:{match['line']})" if match else frame


def summarize(folded: Path, top: int = 15) -> str:
    by_package: Counter[str] = Counter()
    own: Counter[str] = Counter()
    innermost: Counter[str] = Counter()
    total = 0
    for line in folded.read_text().splitlines():
        if not line.strip():
            continue
        stack, _, count = line.rpartition(" ")
        n = int(count)
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        total += n
        by_package[_package(frames[-1])] += n
        own[_short(frames[-1])] += n
        ours = next((f for f in reversed(frames) if _is_ours(f)), None)
        if ours is not None:
            innermost[re.sub(r":\d+\)$", ")", _short(ours))] += n
        else:
            innermost["(no alloylite frame: server/loop machinery)"] += n
    if total == 0:
        return "(no samples)"

    def block(title: str, counter: Counter[str]) -> list[str]:
        rows = [f"{title}:"]
        rows += [f"  {100.0 * n / total:5.1f}%  {name}" for name, n in counter.most_common(top)]
        return rows

    lines = [f"{total} samples (active time only)"]
    lines += block("by package (own time)", by_package)
    lines += block("functions with the most own time", own)
    lines += block("innermost alloylite function (own + callees outside alloylite)", innermost)
    return "\n".join(lines)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(f"== {arg}")
        print(summarize(Path(arg)))
