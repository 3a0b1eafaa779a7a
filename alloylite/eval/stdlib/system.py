"""`sys.env`, `constants` and `file.path_join`."""

from __future__ import annotations

import os
import re
import sys
from typing import Any

from alloylite._version import __version__
from alloylite.eval.decode import arg, to_string
from alloylite.eval.stdlib.builtin import builtin
from alloylite.eval.values import Function
from alloylite.gocompat import path_join


def env(*args: Any) -> str:
    return os.environ.get(arg(args, 0, to_string), "")


def file_path_join(*args: Any) -> str:
    """Alloy's `file.path_join`: Go's `filepath.Join` of the string arguments."""
    return path_join(*(arg(args, i, to_string) for i in range(len(args))))


_GOOS = {"linux": "linux", "darwin": "darwin", "win32": "windows", "cygwin": "windows"}
_GOARCH = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "i386": "386",
    "i686": "386",
    "armv7l": "arm",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
}


def _version() -> str:
    match = re.match(r"v?(\d+)\.(\d+)\.(\d+)", __version__)
    return f"v{match.group(1)}.{match.group(2)}.{match.group(3)}" if match else "v0.0.0"


def _host_and_machine() -> tuple[str, str]:
    """uname's node name and machine: what socket.gethostname and platform.machine return
    on Unix, without importing either module (the stdlib is built at every start)."""
    if hasattr(os, "uname"):
        uname = os.uname()
        return uname.nodename, uname.machine
    import platform
    import socket

    return socket.gethostname(), platform.machine()


def constants() -> dict[str, str]:
    hostname, machine = _host_and_machine()
    machine = machine.lower()
    return {
        "hostname": hostname,
        "os": _GOOS.get(sys.platform, sys.platform),
        "arch": _GOARCH.get(machine, machine),
        "version": _version(),
    }


SYS: dict[str, Function] = {"env": builtin("sys.env", env, 1)}
FILE: dict[str, Function] = {"path_join": builtin("file.path_join", file_path_join, None, 0)}
