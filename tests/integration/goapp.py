"""Build and run the Go pprof service of tests/integration/goapp (standard library only).

Debian's `golang-go` is installed by .ci/run; without `go` the tests that need it skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.integration.agent import free_port

SOURCE = Path(__file__).with_name("goapp") / "main.go"


def build(tmp: Path) -> Path:
    go = shutil.which("go")
    if go is None:
        pytest.skip("`go` is not installed (Debian package golang-go; .ci/run installs it)")
    work = tmp / "goapp"
    work.mkdir(exist_ok=True)
    shutil.copy(SOURCE, work / "main.go")
    (work / "go.mod").write_text("module goapp\n\ngo 1.19\n")
    env = {
        **os.environ,
        "GOFLAGS": "-mod=mod",
        "GOPROXY": "off",
        "GOCACHE": str(tmp / "gocache"),
        "GOPATH": str(tmp / "gopath"),
        "CGO_ENABLED": "0",
    }
    binary = work / "goapp"
    subprocess.run(
        [go, "build", "-o", str(binary), "."], cwd=work, env=env, check=True, timeout=300
    )
    return binary


@contextmanager
def running(binary: Path) -> Iterator[str]:
    """Run the service on a free port; yields its `host:port`."""
    address = f"127.0.0.1:{free_port()}"
    proc = subprocess.Popen([str(binary), address])
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://{address}/debug/pprof/", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError("the Go pprof service did not start") from None
                time.sleep(0.05)
        yield address
    finally:
        proc.terminate()
        proc.wait(timeout=10)
