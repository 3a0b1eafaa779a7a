"""The argument schema of `pyroscope.receive_http` (spec alloy-pyroscope.md §1.2).

Alloy flattens the shared server config into the component's arguments, so
`http`, `grpc` and `graceful_shutdown_timeout` are accepted although only the
`http` block matters; the `grpc` block is accepted and ignored (Alloy opens a
gRPC listener with no services on it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from alloylite.eval.values import Secret, type_name
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

    cert_pem: str = attr(default="")
    cert_file: str = attr(default="")
    key_pem: Secret | None = attr(default=None)
    key_file: str = attr(default="")
    client_auth_type: str = attr(default="NoClientCert")
    client_ca_file: str = attr(default="")
    client_ca: str = attr(default="")
    cipher_suites: list[str] = attr(default_factory=list)
    curve_preferences: list[str] = attr(default_factory=list)
    min_version: str = attr(default="")
    max_version: str = attr(default="")

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
    """The `http` > `http2` block. Accepted for compatibility; h2c is not served."""

    enabled: bool = attr(default=False)
    max_concurrent_streams: int = attr(default=100)
    max_decoder_header_table_size: int = attr(default=4096)
    max_encoder_header_table_size: int = attr(default=4096)
    max_read_frame_size: int = attr(default=0)
    max_upload_buffer_per_connection: int = attr(default=0)
    max_upload_buffer_per_stream: int = attr(default=0)
    permit_prohibited_cipher_suites: bool = attr(default=False)
    read_idle_timeout: timedelta = attr(default=timedelta(0))
    ping_timeout: timedelta = attr(default=timedelta(seconds=15))
    write_byte_timeout: timedelta = attr(default=timedelta(0))


@dataclass
class HTTPArguments:
    """The `http` block; omitted fields keep Alloy's receive_http defaults."""

    listen_address: str = attr(default="")
    listen_port: int = attr(default=8080)
    conn_limit: int = attr(default=16384)
    server_read_timeout: timedelta = attr(default=timedelta(seconds=30))
    server_write_timeout: timedelta = attr(default=timedelta(seconds=30))
    server_idle_timeout: timedelta = attr(default=timedelta(seconds=120))
    tls: TLSArguments | None = block(default=None)
    http2: HTTP2Arguments | None = block(default=None)

    def validate(self) -> None:
        if not 0 <= self.listen_port <= 65535:
            raise ValueError(f"listen_port must be between 0 and 65535, got {self.listen_port}")
        if self.conn_limit < 0:
            raise ValueError("conn_limit must not be negative")


@dataclass
class GRPCArguments:
    """The `grpc` block: accepted (Alloy flattens it in) and not served."""

    listen_address: str = attr(default="")
    listen_port: int = attr(default=0)
    conn_limit: int = attr(default=0)
    max_connection_age: timedelta | None = attr(default=None)
    max_connection_age_grace: timedelta | None = attr(default=None)
    max_connection_idle: timedelta | None = attr(default=None)
    server_max_recv_msg_size: int = attr(default=4 * 1024 * 1024)
    server_max_send_msg_size: int = attr(default=4 * 1024 * 1024)
    server_max_concurrent_streams: int = attr(default=100)
    tls: TLSArguments | None = block(default=None)


@dataclass
class Arguments:
    """`pyroscope.receive_http` arguments."""

    forward_to: list[Any] = attr(required=True)
    http: HTTPArguments = block(default_factory=HTTPArguments)
    grpc: GRPCArguments = block(default_factory=GRPCArguments)
    graceful_shutdown_timeout: timedelta = attr(default=timedelta(seconds=30))
    debug_info_upload_timeout: timedelta = attr(default=timedelta(minutes=2))
    # alloylite extension (Alloy has no limit): bodies above it get 413 before
    # they are read. 0 means no limit.
    max_request_body_size: int = attr(default=DEFAULT_MAX_REQUEST_BODY_SIZE)

    def validate(self) -> None:
        for i, item in enumerate(self.forward_to):
            # Receivers are capsules; a plain Alloy value can never be one.
            if item is None or isinstance(item, str | bool | int | float | list | dict):
                raise ValueError(f"forward_to[{i}] should be capsule, got {type_name(item)}")
        if self.max_request_body_size < 0:
            raise ValueError("max_request_body_size must not be negative")
        if self.graceful_shutdown_timeout < timedelta(0):
            raise ValueError("graceful_shutdown_timeout must not be negative")
