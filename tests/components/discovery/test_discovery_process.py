"""discovery.process: parsing /proc (a fake tree under HOST_PROC), join, the refresh loop
(spec §4.2)."""

from __future__ import annotations

import asyncio
import dataclasses
import errno
import logging
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from alloylite.components.discovery.process import Arguments, DiscoverConfig, procfs
from alloylite.components.discovery.process.component import DiscoveryProcess
from alloylite.components.discovery.process.join import join
from alloylite.runtime.component import ComponentOptions

CID = "7edda1de1e0d1d366351e478359cf5fa16bb8ab53063a99bb119e56971bfb7e2"
CID2 = "47e320f795efcec1ecf2001c3a09c95e3701ed87de8256837b70b10e23818251"


@pytest.mark.parametrize(
    ("cgroup", "expected"),
    [
        # cgroup v1: one line per controller; the first line with an id wins
        (f"12:pids:/\n11:memory:/docker/{CID}\n10:cpu:/docker/{CID2}\n", CID),
        # cgroup v2, systemd driver: prefix-<id>.scope
        (f"0::/system.slice/docker-{CID}.scope\n", CID),
        (
            "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/"
            f"cri-containerd-{CID2}.scope",
            CID2,
        ),
        (f"0::/kubepods/besteffort/pod1/{CID}  \n", CID),  # trailing blanks before the end
        ("0::/user.slice/user-1000.slice/session-2.scope\n", ""),
        (f"0::/docker/{CID[:63]}\n", ""),  # 63 hex digits
        (f"0::/docker/{CID.upper()}\n", ""),  # upper case is not an id
        (f"0::/docker/{CID}x\n", ""),  # must end, or be followed by a dot
        ("", ""),
    ],
)
def test_container_id_from_cgroup_lines(cgroup: str, expected: str) -> None:
    assert procfs.container_id(cgroup) == expected


def test_cgroup_path_joins_every_line_verbatim() -> None:
    assert procfs.cgroup_path("12:pids:/a\n11:memory:/b\n") == "12:pids:/a|11:memory:/b"
    assert procfs.cgroup_path("0::/system.slice/x.service\n") == "0::/system.slice/x.service"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"/usr/bin/python3\0-m\0\0app\0", "/usr/bin/python3 -m app"),
        (b"nginx: worker process\0\0\0", "nginx: worker process"),
        (b"", ""),
        (b"\0\0", ""),
    ],
)
def test_commandline_drops_empty_pieces(raw: bytes, expected: str) -> None:
    assert procfs.commandline(raw) == expected


def test_real_uid_is_the_first_uid_field() -> None:
    assert procfs.real_uid("Name:\tx\nUid:\t1000\t0\t0\t0\nGid:\t0\n") == "1000"
    assert procfs.real_uid("Name:\tx\n") == ""


def fake_process(
    root: Path,
    pid: int,
    *,
    exe: str | None = "/usr/bin/app",
    cwd: str | None = "/srv",
    cmdline: bytes = b"/usr/bin/app\0--flag\0",
    uid: int = 0,
    cgroup: str = "0::/\n",
) -> None:
    d = root / "proc" / str(pid)
    d.mkdir(parents=True)
    if exe is not None:
        os.symlink(exe, d / "exe")
    if cwd is not None:
        os.symlink(cwd, d / "cwd")
    (d / "cmdline").write_bytes(cmdline)
    (d / "status").write_text(f"Name:\tapp\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\n")
    c = root / "cgroup" / str(pid)
    c.mkdir(parents=True)
    (c / "cgroup").write_text(cgroup)


@pytest.fixture
def fake_proc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOST_PROC", str(tmp_path / "proc"))
    fake_process(tmp_path, 1, cgroup=f"0::/system.slice/docker-{CID}.scope\n")
    fake_process(tmp_path, 20, exe=None)  # kernel thread: no exe link -> ENOENT, skipped
    fake_process(tmp_path, 7, cwd=None, exe="/bin/sh", cmdline=b"", uid=4_000_000)
    fake_process(tmp_path, 300, exe="/opt/x", cgroup="12:pids:/a\n11:memory:/b\n")
    (tmp_path / "proc" / "self").mkdir()  # not a PID
    (tmp_path / "proc" / "7" / "cwd").mkdir()  # readlink of a directory: EINVAL, logged
    return tmp_path


def test_walk_reads_only_enabled_fields_and_skips_failed_processes(fake_proc: Path) -> None:
    all_fields = DiscoverConfig(username=True, uid=True, cgroup_path=True)
    found = procfs.discover(all_fields, cgroup_root=str(fake_proc / "cgroup"))
    assert found.targets == [
        {
            "__process_pid__": "1",
            "__meta_process_exe": "/usr/bin/app",
            "__meta_process_cwd": "/srv",
            "__meta_process_commandline": "/usr/bin/app --flag",
            "__meta_process_username": "root",
            "__meta_process_uid": "0",
            "__container_id__": CID,
            "__meta_process_cgroup_path": f"0::/system.slice/docker-{CID}.scope",
        },
        {
            "__process_pid__": "300",
            "__meta_process_exe": "/opt/x",
            "__meta_process_cwd": "/srv",
            "__meta_process_commandline": "/usr/bin/app --flag",
            "__meta_process_username": "root",
            "__meta_process_uid": "0",
            "__meta_process_cgroup_path": "12:pids:/a|11:memory:/b",
        },
    ]
    # PID 20 vanished silently; PID 7's cwd is not a link: logged, process skipped.
    cwd7 = fake_proc / "proc" / "7" / "cwd"
    assert found.errors == [procfs.ReadError(7, f"readlink {cwd7}: invalid argument", errno.EINVAL)]


def test_code_defaults_and_empty_values_omitted(fake_proc: Path) -> None:
    (fake_proc / "proc" / "7" / "cwd").rmdir()
    os.symlink("/", fake_proc / "proc" / "7" / "cwd")
    found = procfs.discover(DiscoverConfig(), cgroup_root=str(fake_proc / "cgroup"))
    by_pid = {t["__process_pid__"]: t for t in found.targets}
    # username/uid are off by default (Alloy's code; its docs say on); an empty cmdline
    # and a missing container id give no label at all.
    assert by_pid["7"] == {
        "__process_pid__": "7",
        "__meta_process_exe": "/bin/sh",
        "__meta_process_cwd": "/",
    }
    uid_only = procfs.discover(
        DiscoverConfig(username=True, uid=True, exe=False, cwd=False, commandline=False),
        cgroup_root=str(fake_proc / "cgroup"),
    )
    # An unknown UID has no username, silently.
    assert {"__process_pid__": "7", "__meta_process_uid": "4000000"} in uid_only.targets


def test_an_unreadable_proc_stops_the_walk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOST_PROC", str(tmp_path / "missing"))
    with pytest.raises(procfs.ListError, match="failed to list processes: open .*missing: no such"):
        procfs.discover(DiscoverConfig())


def proc_target(pid: str, cid: str = "", **extra: str) -> dict[str, str]:
    target = {"__process_pid__": pid, "__meta_process_exe": f"/bin/{pid}"}
    if cid:
        target["__container_id__"] = cid
    return {**target, **extra}


def test_join_order_and_merge() -> None:
    processes = [proc_target("239", CID), proc_target("240", CID), proc_target("241")]
    docker = {"__meta_docker_container_id": CID, "foo": "bar", "__meta_process_exe": "joined"}
    k8s = {"__meta_kubernetes_pod_container_id": f"docker://{CID2}", "qwe": "asd"}
    plain = {"lol": "lol"}
    unknown_runtime = {"__meta_kubernetes_pod_container_id": f"rkt://{CID2}", "x": "y"}
    assert join(processes, [docker, k8s, plain, unknown_runtime]) == [
        plain,
        unknown_runtime,  # an unknown prefix gives no id: kept with the id-less ones
        {**processes[0], **docker},  # the join target wins on conflicts
        {**processes[1], **docker},
        processes[2],
        docker,
        k8s,
    ]


def test_join_duplicate_ids_collapse_to_the_last() -> None:
    first = {"__container_id__": CID, "n": "1"}
    last = {"__container_id__": CID, "n": "2"}
    assert join([proc_target("1", CID)], [first, last]) == [{**proc_target("1", CID), **last}, last]


def make(args: Arguments) -> tuple[DiscoveryProcess, list[dict[str, Any]]]:
    exports: list[dict[str, Any]] = []
    options = ComponentOptions(
        id="discovery.process.test",
        logger=logging.getLogger("test.discovery.process"),
        on_state_change=exports.append,
    )
    return DiscoveryProcess(options, args), exports


def test_permission_errors_are_logged_once_per_refresh(
    fake_proc: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_readlink = os.readlink

    def readlink(path: Any) -> str:
        if str(path).endswith(("/1/exe", "/300/exe")):
            raise PermissionError(errno.EACCES, "Permission denied")
        return str(real_readlink(path))

    monkeypatch.setattr(os, "readlink", readlink)
    component, exports = make(Arguments(discover_config=DiscoverConfig(container_id=False)))
    with caplog.at_level(logging.ERROR, logger="test.discovery.process"):
        asyncio.run(component._refresh())
    denied = [r for r in caplog.records if "permission denied" in getattr(r, "err", "")]
    assert len(denied) == 1
    assert denied[0].processes == 2  # type: ignore[attr-defined]
    assert denied[0].err == f"readlink {fake_proc}/proc/1/exe: permission denied"  # type: ignore[attr-defined]
    einval = [r for r in caplog.records if getattr(r, "pid", None) == 7]
    assert len(einval) == 1  # other errors: one line per PID, as Alloy
    assert exports == [{"targets": None}, {"targets": []}]


def test_exports_then_updates_join_at_once_and_a_zero_interval_stops(fake_proc: Path) -> None:
    args = Arguments(
        discover_config=DiscoverConfig(container_id=False, cwd=False, commandline=False),
        refresh_interval=timedelta(0),
    )
    component, exports = make(args)

    async def main() -> None:
        with pytest.raises(ValueError, match="refresh_interval must be positive"):
            await component.run()
        await component.update(dataclasses.replace(args, join=[{"a": "b"}]))

    asyncio.run(main())
    assert exports[0] == {"targets": None}  # Alloy's zero value until the first walk
    exports.pop(0)
    pids = [t["__process_pid__"] for t in exports[0]["targets"]]
    assert pids == ["1", "7", "300"]  # cwd is off, so PID 7's bad cwd link is not read
    assert exports[1]["targets"] == [{"a": "b"}, *exports[0]["targets"]]
