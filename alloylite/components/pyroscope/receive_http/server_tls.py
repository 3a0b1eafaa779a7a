"""Build a server `ssl.SSLContext` from the `http` > `tls` block.

Go's names are kept in the config (client_auth_type, TLS12, cipher suite
names); this maps them onto OpenSSL. PEM given inline is written to a private
temporary file only for the moment `ssl` loads it, because Python's ssl module
cannot load a certificate chain from memory.
"""

from __future__ import annotations

import contextlib
import os
import ssl
import tempfile
from collections.abc import Iterator

from alloylite.components.pyroscope.receive_http.arguments import TLSArguments

_VERSIONS = {
    "TLS10": ssl.TLSVersion.TLSv1,
    "TLS11": ssl.TLSVersion.TLSv1_1,
    "TLS12": ssl.TLSVersion.TLSv1_2,
    "TLS13": ssl.TLSVersion.TLSv1_3,
}

# Go's crypto/tls names of the TLS 1.2 suites -> OpenSSL names. TLS 1.3 suites
# are not configurable in Go either.
_CIPHERS = {
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": "ECDHE-ECDSA-AES128-GCM-SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": "ECDHE-ECDSA-AES256-GCM-SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": "ECDHE-RSA-AES128-GCM-SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": "ECDHE-RSA-AES256-GCM-SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-ECDSA-CHACHA20-POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-RSA-CHACHA20-POLY1305",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305": "ECDHE-ECDSA-CHACHA20-POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305": "ECDHE-RSA-CHACHA20-POLY1305",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA": "ECDHE-ECDSA-AES128-SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA": "ECDHE-ECDSA-AES256-SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": "ECDHE-RSA-AES128-SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": "ECDHE-RSA-AES256-SHA",
    "TLS_RSA_WITH_AES_128_GCM_SHA256": "AES128-GCM-SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384": "AES256-GCM-SHA384",
}

# Python cannot ask for a certificate without verifying one it gets, so
# "request" modes verify when a CA is configured.
_VERIFY = {
    "NoClientCert": ssl.CERT_NONE,
    "RequestClientCert": ssl.CERT_OPTIONAL,
    "VerifyClientCertIfGiven": ssl.CERT_OPTIONAL,
    "RequireAnyClientCert": ssl.CERT_REQUIRED,
    "RequireAndVerifyClientCert": ssl.CERT_REQUIRED,
}


class TLSConfigError(ValueError):
    """The tls block cannot be turned into a working context (bad file, bad PEM)."""


@contextlib.contextmanager
def _pem_file(text: str) -> Iterator[str]:
    fd, path = tempfile.mkstemp(prefix="alloylite-tls-", suffix=".pem")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        yield path
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


def build_server_context(cfg: TLSArguments) -> ssl.SSLContext:
    """A server context; raises TLSConfigError with a message safe to show."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # Go's server default minimum since Go 1.22.
    ctx.minimum_version = _VERSIONS.get(cfg.min_version, ssl.TLSVersion.TLSv1_2)
    if cfg.max_version:
        ctx.maximum_version = _VERSIONS[cfg.max_version]
    if cfg.cipher_suites:
        names = []
        for suite in cfg.cipher_suites:
            if suite not in _CIPHERS:
                raise TLSConfigError(f'unknown cipher suite "{suite}"')
            names.append(_CIPHERS[suite])
        try:
            ctx.set_ciphers(":".join(names))
        except ssl.SSLError as exc:
            raise TLSConfigError(f"cipher_suites: {exc.reason or exc}") from None
    key_pem = cfg.key_pem.reveal() if cfg.key_pem is not None else ""
    try:
        with contextlib.ExitStack() as stack:
            cert_path = cfg.cert_file or stack.enter_context(_pem_file(cfg.cert_pem))
            key_path = cfg.key_file or stack.enter_context(_pem_file(key_pem))
            ctx.load_cert_chain(cert_path, key_path)
    except (OSError, ssl.SSLError) as exc:
        # Never echo the PEM text: the key is a secret.
        reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or "invalid"
        raise TLSConfigError(f"failed to load the server certificate and key: {reason}") from None
    ctx.verify_mode = _VERIFY[cfg.client_auth_type]
    if cfg.client_ca or cfg.client_ca_file:
        try:
            if cfg.client_ca_file:
                ctx.load_verify_locations(cafile=cfg.client_ca_file)
            else:
                ctx.load_verify_locations(cadata=cfg.client_ca)
        except (OSError, ssl.SSLError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or "invalid"
            raise TLSConfigError(f"failed to load the client CA: {reason}") from None
    elif ctx.verify_mode != ssl.CERT_NONE:
        ctx.load_default_certs(ssl.Purpose.CLIENT_AUTH)
    return ctx
