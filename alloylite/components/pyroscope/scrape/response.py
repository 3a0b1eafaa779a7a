"""The checks a scraped response passes before it is forwarded, with Alloy's messages
(spec §1.5; Alloy's `validate.go`). A failure marks the target down and sends nothing."""

from __future__ import annotations

from alloylite.gocompat import go_quote

_HTML_PREFIXES = (b"<!d", b"<h", b"<b", b"<t")


def check_response(status: int, reason: str, content_type: str, body: bytes, name: str) -> None:
    """Raise ValueError with the target's last error when the response is not a profile."""
    if not 200 <= status < 300:
        text = body.decode("utf-8", "replace").strip()
        raise ValueError(f"server returned HTTP status ({status}) {text or f'{status} {reason}'}")
    if not body:
        raise ValueError(f"empty {name} profile")
    problem = _invalid_profile(content_type, body)
    if problem:
        raise ValueError(f"invalid profile data: {problem}")


def _invalid_profile(content_type: str, body: bytes) -> str:
    if not content_type:
        return "missing Content-Type header"
    if not content_type.startswith("application/octet-stream"):
        return (
            f"unexpected Content-Type {content_type}, "
            "expected application/octet-stream for pprof data"
        )
    if len(body) >= 10 and _looks_like_text(body):
        start = body[:50].decode("utf-8", "surrogateescape")
        return (
            f"text response instead of pprof: {go_quote(start)} "
            "(server should return HTTP error, not 200)"
        )
    if len(body) <= 2:
        return "data too short for pprof format"
    if body.startswith(b"\x1f\x8b"):
        return ""
    wire = body[0] & 7
    if wire in (6, 7):
        return (
            f"invalid protobuf data: illegal wireType {wire} (expected 0-5), "
            f"first bytes: {body[:16].hex()}"
        )
    return ""


def _looks_like_text(body: bytes) -> bool:
    stripped = body.lstrip()
    lowered = stripped[:3].lower()
    if len(stripped) >= 5 and any(lowered.startswith(p) for p in _HTML_PREFIXES):
        return True
    head = body[:64].lstrip()
    return head[:1] in (b"{", b"[") and len(body) > 20
