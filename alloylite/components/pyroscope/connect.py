"""The Connect protocol (unary) as connect-go applies it, for the push server and client.

Server side (receive_http), only what `push.v1.PusherService/Push` needs: the two
codecs (binary proto and protojson), `Content-Encoding: gzip`, the optional
`Connect-Protocol-Version` header, `Connect-Timeout-Ms` as the caller's deadline,
and errors as Connect JSON bodies with connect-go's code -> HTTP status mapping.

Client side (write): a client keys off the JSON `code` of an error body; when a
reply has no Connect error body (a proxy's 503 page, say) the code comes from the
HTTP status as connect-go derives it (spec pyroscope-protocol.md §2.2).
"""

from __future__ import annotations

import json
import time
import zlib
from dataclasses import dataclass

PROTO = "application/proto"
JSON = "application/json"
# connect-go also accepts an explicit UTF-8 charset on JSON.
_CODECS = {PROTO: PROTO, JSON: JSON, "application/json; charset=utf-8": JSON}
ACCEPT_POST = "application/json, application/proto"

# connect-go's current code -> HTTP status table (connectCodeToHTTP).
CODE_TO_STATUS: dict[str, int] = {
    "canceled": 499,
    "unknown": 500,
    "invalid_argument": 400,
    "deadline_exceeded": 504,
    "not_found": 404,
    "already_exists": 409,
    "permission_denied": 403,
    "resource_exhausted": 429,
    "failed_precondition": 400,
    "aborted": 409,
    "out_of_range": 400,
    "unimplemented": 501,
    "internal": 500,
    "unavailable": 503,
    "data_loss": 500,
    "unauthenticated": 401,
}

# HTTP status -> code for replies without a Connect body (connect-go httpToCode).
_HTTP_TO_CODE: dict[int, str] = {
    400: "internal",
    401: "unauthenticated",
    403: "permission_denied",
    404: "unimplemented",
    429: "unavailable",
    502: "unavailable",
    503: "unavailable",
    504: "unavailable",
}


def code_from_http_status(status: int) -> str:
    return _HTTP_TO_CODE.get(status, "unknown")


def parse_error(status: int, body: bytes, content_type: str = "") -> tuple[str, str]:
    """(code, message) of a non-200 Connect reply."""
    if "json" in content_type.lower() or body[:1] == b"{":
        try:
            doc = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            doc = None
        if (
            isinstance(doc, dict)
            and isinstance(doc.get("code"), str)
            and doc["code"] in CODE_TO_STATUS
        ):
            message = doc.get("message")
            return doc["code"], message if isinstance(message, str) else ""
    return code_from_http_status(status), f"HTTP status {status}"


class ConnectError(Exception):
    """An error to send as a Connect JSON body."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def status(self) -> int:
        return CODE_TO_STATUS.get(self.code, 500)

    def body(self) -> bytes:
        return json.dumps({"code": self.code, "message": self.message}).encode()


class UnsupportedMediaType(Exception):
    """The request's Content-Type is no Connect codec: connect-go answers a bare 415."""


@dataclass(frozen=True, slots=True)
class UnaryRequest:
    """A negotiated Connect unary call, before the body is read."""

    codec: str  # PROTO or JSON
    gzip: bool
    deadline: float | None  # time.monotonic() instant from Connect-Timeout-Ms


def negotiate(headers: dict[str, str]) -> UnaryRequest:
    """Check the Connect headers of a request; `headers` keys are lower-case.

    Raises UnsupportedMediaType or ConnectError.
    """
    content_type = headers.get("content-type", "").strip().lower()
    codec = _CODECS.get(content_type)
    if codec is None:
        raise UnsupportedMediaType(content_type)
    version = headers.get("connect-protocol-version")
    if version is not None and version.strip() != "1":
        raise ConnectError(
            "invalid_argument",
            f'connect-protocol-version must be "1": got "{version}"',
        )
    encoding = headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity", "gzip"):
        raise ConnectError(
            "unimplemented",
            f'unknown compression "{encoding}": supported encodings are gzip',
        )
    return UnaryRequest(codec=codec, gzip=encoding == "gzip", deadline=_deadline(headers))


def _deadline(headers: dict[str, str]) -> float | None:
    raw = headers.get("connect-timeout-ms")
    if raw is None:
        return None
    raw = raw.strip()
    # The protocol caps the header at 10 digits.
    if not raw.isdigit() or len(raw) > 10:
        raise ConnectError("invalid_argument", f"protocol error: invalid timeout {raw!r}")
    return time.monotonic() + int(raw) / 1000.0


def decompress(body: bytes, limit: int) -> bytes:
    """Gunzip a request body, refusing output beyond `limit` bytes (0 = no limit).

    The limit is checked while inflating, so a gzip bomb costs at most `limit`.
    Concatenated gzip members are read one after another, as Go's reader does.
    """
    out: list[bytes] = []
    size = 0
    data = body
    while True:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            if limit > 0:
                piece = inflater.decompress(data, limit - size + 1)
                if size + len(piece) > limit or inflater.unconsumed_tail:
                    raise ConnectError(
                        "resource_exhausted",
                        f"message is larger than configured max {limit} bytes",
                    )
            else:
                piece = inflater.decompress(data)
            piece += inflater.flush()
        except zlib.error as exc:
            raise ConnectError("invalid_argument", f"decompress gzip: {exc}") from None
        if not inflater.eof:
            raise ConnectError("invalid_argument", "decompress gzip: unexpected EOF")
        out.append(piece)
        size += len(piece)
        data = inflater.unused_data
        if not data:
            break
    return out[0] if len(out) == 1 else b"".join(out)


def success_body(codec: str) -> bytes:
    """An empty response message in the request's codec."""
    return b"{}" if codec == JSON else b""
