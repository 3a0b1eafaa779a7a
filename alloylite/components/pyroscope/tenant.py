"""Per-profile tenants: alloylite's own way to carry `X-Scope-OrgID` from SDK to backend.

Alloy drops the SDK's tenant header (spec alloy-profiling-components.md §6.1) and
users have asked for years for it to travel (#259, #4358). alloylite follows
the precedent Alloy set for Loki: receive_http (with `forward_tenant = true`)
copies the header into the reserved label `__tenant_id__`, which
pyroscope.relabel rules can read, rewrite or set; pyroscope.write (with an
endpoint's `tenant_from_label`) takes it off the label set and sends it as
that profile's `X-Scope-OrgID`. Without the two arguments nothing changes:
the label is internal (`__*`) and write drops it, as Alloy would.

Tenant IDs are checked with Pyroscope's rules (dskit's tenant.ValidTenantID,
§6.3), so a bad one is refused at the agent with the words the backend uses.
"""

from __future__ import annotations

from alloylite.components.pyroscope.appendable import Labels

TENANT_LABEL = "__tenant_id__"
HEADER = b"X-Scope-OrgID"
_HEADER_LOWER = HEADER.lower()
MAX_LENGTH = 150
_ALLOWED = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!-_.*'()")

# pyroscope.write endpoint modes.
OFF, OVERRIDE, FALLBACK = "", "override", "fallback"
MODES = (OFF, OVERRIDE, FALLBACK)


class TenantError(ValueError):
    """A tenant ID Pyroscope would refuse."""


def validate(value: str) -> str:
    """The header value if every `|`-separated tenant in it is valid; raises TenantError.

    Like Pyroscope, text after a `:` is metadata and not part of the ID.
    """
    if not value:
        raise TenantError("no org id")
    for part in value.split("|"):
        tenant = part.split(":", 1)[0]
        if not tenant:
            raise TenantError("no org id")
        if len(tenant) > MAX_LENGTH:
            raise TenantError(f"tenant ID is too long: max {MAX_LENGTH} characters")
        if tenant in (".", ".."):
            raise TenantError("tenant ID is '.' or '..'")
        for char in tenant:
            if char not in _ALLOWED:
                raise TenantError(f"tenant ID '{tenant}' contains unsupported character '{char}'")
    return value


def with_tenant(labels: Labels, tenant: str) -> Labels:
    """The label set with `__tenant_id__` set (label sets stay sorted)."""
    pairs = dict(labels)
    pairs[TENANT_LABEL] = tenant
    return tuple(sorted(pairs.items()))


def split(labels: Labels) -> tuple[Labels, str | None]:
    """(labels without `__tenant_id__`, its value or None)."""
    for name, value in labels:
        if name == TENANT_LABEL:
            return tuple(p for p in labels if p[0] != TENANT_LABEL), value or None
        if name > TENANT_LABEL:
            break
    return labels, None


def headers_for(
    headers: list[tuple[bytes, bytes]], tenant: str | None, mode: str
) -> list[tuple[bytes, bytes]]:
    """An endpoint's request headers for a profile of `tenant`.

    `override`: the profile's tenant replaces a static X-Scope-OrgID;
    `fallback`: a static X-Scope-OrgID wins and the tenant fills in where none is set.
    """
    if tenant is None or mode == OFF:
        return headers
    has_static = any(k.lower() == _HEADER_LOWER for k, _ in headers)
    if has_static and mode == FALLBACK:
        return headers
    kept = [(k, v) for k, v in headers if k.lower() != _HEADER_LOWER] if has_static else headers
    return [*kept, (HEADER, tenant.encode("latin-1"))]
