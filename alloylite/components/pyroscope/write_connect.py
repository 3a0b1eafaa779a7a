"""Connect protocol error codes, shared by the push server and the push client.

A client keys off the JSON `code` of an error body; when a reply has no
Connect error body (a proxy's 503 page, say) the code comes from the HTTP
status as connect-go derives it (spec pyroscope-protocol.md §2.2).
"""

from __future__ import annotations

import json

# Connect code -> HTTP status (connect-go connectCodeToHTTP).
CODE_TO_HTTP: dict[str, int] = {
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


def error_body(code: str, message: str) -> bytes:
    """The JSON body of a Connect unary error reply."""
    return json.dumps({"code": code, "message": message}, separators=(",", ":")).encode()


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
            and doc["code"] in CODE_TO_HTTP
        ):
            message = doc.get("message")
            return doc["code"], message if isinstance(message, str) else ""
    return code_from_http_status(status), f"HTTP status {status}"
