"""gRPC and gRPC-Web (unary) as connect-go serves them, for receive_http's push route.

Alloy mounts connect-go's handler with its defaults, so the push route speaks
three protocols; connect.py has the Connect one and this module the two others
(spec alloy-profiling-components.md §5.2-5.3). Pure framing and status rules:
no I/O, so every rule is testable from bytes, and the app only drives it.

- Request: 5-byte envelopes (flag byte, big-endian length); flag 0x01 means the
  payload is compressed with the `grpc-encoding` algorithm (only gzip exists).
  A unary call carries exactly one message.
- Response: always HTTP 200. The status travels in trailers (gRPC), in a trailer
  envelope with flag 0x80 (gRPC-Web success), or in the headers of an empty
  response (gRPC-Web errors, and gRPC over HTTP/1.0, which has no trailers).
"""

from __future__ import annotations

import gzip
import struct
import time
from dataclasses import dataclass

from alloylite.components.pyroscope import connect
from alloylite.components.pyroscope.connect import ConnectError

__all__ = [
    "ACCEPT_POST",
    "EnvelopeReader",
    "GrpcCall",
    "Response",
    "is_grpc",
    "negotiate",
    "parse_timeout",
    "payload",
    "percent_encode",
    "response",
]

_PROTO, _JSON = connect.PROTO, connect.JSON

# Canonical content type -> (gRPC-Web?, codec), connect-go's table.
_CONTENT_TYPES: dict[str, tuple[bool, str]] = {
    "application/grpc": (False, _PROTO),
    "application/grpc+proto": (False, _PROTO),
    "application/grpc+json": (False, _JSON),
    "application/grpc+json; charset=utf-8": (False, _JSON),
    "application/grpc-web": (True, _PROTO),
    "application/grpc-web+proto": (True, _PROTO),
    "application/grpc-web+json": (True, _JSON),
    "application/grpc-web+json; charset=utf-8": (True, _JSON),
}

# connect-go answers 415 with every content type of its three protocols, sorted.
ACCEPT_POST = ", ".join(
    sorted(
        [
            *_CONTENT_TYPES,
            connect.PROTO,
            connect.JSON,
            "application/json; charset=utf-8",
        ]
    )
)

# Connect code name -> gRPC status number.
_STATUS: dict[str, int] = {
    "canceled": 1,
    "unknown": 2,
    "invalid_argument": 3,
    "deadline_exceeded": 4,
    "not_found": 5,
    "already_exists": 6,
    "permission_denied": 7,
    "resource_exhausted": 8,
    "failed_precondition": 9,
    "aborted": 10,
    "out_of_range": 11,
    "unimplemented": 12,
    "internal": 13,
    "unavailable": 14,
    "data_loss": 15,
    "unauthenticated": 16,
}

_TIMEOUT_UNITS: dict[str, float] = {
    "n": 1e-9,
    "u": 1e-6,
    "m": 1e-3,
    "S": 1.0,
    "M": 60.0,
    "H": 3600.0,
}
# The largest number of hours a Go time.Duration holds; beyond it the
# timeout is ignored (grpc-go and connect-go agree).
_MAX_HOURS = (2**63 - 1) // (3600 * 10**9)

FLAG_COMPRESSED = 0x01
FLAG_TRAILER = 0x80
_HEADER = struct.Struct(">BI")


def _canonical(content_type: str) -> str:
    """Go's mime.ParseMediaType + FormatMediaType, as far as the table needs:
    the media type and parameter names lower-cased, the charset value too."""
    media, _, params = content_type.partition(";")
    out = media.strip().lower()
    for param in params.split(";") if params else ():
        key, _, value = param.partition("=")
        key = key.strip().lower()
        value = value.strip().strip('"')
        out += f"; {key}={value.lower() if key == 'charset' else value}"
    return out


def is_grpc(content_type: str) -> bool:
    """Whether a request's Content-Type selects gRPC or gRPC-Web (cheap check first:
    the Connect path must not pay for canonicalisation)."""
    if not content_type[:16].lower().startswith("application/grpc"):
        return False
    return _canonical(content_type) in _CONTENT_TYPES


@dataclass(frozen=True, slots=True)
class GrpcCall:
    """A negotiated gRPC or gRPC-Web unary call, before the body is read."""

    web: bool
    codec: str  # connect.PROTO or connect.JSON
    content_type: str  # echoed on the response, as connect-go does
    gzip_request: bool  # grpc-encoding: gzip
    gzip_response: bool  # the client accepts (or used) gzip
    deadline: float | None  # time.monotonic() instant from grpc-timeout


def negotiate(headers: dict[str, str]) -> GrpcCall:
    """Check the gRPC headers of a request; `headers` keys are lower-case and the
    content type is one `is_grpc` accepted. Raises ConnectError."""
    content_type = _canonical(headers.get("content-type", ""))
    web, codec = _CONTENT_TYPES[content_type]
    encoding = headers.get("grpc-encoding", "identity").strip()
    if encoding not in ("", "identity", "gzip"):
        raise ConnectError(
            "unimplemented", f'unknown compression "{encoding}": supported encodings are gzip'
        )
    accepted = {e.strip() for e in headers.get("grpc-accept-encoding", "").split(",")}
    raw_timeout = headers.get("grpc-timeout", "")
    timeout = parse_timeout(raw_timeout) if raw_timeout else None
    return GrpcCall(
        web=web,
        codec=codec,
        content_type=headers.get("content-type", ""),
        gzip_request=encoding == "gzip",
        gzip_response=encoding == "gzip" or "gzip" in accepted,
        deadline=None if timeout is None else time.monotonic() + timeout,
    )


def parse_timeout(raw: str) -> float | None:
    """`grpc-timeout` in seconds (1-8 digits and a unit), None when unbounded.
    Raises ConnectError(invalid_argument) with connect-go's words."""
    unit = _TIMEOUT_UNITS.get(raw[-1:])
    if unit is None:
        raise ConnectError(
            "invalid_argument", f"protocol error: timeout has invalid unit {_go_char(raw[-1:])}"
        )
    digits = raw[:-1]
    if not digits or not digits.lstrip("+").isascii() or not digits.lstrip("+").isdigit():
        raise ConnectError("invalid_argument", f'protocol error: invalid timeout "{raw}"')
    number = int(digits)
    if number > 99_999_999:
        raise ConnectError("invalid_argument", f'protocol error: timeout "{raw}" is too long')
    if raw[-1] == "H" and number > _MAX_HOURS:
        return None
    return number * unit


def _go_char(char: str) -> str:
    """Go's %q of one byte: a single-quoted character literal."""
    if not char:
        return "'\\x00'"
    if char == "'":
        return "'\\''"
    if char.isprintable() and char.isascii():
        return f"'{char}'"
    return f"'\\x{ord(char[0]) & 0xFF:02x}'"


class EnvelopeReader:
    """Reads the one message of a unary call from body pieces as they arrive.

    Errors come as early as the bytes allow, so hostile bodies cost little: a
    declared length above the limit is refused from its 5-byte header (nothing
    more is read), and a second envelope header ends a 10,000-message stream at
    its second message.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit  # 0: no limit
        self._buf = bytearray()
        self._message: tuple[int, bytes] | None = None

    def feed(self, data: bytes) -> None:
        if self._message is not None:
            if data:
                raise ConnectError("unimplemented", "unary request has multiple messages")
            return
        self._buf += data
        if len(self._buf) < 5:
            return
        flags, length = _HEADER.unpack_from(self._buf)
        if self._limit and length > self._limit:
            raise ConnectError(
                "resource_exhausted",
                f"message size {length} is larger than configured max {self._limit}",
            )
        if len(self._buf) < 5 + length:
            return
        payload = bytes(self._buf[5 : 5 + length])
        rest = self._buf[5 + length :]
        self._message = (flags, payload)
        self._buf = bytearray()
        if rest:
            raise ConnectError("unimplemented", "unary request has multiple messages")

    def finish(self) -> tuple[int, bytes]:
        """(flags, payload) of the message once the body has ended."""
        if self._message is not None:
            return self._message
        if not self._buf:
            raise ConnectError("unimplemented", "unary request has zero messages")
        if len(self._buf) < 5:
            raise ConnectError(
                "invalid_argument", "protocol error: incomplete envelope: unexpected EOF"
            )
        length = _HEADER.unpack_from(self._buf)[1]
        raise ConnectError(
            "invalid_argument",
            f"protocol error: promised {length} bytes in enveloped message, "
            f"got {len(self._buf) - 5} bytes",
        )


def payload(call: GrpcCall, flags: int, data: bytes, limit: int) -> bytes:
    """The message bytes of an envelope, inflated when its flag says so."""
    if not flags & FLAG_COMPRESSED:
        return data
    if not call.gzip_request:
        raise ConnectError(
            "internal", "protocol error: sent compressed message without compression support"
        )
    return connect.decompress(data, limit)


def percent_encode(message: str) -> str:
    """gRPC's `grpc-message` encoding: bytes outside printable ASCII and `%` as %XX."""
    raw = message.encode()
    if all(0x20 <= b <= 0x7E and b != 0x25 for b in raw):
        return message
    return "".join(chr(b) if 0x20 <= b <= 0x7E and b != 0x25 else f"%{b:02X}" for b in raw)


def _status_fields(error: ConnectError | None) -> list[tuple[bytes, bytes]]:
    if error is None:
        return [(b"grpc-status", b"0")]
    return [
        (b"grpc-status", str(_STATUS.get(error.code, 2)).encode()),
        (b"grpc-message", percent_encode(error.message).encode()),
    ]


@dataclass(frozen=True, slots=True)
class Response:
    """What to send: HTTP 200 with these headers and body, then these trailers
    (None: no trailer section, the status is already in headers or body)."""

    headers: list[tuple[bytes, bytes]]
    body: bytes
    trailers: list[tuple[bytes, bytes]] | None


def _envelope(flags: int, data: bytes) -> bytes:
    return _HEADER.pack(flags, len(data)) + data


def response(call: GrpcCall, error: ConnectError | None, *, can_trail: bool) -> Response:
    """The reply to a call: the empty PushResponse on success, else the error.

    `can_trail`: the request's connection can carry HTTP trailers (HTTP/2, and
    HTTP/1.1 through http1_trailers.py). Without them (HTTP/1.0) a gRPC reply
    carries its status in headers, the "trailers-only" form, rather than losing it
    as Go's server would.
    """
    headers = [
        (b"content-type", call.content_type.encode("latin-1")),
        (b"grpc-accept-encoding", b"gzip"),
    ]
    status = _status_fields(error)
    if error is not None:
        if call.web or not can_trail:
            return Response(headers + status, b"", None)
        return Response(headers, b"", status)
    message = connect.success_body(call.codec)
    if call.gzip_response:
        headers.append((b"grpc-encoding", b"gzip"))
        body = _envelope(FLAG_COMPRESSED, gzip.compress(message, mtime=0))
    else:
        body = _envelope(0, message)
    if call.web:
        block = b"".join(name + b": " + value + b"\r\n" for name, value in status)
        return Response(headers, body + _envelope(FLAG_TRAILER, block), None)
    if not can_trail:
        return Response(headers + status, body, None)
    return Response(headers, body, status)
