"""Reading processes from /proc the way Alloy does through gopsutil (spec §4.2).

Pure and synchronous on purpose: the component runs `discover` in a worker thread, and
tests point it at a fake /proc tree. Only the fields the `discover_config` block enables
are read. A PID that vanishes mid-walk (ENOENT, ESRCH) is skipped silently; other read
errors are returned to the caller, which decides how loudly to log them.

Like Alloy, every read honours `HOST_PROC` except `/proc/<pid>/cgroup`, which Alloy always
reads from the real /proc; `cgroup_root` exists so tests can supply it.
"""

from __future__ import annotations

import errno
import os
import pwd
import re
from dataclasses import dataclass, field

from alloylite.components.discovery.process.arguments import DiscoverConfig
from alloylite.components.discovery.process.join import CONTAINER_ID, Target

PID = "__process_pid__"
EXE = "__meta_process_exe"
CWD = "__meta_process_cwd"
COMMANDLINE = "__meta_process_commandline"
USERNAME = "__meta_process_username"
UID = "__meta_process_uid"
CGROUP_PATH = "__meta_process_cgroup_path"

# Alloy's regex, with Go's ASCII `\s` spelled out (Python's would also match \v and Unicode).
_CONTAINER_ID_RE = re.compile(r"^.*/(?:.*-)?([0-9a-f]{64})(?:\.|[\t\n\f\r ]*$)")
_VANISHED = (errno.ENOENT, errno.ESRCH)


class ListError(Exception):
    """The PID list itself cannot be read: the component stops (Alloy's Run returns)."""


@dataclass(frozen=True, slots=True)
class ReadError:
    """A per-process read that failed for a reason other than the process vanishing."""

    pid: int
    message: str  # Go's error text, e.g. `readlink /proc/1/exe: permission denied`
    errno: int | None


@dataclass
class Discovery:
    targets: list[Target] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)


def host_proc() -> str:
    return os.environ.get("HOST_PROC") or "/proc"


def go_error(op: str, path: str, err: OSError) -> str:
    """An OSError as Go's `*PathError` prints it (lower-case libc text)."""
    text = err.strerror or str(err)
    return f"{op} {path}: {text[:1].lower()}{text[1:]}"


def list_pids(proc: str) -> list[int]:
    """Numeric entries of /proc (processes, not threads), in ascending order."""
    try:
        names = os.listdir(proc)
    except OSError as err:
        raise ListError(f"failed to list processes: {go_error('open', proc, err)}") from None
    return sorted(int(name) for name in names if name.isdigit())


def commandline(raw: bytes) -> str:
    """`/proc/<pid>/cmdline` as gopsutil returns it: NUL-separated pieces, empty ones
    dropped, joined with single spaces."""
    return " ".join(piece.decode(errors="replace") for piece in raw.split(b"\0") if piece)


def _lines(text: str) -> list[str]:
    """Lines as Go's bufio.ScanLines yields them (no final empty line, `\\r\\n` handled)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def container_id(cgroup: str) -> str:
    """The 64-hex container id of the first cgroup line that names one, else ""."""
    for line in _lines(cgroup):
        match = _CONTAINER_ID_RE.search(line)
        if match:
            return match.group(1)
    return ""


def cgroup_path(cgroup: str) -> str:
    """Every cgroup line verbatim, joined with `|` (one per controller on cgroup v1)."""
    return "|".join(_lines(cgroup))


def real_uid(status: str) -> str:
    """The first (real) UID of the `Uid:` line of /proc/<pid>/status, else ""."""
    for line in status.splitlines():
        if line.startswith("Uid:"):
            fields = line[4:].split()
            return fields[0] if fields else ""
    return ""


class _Skip(Exception):
    """This process yields no target (its error, if any, is already recorded)."""


class _Reader:
    """Reads one PID's files, recording errors the way Alloy's `loge` filters them."""

    def __init__(self, proc: str, cgroup_root: str, pid: int, errors: list[ReadError]) -> None:
        self.pid = pid
        self._dir = os.path.join(proc, str(pid))
        self._cgroup_file = os.path.join(cgroup_root, str(pid), "cgroup")
        self._cgroup: str | None = None
        self._errors = errors

    def _record(self, op: str, path: str, err: OSError) -> None:
        if err.errno not in _VANISHED:
            self._errors.append(ReadError(self.pid, go_error(op, path, err), err.errno))

    def readlink(self, name: str) -> str:
        """A link under /proc/<pid>; on error the process is skipped."""
        path = os.path.join(self._dir, name)
        try:
            return os.readlink(path)
        except OSError as err:
            self._record("readlink", path, err)
            raise _Skip from None

    def text(self, path: str) -> str:
        """A whole file; on error the process is skipped."""
        try:
            with open(path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError as err:
            self._record("open", path, err)
            raise _Skip from None

    def cmdline(self) -> bytes:
        path = os.path.join(self._dir, "cmdline")
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError as err:
            self._record("open", path, err)
            raise _Skip from None

    def cgroup(self) -> str:
        """/proc/<pid>/cgroup, read once even when both cgroup fields are enabled."""
        if self._cgroup is None:
            self._cgroup = self.text(self._cgroup_file)
        return self._cgroup

    def uid(self) -> str:
        """The real UID, or "" (an error is recorded; the process is kept, as in Alloy)."""
        try:
            return real_uid(self.text(os.path.join(self._dir, "status")))
        except _Skip:
            return ""


def _username(uid: str) -> str:
    try:
        return pwd.getpwuid(int(uid)).pw_name
    except (KeyError, ValueError, OverflowError):
        return ""  # an unknown UID is silently ignored, as Alloy does


def _process(reader: _Reader, cfg: DiscoverConfig) -> Target:
    target: Target = {PID: str(reader.pid)}
    values: list[tuple[str, str]] = []
    if cfg.exe:
        values.append((EXE, reader.readlink("exe")))
    if cfg.cwd:
        values.append((CWD, reader.readlink("cwd")))
    if cfg.commandline:
        values.append((COMMANDLINE, commandline(reader.cmdline())))
    if cfg.username or cfg.uid:
        uid = reader.uid()
        if cfg.username and uid:
            values.append((USERNAME, _username(uid)))
        if cfg.uid:
            values.append((UID, uid))
    if cfg.container_id:
        values.append((CONTAINER_ID, container_id(reader.cgroup())))
    if cfg.cgroup_path:
        values.append((CGROUP_PATH, cgroup_path(reader.cgroup())))
    target.update((name, value) for name, value in values if value)
    return target


def discover(cfg: DiscoverConfig, proc: str | None = None, cgroup_root: str = "/proc") -> Discovery:
    """One target per live process, in PID order; raises ListError if /proc is unreadable."""
    proc = proc or host_proc()
    found = Discovery()
    for pid in list_pids(proc):
        try:
            found.targets.append(_process(_Reader(proc, cgroup_root, pid, found.errors), cfg))
        except _Skip:
            continue
    return found
