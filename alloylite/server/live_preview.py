"""What the live-debugging UI can show of a stored profile: flame graphs, or why not.

The body is the one the component saw: a push sample (always pprof, gzip'd or raw), or an
`/ingest` body whose format follows Pyroscope's rules (spec pyroscope-protocol.md §1.3):
`format=pprof` or a plain binary body is pprof, a multipart form carries its pprof in the
`profile` part, `format=jfr` is JFR. JFR and the legacy text formats are answered as "not
previewable" with their size rather than decoded.
"""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs, urlsplit

from alloylite.components.pyroscope.pprof.flame import flame_graphs
from alloylite.runtime.live.channel import StoredProfile


def _format_of(stored: StoredProfile) -> str:
    if not stored.url:
        return "pprof"
    query = parse_qs(urlsplit(stored.url).query)
    declared = (query.get("format") or [""])[0]
    content_type = ";".join(stored.content_type).lower()
    if declared == "jfr":
        return "jfr"
    if declared == "pprof":
        return "pprof"
    if "multipart/form-data" in content_type:
        return "multipart"
    if declared:
        return declared
    if "octet-stream" in content_type:
        return "pprof"
    return "folded"


def _multipart_profile(stored: StoredProfile) -> bytes | None:
    """The `profile` part of a multipart form (the Go SDK's shape), or None."""
    header = "Content-Type: " + ";".join(stored.content_type) + "\r\n\r\n"
    message = BytesParser(policy=HTTP).parsebytes(header.encode("latin-1") + stored.body)
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "profile":
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else None
    return None


def preview(stored: StoredProfile) -> dict[str, Any]:
    """JSON for the UI: `previewable`, `format`, `size`, and the flame graphs or a reason."""
    fmt = _format_of(stored)
    out: dict[str, Any] = {"format": fmt, "size": len(stored.body), "previewable": False}
    if fmt not in ("pprof", "multipart"):
        out["reason"] = f"{fmt} profiles are not previewable"
        return out
    body = stored.body if fmt == "pprof" else _multipart_profile(stored)
    if body is None:
        out["reason"] = "the multipart form has no profile part"
        return out
    try:
        out["sample_types"] = flame_graphs(body)
    except ValueError as err:
        out["reason"] = f"not a valid pprof profile: {err}"
        return out
    out["previewable"] = True
    return out
