"""discovery.process on this machine's real /proc: a child process started by the test is
found by its executable path, with its PID and command line, and discovery.relabel keeps
only it in a running graph (spec §4.2, §4.1)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from alloylite.components.discovery.process import DiscoverConfig
from alloylite.components.discovery.process.procfs import discover
from alloylite.runtime.component import Stability
from alloylite.runtime.controller import Controller
from alloylite.runtime.registry import default_registry

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="discovery.process is Linux-only")


@pytest.fixture
def sleeper(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[bytes]]]:
    """`sleep` under a path no other process has, so its exe link names it uniquely."""
    exe = tmp_path / "alloylite-test-sleeper"
    sleep = shutil.which("sleep")
    assert sleep is not None
    shutil.copy(sleep, exe)
    proc = subprocess.Popen([str(exe), "30"], cwd=tmp_path)
    try:
        yield exe, proc
    finally:
        proc.kill()
        proc.wait()


def test_the_walk_finds_a_child_by_its_executable(
    sleeper: tuple[Path, subprocess.Popen[bytes]],
) -> None:
    exe, proc = sleeper
    found = discover(DiscoverConfig(uid=True))
    (mine,) = [t for t in found.targets if t.get("__meta_process_exe") == str(exe)]
    assert mine.pop("__meta_process_uid").isdigit()
    mine.pop("__container_id__", None)  # present when the tests run inside a container
    assert mine == {
        "__process_pid__": str(proc.pid),
        "__meta_process_exe": str(exe),
        "__meta_process_cwd": str(exe.parent),
        "__meta_process_commandline": f"{exe} 30",
    }


def test_discovery_relabel_keeps_the_child_in_a_running_graph(
    sleeper: tuple[Path, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    exe, proc = sleeper
    config = tmp_path / "main.alloy"
    config.write_text(
        f"""
discovery.process "all" {{
  refresh_interval = "1h"
}}

discovery.relabel "sleeper" {{
  targets = discovery.process.all.targets

  rule {{
    source_labels = ["__meta_process_exe"]
    regex         = "{exe}"
    action        = "keep"
  }}

  rule {{
    source_labels = ["__process_pid__"]
    target_label  = "pid"
  }}
}}
"""
    )

    async def main() -> list[dict[str, str]]:
        ctl = Controller(str(config), default_registry(), Stability.GENERALLY_AVAILABLE)
        await ctl.load()
        try:
            for _ in range(1000):
                output = ctl.components["discovery.relabel.sleeper"].exports.get("output")
                if output:
                    return list(output)
                await asyncio.sleep(0.01)
            raise AssertionError("discovery.relabel never exported the child")
        finally:
            await ctl.stop()

    output = asyncio.run(asyncio.wait_for(main(), 60))
    assert [(t["pid"], t["__meta_process_exe"]) for t in output] == [(str(proc.pid), str(exe))]
