"""The argument schema of `pyroscope.write` (spec alloy-pyroscope.md §2.2).

Defaults and the "at most one of" checks follow Alloy's endpoint options and
its shared HTTP client block. The `oauth2` block supports the client-credentials
flow; its own proxy settings are not implemented (the decoder rejects them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from alloylite.eval.values import Secret
from alloylite.runtime.schema import attr, block

TLS_VERSIONS = ("TLS10", "TLS11", "TLS12", "TLS13")


def _has(secret: Secret | None) -> bool:
    return secret is not None and secret.reveal() != ""


@dataclass
class BasicAuth:
    username: str = attr(default="")
    password: Secret | None = attr(default=None)
    password_file: str = attr(default="")

    def validate(self) -> None:
        if _has(self.password) and self.password_file:
            raise ValueError(
                "at most one of basic_auth password & password_file must be configured"
            )


@dataclass
class Authorization:
    type: str = attr(default="")
    credentials: Secret | None = attr(default=None)
    credentials_file: str = attr(default="")

    def validate(self) -> None:
        if _has(self.credentials) and self.credentials_file:
            raise ValueError(
                "at most one of authorization credentials & credentials_file must be configured"
            )
        if self.type.lower() == "basic":
            raise ValueError(
                'authorization type cannot be set to "basic", use "basic_auth" instead'
            )


@dataclass
class TLSConfig:
    ca_pem: str = attr(default="")
    ca_file: str = attr(default="")
    cert_pem: str = attr(default="")
    cert_file: str = attr(default="")
    key_pem: Secret | None = attr(default=None)
    key_file: str = attr(default="")
    server_name: str = attr(default="")
    insecure_skip_verify: bool = attr(default=False)
    min_version: str = attr(default="")

    def validate(self) -> None:
        if self.ca_pem and self.ca_file:
            raise ValueError("at most one of ca_pem and ca_file must be configured")
        if self.cert_pem and self.cert_file:
            raise ValueError("at most one of cert_pem and cert_file must be configured")
        if _has(self.key_pem) and self.key_file:
            raise ValueError("at most one of key_pem and key_file must be configured")
        has_cert = bool(self.cert_pem or self.cert_file)
        has_key = bool(self.key_file or _has(self.key_pem))
        if has_cert and not has_key:
            raise ValueError(
                "exactly one of key_pem or key_file must be configured when a "
                "client certificate is configured"
            )
        if has_key and not has_cert:
            raise ValueError(
                "exactly one of cert_pem or cert_file must be configured when a "
                "client key is configured"
            )
        if self.min_version and self.min_version not in TLS_VERSIONS:
            raise ValueError(f"unknown TLS version: {self.min_version}")


@dataclass
class OAuth2:
    """The client-credentials flow; the token is fetched from `token_url` and cached."""

    client_id: str = attr(default="")
    client_secret: Secret | None = attr(default=None)
    client_secret_file: str = attr(default="")
    scopes: list[str] = attr(default_factory=list)
    token_url: str = attr(default="")
    endpoint_params: dict[str, str] = attr(default_factory=dict)
    tls_config: TLSConfig | None = block(default=None)

    def validate(self) -> None:
        if _has(self.client_secret) and self.client_secret_file:
            raise ValueError(
                "at most one of oauth2 client_secret & client_secret_file must be configured"
            )
        if not self.token_url:
            raise ValueError("oauth2 token_url must be configured")
        _check_url("oauth2 token_url", self.token_url)


@dataclass
class Endpoint:
    url: str = attr(required=True)
    name: str = attr(default="")
    remote_timeout: timedelta = attr(default=timedelta(seconds=10))
    headers: dict[str, str] = attr(default_factory=dict)
    min_backoff_period: timedelta = attr(default=timedelta(milliseconds=500))
    max_backoff_period: timedelta = attr(default=timedelta(minutes=5))
    max_backoff_retries: int = attr(default=10)
    retry_on_http_429: bool = attr(default=True)
    debug_info_upload_timeout: timedelta = attr(default=timedelta(minutes=2))
    bearer_token: Secret | None = attr(default=None)
    bearer_token_file: str = attr(default="")
    basic_auth: BasicAuth | None = block(default=None)
    authorization: Authorization | None = block(default=None)
    oauth2: OAuth2 | None = block(default=None)
    tls_config: TLSConfig | None = block(default=None)
    proxy_url: str = attr(default="")
    no_proxy: str = attr(default="")
    proxy_from_environment: bool = attr(default=False)
    proxy_connect_header: dict[str, list[Secret]] = attr(default_factory=dict)
    follow_redirects: bool = attr(default=True)
    enable_http2: bool = attr(default=True)
    http_headers: dict[str, list[Secret]] = attr(default_factory=dict)

    def validate(self) -> None:
        methods = [
            self.basic_auth is not None,
            self.authorization is not None,
            self.oauth2 is not None,
            _has(self.bearer_token),
            bool(self.bearer_token_file),
        ]
        if sum(methods) > 1:
            raise ValueError(
                "at most one of basic_auth, authorization, oauth2, bearer_token & "
                "bearer_token_file must be configured"
            )
        _check_url("url", self.url)
        for key, value in self.headers.items():
            _check_header(key, value)
        if self.proxy_url:
            _check_url("proxy_url", self.proxy_url)
        _check_proxy(self)
        for key, values in self.http_headers.items():
            if key.lower() in _RESERVED_HEADERS:
                raise ValueError(f'setting header "{_canonical(key)}" is not allowed')
            for value in values:
                _check_header(key, value.reveal())
        for key, values in self.proxy_connect_header.items():
            for value in values:
                _check_header(key, value.reveal())
        if self.remote_timeout <= timedelta(0):
            raise ValueError("remote_timeout must be greater than 0")
        if self.max_backoff_retries < 0:
            raise ValueError("max_backoff_retries must not be negative")
        if self.min_backoff_period < timedelta(0) or self.max_backoff_period < timedelta(0):
            raise ValueError("backoff periods must not be negative")


def _check_proxy(ep: Endpoint) -> None:
    if ep.no_proxy and not ep.proxy_url:
        raise ValueError("if no_proxy is configured, proxy_url must also be configured")
    if ep.proxy_from_environment and ep.proxy_url:
        raise ValueError(
            "if proxy_from_environment is configured, proxy_url must not be configured"
        )
    if ep.proxy_from_environment and ep.no_proxy:
        raise ValueError("if proxy_from_environment is configured, no_proxy must not be configured")
    if ep.proxy_connect_header and not (ep.proxy_url or ep.proxy_from_environment):
        raise ValueError(
            "if proxy_connect_header is configured, proxy_url or proxy_from_environment must "
            "also be configured"
        )


# Headers the HTTP client layer owns (prometheus/common's reserved list).
_RESERVED_HEADERS = frozenset(
    h.lower()
    for h in (
        "Authorization",
        "Host",
        "Content-Encoding",
        "Content-Length",
        "Content-Type",
        "User-Agent",
        "Connection",
        "Keep-Alive",
        "Proxy-Authenticate",
        "Proxy-Authorization",
        "Www-Authenticate",
        "Accept-Encoding",
        "X-Prometheus-Remote-Write-Version",
        "X-Prometheus-Remote-Read-Version",
        "X-Prometheus-Scrape-Timeout-Seconds",
        "X-Amz-Date",
        "X-Amz-Security-Token",
        "X-Amz-Content-Sha256",
        "Upgrade",
        "Te",
        "Trailer",
        "Transfer-Encoding",
    )
)


def _canonical(key: str) -> str:
    return "-".join(part[:1].upper() + part[1:].lower() for part in key.split("-"))


def _check_url(field: str, url: str) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise ValueError(f"{field} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f'{field} must be an absolute http or https URL, got scheme "{parts.scheme}"'
        )


_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _check_header(key: str, value: str) -> None:
    if not key or not _TOKEN.issuperset(key):
        raise ValueError(f"invalid header name {key!r}")
    # The value is not echoed: headers often carry credentials.
    if any(c in value for c in "\r\n\x00") or not value.isascii() and not _latin1(value):
        raise ValueError(f"invalid value for header {key!r}")


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


@dataclass
class Tracing:
    """Accepted for compatibility; alloylite does not propagate traces."""

    jaeger_propagator: bool = attr(default=True)
    trace_context_propagator: bool = attr(default=True)


@dataclass
class Arguments:
    endpoints: list[Endpoint] = block(name="endpoint", default_factory=list)
    external_labels: dict[str, str] = attr(default_factory=dict)
    tracing: Tracing | None = block(default=None)
