"""Where a request goes: scheme, host, port and request target, from a URL."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Target:
    """Where one request goes: scheme, host, port and the request target."""

    scheme: bytes
    host: bytes
    port: int
    path: bytes  # path plus query

    @property
    def host_header(self) -> bytes:
        default = 443 if self.scheme == b"https" else 80
        host = self.host if b":" not in self.host else b"[" + self.host + b"]"
        return host if self.port == default else host + b":" + str(self.port).encode()

    def url(self) -> str:
        return (self.scheme + b"://" + self.host_header + self.path).decode("latin-1")


def target_of(url: str) -> Target:
    parts = urlsplit(url)
    scheme = parts.scheme.encode("ascii")
    port = parts.port or (443 if scheme == b"https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme, (parts.hostname or "").encode("idna"), port, path.encode("latin-1"))
