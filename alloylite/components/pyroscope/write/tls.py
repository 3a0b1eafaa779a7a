"""The client TLS settings of an endpoint or token request (Alloy's `tls_config`)."""

from __future__ import annotations

import os
import ssl
import tempfile

from alloylite.components.pyroscope.write.arguments import TLSConfig
from alloylite.components.pyroscope.write.errors import ClientError

_TLS_VERSIONS = {
    "TLS10": ssl.TLSVersion.TLSv1,
    "TLS11": ssl.TLSVersion.TLSv1_1,
    "TLS12": ssl.TLSVersion.TLSv1_2,
    "TLS13": ssl.TLSVersion.TLSv1_3,
}


def build_ssl_context(tls: TLSConfig | None) -> ssl.SSLContext:
    """Go's tls.Config from Alloy's `tls_config` block."""
    if tls is None:
        return ssl.create_default_context()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if tls.ca_pem or tls.ca_file:
        # As in Go, a configured CA replaces the system roots.
        try:
            ctx.load_verify_locations(cafile=tls.ca_file or None, cadata=tls.ca_pem or None)
        except (ssl.SSLError, OSError) as err:
            what = f"ca_file {tls.ca_file}" if tls.ca_file else "ca_pem"
            reason = getattr(err, "strerror", None) or getattr(err, "reason", None) or "invalid"
            raise ClientError(f"unable to load tls_config {what}: {reason}") from None
    else:
        ctx.load_default_certs()
    ctx.minimum_version = _TLS_VERSIONS.get(tls.min_version, ssl.TLSVersion.TLSv1_2)
    if tls.insecure_skip_verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    has_key = tls.key_file or (tls.key_pem is not None and tls.key_pem.reveal())
    if (tls.cert_pem or tls.cert_file) and has_key:
        _load_cert_chain(ctx, tls)
    return ctx


def _load_cert_chain(ctx: ssl.SSLContext, tls: TLSConfig) -> None:
    # ssl only loads certificates from files: PEM text goes through a private
    # temporary directory that is removed straight after.
    with tempfile.TemporaryDirectory(prefix="alloylite-tls-") as tmp:
        cert_file = tls.cert_file
        key_file = tls.key_file
        if not cert_file:
            cert_file = os.path.join(tmp, "cert.pem")
            _write_private(cert_file, tls.cert_pem)
        if not key_file:
            key_file = os.path.join(tmp, "key.pem")
            _write_private(key_file, tls.key_pem.reveal() if tls.key_pem is not None else "")
        try:
            ctx.load_cert_chain(cert_file, key_file)
        except (ssl.SSLError, OSError):
            raise ClientError("unable to load the tls_config client certificate and key") from None


def _write_private(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
