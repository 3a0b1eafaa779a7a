"""The argument schema of `pyroscope.write` (spec alloy-pyroscope.md §2.2).

Defaults and the "at most one of" checks follow Alloy's endpoint options and
its shared HTTP client block. The `oauth2` block supports the client-credentials
flow; its own proxy settings are not implemented (the decoder rejects them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from alloylite.components.doc_texts import IGNORED
from alloylite.components.pyroscope.forward_headers import check_names as check_header_names
from alloylite.eval.values import Secret
from alloylite.runtime.catalogue.text_types import URL
from alloylite.runtime.schema import attr, block

TLS_VERSIONS = ("TLS10", "TLS11", "TLS12", "TLS13")


def _has(secret: Secret | None) -> bool:
    return secret is not None and secret.reveal() != ""


@dataclass
class BasicAuth:
    username: str = attr(default="", doc="User name (for Grafana Cloud, the stack's user ID).")
    password: Secret | None = attr(default=None, doc="Password or API token.")
    password_file: str = attr(
        default="", doc="File holding the password (re-read when it changes); excludes `password`."
    )

    def validate(self) -> None:
        if _has(self.password) and self.password_file:
            raise ValueError(
                "at most one of basic_auth password & password_file must be configured"
            )


@dataclass
class Authorization:
    type: str = attr(
        default="",
        doc="Scheme, e.g. `Bearer`; `Basic` is refused (use `basic_auth`). Empty means `Bearer`.",
    )
    credentials: Secret | None = attr(default=None, doc="Credentials sent after the scheme.")
    credentials_file: str = attr(
        default="", doc="File holding the credentials; excludes `credentials`."
    )

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
    ca_pem: str = attr(
        default="", doc="PEM CA bundle that verifies the server; excludes `ca_file`."
    )
    ca_file: str = attr(default="", doc="Path of the PEM CA bundle that verifies the server.")
    cert_pem: str = attr(default="", doc="PEM client certificate for mTLS; excludes `cert_file`.")
    cert_file: str = attr(default="", doc="Path of the PEM client certificate for mTLS.")
    key_pem: Secret | None = attr(
        default=None, doc="PEM private key of the client certificate; excludes `key_file`."
    )
    key_file: str = attr(default="", doc="Path of the PEM private key of the client certificate.")
    server_name: str = attr(
        default="", doc="Server name to verify the certificate against (and send as SNI)."
    )
    insecure_skip_verify: bool = attr(default=False, doc="Do not verify the server's certificate.")
    min_version: str = attr(
        default="", doc="Oldest TLS version used: `TLS10` to `TLS13`; empty means `TLS12`."
    )

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

    client_id: str = attr(default="", doc="Client ID.")
    client_secret: Secret | None = attr(default=None, doc="Client secret.")
    client_secret_file: str = attr(
        default="", doc="File holding the client secret; excludes `client_secret`."
    )
    scopes: list[str] = attr(default_factory=list, doc="Scopes requested with the token.")
    token_url: str = attr(default="", doc="URL the token is fetched from (required in the block).")
    endpoint_params: dict[str, str] = attr(
        default_factory=dict, doc="Extra form parameters of the token request."
    )
    tls_config: TLSConfig | None = block(default=None, doc="TLS settings of the token request.")

    def validate(self) -> None:
        if _has(self.client_secret) and self.client_secret_file:
            raise ValueError(
                "at most one of oauth2 client_secret & client_secret_file must be configured"
            )
        if not self.token_url:
            raise ValueError("oauth2 token_url must be configured")
        _check_url("oauth2 token_url", self.token_url)


@dataclass
class HTTPClientArguments:
    """Alloy's shared HTTP client block (prometheus/common's HTTPClientConfig), squashed into
    the arguments of every component that makes HTTP requests (write's endpoints, scrape)."""

    bearer_token: Secret | None = attr(default=None, doc="Sends `Authorization: Bearer <token>`.")
    bearer_token_file: str = attr(
        default="", doc="File holding the bearer token (re-read when it changes)."
    )
    basic_auth: BasicAuth | None = block(default=None, doc="HTTP basic authentication.")
    authorization: Authorization | None = block(
        default=None, doc="A custom `Authorization` header."
    )
    oauth2: OAuth2 | None = block(
        default=None,
        doc="OAuth 2.0 client-credentials flow; the token is cached and fetched again shortly "
        "before it expires.",
    )
    tls_config: TLSConfig | None = block(default=None, doc="TLS settings of the connections.")
    # Alloy's config.URL: Go's url.Parse refusals are reported at the literal (validate
    # too); `validate_transport` then asks what the HTTP client needs (http(s), a host).
    proxy_url: Annotated[str, URL] = attr(default="", doc="HTTP proxy to connect through.")
    no_proxy: str = attr(
        default="", doc="Comma-separated hosts, domains and CIDRs that bypass `proxy_url`."
    )
    proxy_from_environment: bool = attr(
        default=False, doc="Use `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` from the environment."
    )
    proxy_connect_header: dict[str, list[Secret]] = attr(
        default_factory=dict, doc="Headers sent to the proxy in `CONNECT` requests."
    )
    follow_redirects: bool = attr(default=True, doc="Follow 3xx redirects.")
    enable_http2: bool = attr(
        default=True,
        doc="Negotiate HTTP/2 over TLS (ALPN); cleartext connections use HTTP/1.1.",
    )
    http_headers: dict[str, list[Secret]] = attr(
        default_factory=dict,
        doc="Headers added to every request, values kept secret; reserved names such as "
        "`Authorization` or `Content-Type` are refused.",
    )

    def validate_auth(self) -> None:
        """At most one way to authenticate."""
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

    def validate_transport(self) -> None:
        """The proxy settings and the client's own headers."""
        _check_proxy(self)
        for key, values in self.http_headers.items():
            if key.lower() in _RESERVED_HEADERS:
                raise ValueError(f'setting header "{_canonical(key)}" is not allowed')
            for secret in values:
                _check_header(key, secret.reveal())
        for key, values in self.proxy_connect_header.items():
            for secret in values:
                _check_header(key, secret.reveal())


@dataclass
class Endpoint(HTTPClientArguments):
    url: str = attr(
        required=True,
        doc="Base URL of the server (`http://pyroscope:4040`, `https://host/prefix`). Push goes to"
        " `<url>/push.v1.PusherService/Push`, ingest to the URL's path joined with `/ingest`.",
    )
    name: str = attr(
        default="", doc="Name of the endpoint. As in Alloy's code, metrics use the URL."
    )
    remote_timeout: timedelta = attr(
        default=timedelta(seconds=10),
        doc="Time limit of each attempt (not of all retries together).",
    )
    headers: dict[str, str] = attr(
        default_factory=dict, doc="Extra headers on every request, e.g. `X-Scope-OrgID`."
    )
    min_backoff_period: timedelta = attr(
        default=timedelta(milliseconds=500),
        doc="First retry delay; each next delay doubles, jittered.",
    )
    max_backoff_period: timedelta = attr(
        default=timedelta(minutes=5), doc="Longest retry delay (also caps a `Retry-After`)."
    )
    max_backoff_retries: int = attr(
        default=10,
        doc="Total number of attempts (not retries) before the profile is dropped; `0` retries "
        "forever (within the caller's deadline).",
    )
    retry_on_http_429: bool = attr(
        default=True, doc="Retry a 429 (ingest) or `resource_exhausted` (push)."
    )
    debug_info_upload_timeout: timedelta = attr(
        default=timedelta(minutes=2), doc="Alloy's timeout for debug-info uploads. " + IGNORED
    )
    # alloylite extension: per-profile tenants (components/pyroscope/tenant.py).
    tenant_from_label: str = attr(
        default="",
        doc="alloylite only: send each profile's `__tenant_id__` label (set by "
        "`pyroscope.receive_http`'s `forward_tenant` or by a `pyroscope.relabel` rule) as its "
        "`X-Scope-OrgID`. `override`: it replaces a static `X-Scope-OrgID` of `headers`; "
        "`fallback`: a static one wins and the label fills in where none is set. Empty (the "
        "default): the label is dropped like every `__*` label, as in Alloy.",
    )
    # alloylite extension (grafana/alloy #4358 proposes it): see forward_headers.py.
    forward_headers: list[str] = attr(
        default_factory=list,
        doc="alloylite only: headers to send with each profile that carries them in its "
        "`__header_<name>__` label (set by `pyroscope.receive_http`'s `forward_headers` or by "
        "a `pyroscope.relabel` rule); a carried value replaces a static header of that name, "
        "and the endpoint's own credentials replace a carried `Authorization`. Unnamed "
        "`__header_*__` labels are dropped like every `__*` label.",
    )

    def validate(self) -> None:
        check_header_names(self.forward_headers)
        if self.tenant_from_label not in ("", "override", "fallback"):
            raise ValueError(
                f'tenant_from_label must be "override", "fallback" or empty, got '
                f'"{self.tenant_from_label}"'
            )
        self.validate_auth()
        _check_url("url", self.url)
        for key, value in self.headers.items():
            _check_header(key, value)
        self.validate_transport()
        if self.remote_timeout <= timedelta(0):
            raise ValueError("remote_timeout must be greater than 0")
        if self.max_backoff_retries < 0:
            raise ValueError("max_backoff_retries must not be negative")
        if self.min_backoff_period < timedelta(0) or self.max_backoff_period < timedelta(0):
            raise ValueError("backoff periods must not be negative")


def _check_proxy(ep: HTTPClientArguments) -> None:
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


def check_proxy_scheme(proxy_url: str) -> None:
    """alloylite's clients speak to HTTP(S) proxies only. Go's client also takes SOCKS5
    (and any other scheme as an HTTP proxy), so this is checked when a client is built, at
    `run`, and not by `validate`, where it would refuse valid Alloy."""
    scheme = urlsplit(proxy_url).scheme
    if scheme not in ("http", "https"):
        raise ValueError(
            f'proxy_url: alloylite supports http and https proxies, not "{scheme}" '
            "(a SOCKS proxy runs in Alloy)"
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

    jaeger_propagator: bool = attr(default=True, doc=IGNORED)
    trace_context_propagator: bool = attr(default=True, doc=IGNORED)


@dataclass
class Arguments:
    endpoints: list[Endpoint] = block(
        name="endpoint",
        default_factory=list,
        doc="A Pyroscope server to send every profile to. Repeat the block to send to several "
        "servers; with none, profiles are accepted and discarded.",
    )
    external_labels: dict[str, str] = attr(
        default_factory=dict,
        doc="Labels added to every profile, replacing a label of the same name. An empty value "
        "removes the label.",
    )
    tracing: Tracing | None = block(
        default=None, doc="Alloy's trace propagation settings. " + IGNORED
    )
