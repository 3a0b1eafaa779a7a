"""Opt-in request headers carried per profile: alloylite's take on grafana/alloy #4358.

Alloy forwards no request header but Content-Type (spec §6.1). With
`forward_headers = ["X-Custom"]` receive_http copies each named header of a
request into the reserved label `__header_x_custom__` of its profiles (the
name lower-cased, `-` made `_`, so relabel rules can address it); a
pyroscope.write endpoint with the same name in its `forward_headers` takes the
label off and sends its value under that header name. Nothing travels unless
both sides name it, so credentials (Authorization, Cookie, ...) are forwarded
only when a config names them; their values are then hidden in error texts.
Without the lists the labels never exist, or are dropped like every `__*` label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from alloylite.components.pyroscope.appendable import Labels
from alloylite.runtime.header_labels import is_header_label, label_name

__all__ = ["RESERVED", "capture", "check_names", "headers_for", "is_header_label", "label_name"]

# Headers the transports themselves own; forwarding them would break the request.
RESERVED = frozenset(
    ["content-type", "content-length", "content-encoding", "transfer-encoding", "host"]
)
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz")


def check_names(names: Iterable[str]) -> None:
    """Raise ValueError for a name that is no HTTP header name or one the transport owns."""
    for name in names:
        lower = name.lower()
        if not lower or not set(lower) <= _TOKEN:
            raise ValueError(f'forward_headers: invalid header name "{name}"')
        if lower in RESERVED or lower.startswith(("connect-", "grpc-")):
            raise ValueError(f'forward_headers: header "{name}" cannot be forwarded')


def capture(labels: Labels, headers: Iterable[tuple[bytes, bytes]], names: list[str]) -> Labels:
    """The label set with one `__header_*__` label per named header the request has
    (repeated headers joined with ", ", as HTTP allows)."""
    wanted = {name.lower().encode("latin-1"): label_name(name) for name in names}
    found: dict[str, list[str]] = {}
    for key, value in headers:
        label = wanted.get(key.lower())
        if label is not None:
            found.setdefault(label, []).append(value.decode("latin-1"))
    if not found:
        return labels
    pairs = dict(labels)
    pairs.update((label, ", ".join(values)) for label, values in found.items())
    return tuple(sorted(pairs.items()))


def split(labels: Labels) -> tuple[Labels, dict[str, str]]:
    """(labels without `__header_*__` ones, those labels' values by label name)."""
    carried = {k: v for k, v in labels if is_header_label(k)}
    if not carried:
        return labels, carried
    return tuple(p for p in labels if p[0] not in carried), carried


def headers_for(
    headers: list[tuple[bytes, bytes]], names: list[str], carried: Mapping[str, str]
) -> list[tuple[bytes, bytes]]:
    """An endpoint's request headers with the carried values of its named headers;
    a carried value replaces a static header of the same name."""
    extra = [
        (name.encode("latin-1"), carried[label_name(name)].encode("latin-1"))
        for name in names
        if label_name(name) in carried
    ]
    if not extra:
        return headers
    replaced = {k.lower() for k, _ in extra}
    return [*(h for h in headers if h[0].lower() not in replaced), *extra]
