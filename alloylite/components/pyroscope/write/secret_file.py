"""Credentials read from files (`*_file` arguments), re-read when the file rotates."""

from __future__ import annotations

import os

from alloylite.components.pyroscope.write.errors import ClientError


class FileSecret:
    """A credential read from a file, re-read when the file changes (rotation),
    trimmed as Prometheus' client does."""

    __slots__ = ("_key", "_path", "_value", "_what")

    def __init__(self, path: str, what: str) -> None:
        self._path = path
        self._what = what
        self._key: tuple[int, int] | None = None
        self._value = ""

    def get(self) -> str:
        try:
            st = os.stat(self._path)
            key = (st.st_mtime_ns, st.st_size)
            if key != self._key:
                with open(self._path, encoding="utf-8") as f:
                    self._value = f.read().strip()
                self._key = key
        except (OSError, UnicodeDecodeError) as err:
            # The path is configuration, not a secret; the content never appears.
            reason = (
                err.strerror if isinstance(err, OSError) and err.strerror else type(err).__name__
            )
            raise ClientError(f"unable to read {self._what} file {self._path}: {reason}") from None
        return self._value
