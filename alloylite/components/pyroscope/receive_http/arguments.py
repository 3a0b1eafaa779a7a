"""The argument schema of `pyroscope.receive_http` (spec alloy-pyroscope.md §1.2).

Alloy flattens the shared server config into the component's arguments, so
`http`, `grpc` and `graceful_shutdown_timeout` are accepted although only the
`http` block matters; the `grpc` block is accepted and ignored (Alloy opens a
gRPC listener with no services on it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from alloylite.components.doc_texts import IGNORED
from alloylite.components.pyroscope.appendable import Appendable
from alloylite.components.pyroscope.forward_headers import check_names as check_header_names
from alloylite.eval.values import Secret
from alloylite.runtime.schema import attr, block

# Pyroscope's own ingestion body limit (distributor.ingestion-body-limit-mb):
# anything larger would be refused by the backend anyway, so this default never
# changes what reaches a real Pyroscope; it only bounds alloylite's memory.
DEFAULT_MAX_REQUEST_BODY_SIZE = 256 * 1024 * 1024

_CLIENT_AUTH_TYPES = (
    "NoClientCert",
    "RequestClientCert",
    "RequireAnyClientCert",
    "VerifyClientCertIfGiven",
    "RequireAndVerifyClientCert",
)
TLS_VERSIONS = ("TLS10", "TLS11", "TLS12", "TLS13")


@dataclass
class TLSArguments:
    """The `http` > `tls` block (Alloy's server TLS config)."""

    cert_pem: str = attr(default="", doc="PEM-encoded server certificate (with any intermediates).")
    cert_file: str = attr(
        default="", doc="Path of the PEM server certificate; excludes `cert_pem`."
    )
    key_pem: Secret | None = attr(default=None, doc="PEM-encoded private key of the certificate.")
    key_file: str = attr(default="", doc="Path of the PEM private key; excludes `key_pem`.")
    client_auth_type: str = attr(
        default="NoClientCert",
        doc="How client certificates are requested and verified: `NoClientCert`, "
        "`RequestClientCert`, `RequireAnyClientCert`, `VerifyClientCertIfGiven` or "
        "`RequireAndVerifyClientCert` (mTLS).",
    )
    client_ca_file: str = attr(
        default="", doc="Path of the PEM CA bundle that verifies client certificates."
    )
    client_ca: str = attr(
        default="",
        doc="PEM CA bundle that verifies client certificates; excludes `client_ca_file` (Alloy's "
        "docs call it `client_ca_pem`, its code `client_ca`).",
    )
    cipher_suites: list[str] = attr(
        default_factory=list,
        doc="TLS 1.2 cipher suites by their Go names (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`, "
        "...); empty means the defaults.",
    )
    curve_preferences: list[str] = attr(
        default_factory=list,
        doc="Accepted for compatibility; alloylite keeps OpenSSL's curve order.",
    )
    min_version: str = attr(
        default="",
        doc="Oldest TLS version accepted: `TLS10`, `TLS11`, `TLS12` or `TLS13`; empty means "
        "`TLS12`.",
    )
    max_version: str = attr(
        default="", doc="Newest TLS version accepted (same values); empty means the newest."
    )

    def validate(self) -> None:
        if self.cert_pem and self.cert_file:
            raise ValueError("at most one of cert_pem and cert_file must be provided")
        if self.key_pem is not None and self.key_pem.reveal() and self.key_file:
            raise ValueError("at most one of key_pem and key_file must be provided")
        has_cert = bool(self.cert_pem or self.cert_file)
        has_key = bool(self.key_file or (self.key_pem is not None and self.key_pem.reveal()))
        if has_cert != has_key:
            raise ValueError("both a certificate and a key must be provided for TLS")
        if not has_cert:
            raise ValueError("a certificate (cert_pem or cert_file) is required for TLS")
        if self.client_auth_type not in _CLIENT_AUTH_TYPES:
            raise ValueError(
                f'unknown client_auth_type "{self.client_auth_type}", expected one of '
                + ", ".join(_CLIENT_AUTH_TYPES)
            )
        if self.client_ca and self.client_ca_file:
            raise ValueError("at most one of client_ca and client_ca_file must be provided")
        for name in ("min_version", "max_version"):
            value = getattr(self, name)
            if value and value not in TLS_VERSIONS:
                raise ValueError(
                    f'unknown {name} "{value}", expected one of ' + ", ".join(TLS_VERSIONS)
                )


@dataclass
class HTTP2Arguments:
    """The `http` > `http2` block: cleartext HTTP/2 (h2c) on the receive_http port."""

    enabled: bool = attr(
        default=False,
        doc="Serve cleartext HTTP/2 (h2c, prior knowledge) on the same port as HTTP/1.1, as "
        "Alloy does; gRPC clients need it. With `tls`, HTTP/2 is negotiated by ALPN anyway.",
    )
    max_concurrent_streams: int = attr(
        default=100, doc="Most streams (requests) open at once on one connection."
    )
    max_decoder_header_table_size: int = attr(
        default=4096, doc="HPACK table size announced for request headers."
    )
    max_encoder_header_table_size: int = attr(default=4096, doc=IGNORED)
    max_read_frame_size: int = attr(
        default=0, doc="Largest frame accepted; `0` means the protocol's 16 KiB."
    )
    max_upload_buffer_per_connection: int = attr(default=0, doc=IGNORED)
    max_upload_buffer_per_stream: int = attr(
        default=0, doc="Flow-control window of one request body; `0` means 1 MiB."
    )
    permit_prohibited_cipher_suites: bool = attr(default=False, doc=IGNORED)
    read_idle_timeout: timedelta = attr(default=timedelta(0), doc=IGNORED)
    ping_timeout: timedelta = attr(default=timedelta(seconds=15), doc=IGNORED)
    write_byte_timeout: timedelta = attr(default=timedelta(0), doc=IGNORED)


@dataclass
class HTTPArguments:
    """The `http` block; omitted fields keep Alloy's receive_http defaults."""

    listen_address: str = attr(default="", doc="Address to listen on; empty means every interface.")
    listen_port: int = attr(default=8080, doc="Port to listen on; `0` picks a free port.")
    conn_limit: int = attr(
        default=16384,
        doc="Most connections open at once; `0` means no limit. Connections above the limit wait "
        "to be accepted, as in Alloy.",
    )
    server_read_timeout: timedelta = attr(
        default=timedelta(seconds=30), doc="Time allowed to read a request, headers and body."
    )
    server_write_timeout: timedelta = attr(
        default=timedelta(seconds=30),
        doc="Time allowed to answer a request, including the time spent waiting for every "
        "`forward_to` receiver (and their retries).",
    )
    server_idle_timeout: timedelta = attr(
        default=timedelta(seconds=120), doc="How long an idle keep-alive connection stays open."
    )
    tls: TLSArguments | None = block(
        default=None, doc="Serve HTTPS (and optionally require client certificates)."
    )
    http2: HTTP2Arguments | None = block(
        default=None,
        doc="HTTP/2 settings. Without the block (or with `enabled = false`) a cleartext "
        "connection speaks HTTP/1.1 only, and an HTTP/2 preface gets Alloy's answer (a 301 "
        "redirect to `/%2A`, then the connection closes).",
    )

    def validate(self) -> None:
        if not 0 <= self.listen_port <= 65535:
            raise ValueError(f"listen_port must be between 0 and 65535, got {self.listen_port}")
        if self.conn_limit < 0:
            raise ValueError("conn_limit must not be negative")


@dataclass
class GRPCArguments:
    """The `grpc` block: accepted (Alloy flattens it in) and not served."""

    listen_address: str = attr(default="", doc=IGNORED)
    listen_port: int = attr(default=0, doc=IGNORED)
    conn_limit: int = attr(default=0, doc=IGNORED)
    max_connection_age: timedelta | None = attr(default=None, doc=IGNORED)
    max_connection_age_grace: timedelta | None = attr(default=None, doc=IGNORED)
    max_connection_idle: timedelta | None = attr(default=None, doc=IGNORED)
    server_max_recv_msg_size: int = attr(default=4 * 1024 * 1024, doc=IGNORED)
    server_max_send_msg_size: int = attr(default=4 * 1024 * 1024, doc=IGNORED)
    server_max_concurrent_streams: int = attr(default=100, doc=IGNORED)
    tls: TLSArguments | None = block(
        default=None, doc=IGNORED + " Its fields are checked as in the `http` > `tls` block."
    )


@dataclass
class Arguments:
    """`pyroscope.receive_http` arguments."""

    forward_to: list[Appendable] = attr(
        required=True,
        doc="Receivers the profiles are forwarded to, all at once. May be empty: requests then "
        "succeed and nothing is forwarded.",
    )
    http: HTTPArguments = block(
        default_factory=HTTPArguments, doc="Where and how the HTTP server listens."
    )
    grpc: GRPCArguments = block(
        default_factory=GRPCArguments,
        doc="Alloy's gRPC server settings, which receive_http inherits but never uses. "
        + IGNORED
        + " No gRPC port is opened (Alloy opens one with no services).",
    )
    graceful_shutdown_timeout: timedelta = attr(
        default=timedelta(seconds=30),
        doc="On shutdown or when the listener moves, how long requests already accepted may take "
        "to finish.",
    )
    debug_info_upload_timeout: timedelta = attr(
        default=timedelta(minutes=2),
        doc="Alloy's timeout for debug-info uploads (the debug-info routes are not served). "
        + IGNORED,
    )
    # alloylite extension (Alloy has no limit): bodies above it get 413 before
    # they are read. 0 means no limit.
    max_request_body_size: int = attr(
        default=DEFAULT_MAX_REQUEST_BODY_SIZE,
        doc="alloylite only: a body larger than this many bytes is refused before it is read (413 "
        "on `/ingest`, `resource_exhausted` on push). `0` means no limit (Alloy has none).",
    )

    # alloylite extension (Alloy drops the SDK's tenant header): see tenant.py.
    forward_tenant: bool = attr(
        default=False,
        doc="alloylite only: copy each request's `X-Scope-OrgID` into the reserved label "
        "`__tenant_id__` of its profiles, where `pyroscope.relabel` rules can read or change it "
        "and `pyroscope.write` can send it per profile (its endpoint's `tenant_from_label`). "
        "A tenant ID Pyroscope would refuse is answered 400 / `invalid_argument`. Other headers, "
        "credentials among them, are forwarded only when named in `forward_headers`.",
    )
    # alloylite extension (grafana/alloy #4358 proposes it): see forward_headers.py.
    forward_headers: list[str] = attr(
        default_factory=list,
        doc="alloylite only: request headers to carry with each profile, each in the reserved "
        "label `__header_<name>__` (lower-cased, `-` as `_`: `X-Custom` -> "
        "`__header_x_custom__`), which `pyroscope.write` sends for the endpoints whose "
        "`forward_headers` name it. Credential headers travel only when named here; their "
        "values are hidden in error texts. Transport headers (`Content-Type`, `Host`, "
        "`Connect-*`, `Grpc-*`, ...) are refused.",
    )

    def validate(self) -> None:
        check_header_names(self.forward_headers)
        if self.max_request_body_size < 0:
            raise ValueError("max_request_body_size must not be negative")
        if self.graceful_shutdown_timeout < timedelta(0):
            raise ValueError("graceful_shutdown_timeout must not be negative")
