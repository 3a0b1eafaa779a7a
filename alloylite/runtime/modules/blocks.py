"""The schemas of Alloy's config blocks and service blocks (spec §7.1), for decoding them.

They are Alloy's code structs, not the docs: `import.git`'s `revision` defaults to `main`,
`export`'s `value` is required. `validate` decodes them like component arguments;
block-level checks Alloy only runs at `alloy run` are the `validate()` methods, which the
runtime calls and `validate` skips as Alloy does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from alloylite.eval.values import Secret
from alloylite.runtime.schema import attr, block, format_duration

_ONE_MINUTE = timedelta(minutes=1)
# An optional custom-component argument the instance left unset (its `default` applies).
NOT_SET: Any = type("NotSet", (), {"__repr__": lambda self: "NOT_SET"})()


@dataclass
class ArgumentBlock:
    """`argument "name" { }` inside a module: one input of a custom component."""

    optional: bool = attr(default=False, doc="Whether the argument may be omitted.")
    default: Any = attr(default=None, doc="The value of an omitted optional argument.")
    comment: str = attr(default="", doc="A description of the argument.")


@dataclass
class ExportBlock:
    """`export "name" { value = ... }` inside a module: one output of a custom component."""

    value: Any = attr(required=True, doc="The exported value.")


@dataclass
class ImportFileBlock:
    filename: str = attr(required=True, doc="A module file, or a folder of `*.alloy` files.")
    detector: str = attr(default="fsnotify", doc="`fsnotify` or `poll`.")
    poll_frequency: timedelta = attr(default=_ONE_MINUTE, doc="How often `poll` checks.")

    def validate(self) -> None:
        if self.detector not in ("fsnotify", "poll"):
            raise ValueError(f'unknown detector "{self.detector}", expected fsnotify or poll')


@dataclass
class ImportStringBlock:
    content: Secret = attr(required=True, doc="The module text.")


@dataclass
class ClientBasicAuth:
    username: str = attr(default="", doc="")
    password: Secret | None = attr(default=None, doc="")
    password_file: str = attr(default="", doc="")


@dataclass
class ClientAuthorization:
    type: str = attr(default="", doc="")
    credentials: Secret | None = attr(default=None, doc="")
    credentials_file: str = attr(default="", doc="")


@dataclass
class ClientTLS:
    ca_pem: str = attr(default="", doc="")
    ca_file: str = attr(default="", doc="")
    cert_pem: str = attr(default="", doc="")
    cert_file: str = attr(default="", doc="")
    key_pem: Secret | None = attr(default=None, doc="")
    key_file: str = attr(default="", doc="")
    server_name: str = attr(default="", doc="")
    insecure_skip_verify: bool = attr(default=False, doc="")
    min_version: str = attr(default="", doc="")


@dataclass
class ClientOAuth2:
    client_id: str = attr(default="", doc="")
    client_secret: Secret | None = attr(default=None, doc="")
    client_secret_file: str = attr(default="", doc="")
    token_url: str = attr(default="", doc="")
    scopes: list[str] = attr(default_factory=list, doc="")
    endpoint_params: dict[str, str] = attr(default_factory=dict, doc="")
    proxy_url: str = attr(default="", doc="")
    tls_config: ClientTLS | None = block(default=None, doc="")


@dataclass
class HTTPClient:
    """Alloy's common HTTP client block (the attributes and blocks every client shares)."""

    bearer_token: Secret | None = attr(default=None, doc="")
    bearer_token_file: str = attr(default="", doc="")
    proxy_url: str = attr(default="", doc="")
    no_proxy: str = attr(default="", doc="")
    proxy_from_environment: bool = attr(default=False, doc="")
    proxy_connect_header: dict[str, list[Secret]] = attr(default_factory=dict, doc="")
    follow_redirects: bool = attr(default=True, doc="")
    enable_http2: bool = attr(default=True, doc="")
    http_headers: dict[str, list[Secret]] = attr(default_factory=dict, doc="")
    basic_auth: ClientBasicAuth | None = block(default=None, doc="")
    authorization: ClientAuthorization | None = block(default=None, doc="")
    oauth2: ClientOAuth2 | None = block(default=None, doc="")
    tls_config: ClientTLS | None = block(default=None, doc="")


@dataclass
class ImportHTTPBlock:
    url: str = attr(required=True, doc="Where the module is fetched from.")
    method: str = attr(default="GET", doc="")
    headers: dict[str, str] = attr(default_factory=dict, doc="")
    body: str = attr(default="", doc="")
    poll_frequency: timedelta = attr(default=_ONE_MINUTE, doc="")
    poll_timeout: timedelta = attr(default=timedelta(seconds=10), doc="")
    client: HTTPClient | None = block(default=None, doc="")


@dataclass
class GitBasicAuth:
    username: str = attr(required=True, doc="")
    password: Secret = attr(required=True, doc="")


@dataclass
class GitSSHKey:
    username: str = attr(required=True, doc="")
    key: Secret | None = attr(default=None, doc="")
    key_file: str = attr(default="", doc="")
    passphrase: Secret | None = attr(default=None, doc="")


_SPECIAL_REFS = ("HEAD", "FETCH_HEAD", "ORIG_HEAD", "MERGE_HEAD", "CHERRY_PICK_HEAD")


@dataclass
class ImportGitBlock:
    repository: str = attr(required=True, doc="")
    path: str = attr(required=True, doc="")
    revision: str = attr(default="main", doc="")
    pull_frequency: timedelta = attr(default=_ONE_MINUTE, doc="")
    basic_auth: GitBasicAuth | None = block(default=None, doc="")
    ssh_key: GitSSHKey | None = block(default=None, doc="")

    def validate(self) -> None:
        if self.revision in _SPECIAL_REFS:
            raise ValueError(
                "revision cannot be a special git reference such as HEAD, FETCH_HEAD, "
                "ORIG_HEAD, MERGE_HEAD, or CHERRY_PICK_HEAD"
            )


@dataclass
class ForeachBlock:
    """`foreach` without its `template` block, which is a body, not arguments."""

    collection: list[Any] = attr(required=True, doc="One pipeline per item.")
    var: str = attr(required=True, doc="The name the template reads the item by.")
    id: str = attr(default="", doc="For object items: the field that names the pipeline.")
    enable_metrics: bool = attr(default=False, doc="")
    hash_string_id: bool = attr(default=False, doc="")


@dataclass
class JaegerRemote:
    url: str = attr(default="http://127.0.0.1:5778/sampling", doc="")
    max_operations: int = attr(default=256, doc="")
    refresh_interval: timedelta = attr(default=_ONE_MINUTE, doc="")


@dataclass
class Sampler:
    jaeger_remote: JaegerRemote | None = block(default=None, doc="")


@dataclass
class TracingBlock:
    sampling_fraction: float = attr(default=0.1, doc="")
    send_traceparent: bool = attr(default=False, doc="")
    write_to: list[Any] = attr(default_factory=list, doc="")
    sampler: Sampler | None = block(default=None, doc="")


@dataclass
class LiveDebuggingBlock:
    enabled: bool = attr(
        default=False,
        doc="Keep and stream what each component sees (UI and `/api/v0/web/debug/<id>`).",
    )


@dataclass
class HTTPBasicUser:
    username: str = attr(required=True, doc="")
    password: Secret = attr(required=True, doc="")


@dataclass
class HTTPAuthFilter:
    paths: list[str] = attr(default_factory=list, doc="")
    authenticate_matching_paths: bool = attr(default=True, doc="")


@dataclass
class HTTPAuth:
    basic: HTTPBasicUser | None = block(default=None, doc="")
    filter: HTTPAuthFilter | None = block(default=None, doc="")


@dataclass
class WindowsFilterSide:
    system_store: str = attr(default="", doc="")
    issuer_common_names: list[str] = attr(default_factory=list, doc="")
    subject_regex: str = attr(default="", doc="")
    template_id: str = attr(default="", doc="")
    client_auth_type: str = attr(default="", doc="")
    store: str = attr(default="", doc="")
    refresh_interval: timedelta = attr(default=timedelta(0), doc="")


@dataclass
class WindowsCertificateFilter:
    server: WindowsFilterSide | None = block(default=None, doc="")
    client: WindowsFilterSide | None = block(default=None, doc="")


@dataclass
class HTTPServerTLS:
    cert_pem: str = attr(default="", doc="")
    cert_file: str = attr(default="", doc="")
    key_pem: Secret | None = attr(default=None, doc="")
    key_file: str = attr(default="", doc="")
    client_ca_pem: str = attr(default="", doc="")
    client_ca_file: str = attr(default="", doc="")
    client_auth_type: str = attr(default="", doc="")
    cipher_suites: list[str] = attr(default_factory=list, doc="")
    curve_preferences: list[str] = attr(default_factory=list, doc="")
    min_version: str = attr(default="", doc="")
    max_version: str = attr(default="", doc="")
    windows_certificate_filter: WindowsCertificateFilter | None = block(default=None, doc="")


@dataclass
class HTTPServiceBlock:
    auth: HTTPAuth | None = block(default=None, doc="")
    tls: HTTPServerTLS | None = block(default=None, doc="")


@dataclass
class RemotecfgBlock(HTTPClient):
    url: str = attr(default="", doc="")
    id: str = attr(default="", doc="")
    name: str = attr(default="", doc="")
    attributes: dict[str, str] = attr(default_factory=dict, doc="")
    poll_frequency: timedelta = attr(default=_ONE_MINUTE, doc="")

    def validate(self) -> None:
        if self.poll_frequency < timedelta(seconds=10):
            got = format_duration(self.poll_frequency)
            raise ValueError(f'poll_frequency must be at least "10s", got "{got}"')
        if any(key.startswith("collector.") for key in self.attributes):
            raise ValueError('"collector" is a reserved namespace for remotecfg attribute keys')


@dataclass
class LabelstoreBlock:
    enabled: bool = attr(default=False, doc="")


# Config blocks (Alloy's validator calls them "configs") and their schemas.
CONFIG_BLOCKS: dict[str, type] = {
    "argument": ArgumentBlock,
    "export": ExportBlock,
    "import.file": ImportFileBlock,
    "import.string": ImportStringBlock,
    "import.http": ImportHTTPBlock,
    "import.git": ImportGitBlock,
    "foreach": ForeachBlock,
    "tracing": TracingBlock,
}
# Services that take a config block, root only.
SERVICE_BLOCKS: dict[str, type] = {
    "http": HTTPServiceBlock,
    "livedebugging": LiveDebuggingBlock,
    "remotecfg": RemotecfgBlock,
    "labelstore": LabelstoreBlock,
}
IMPORT_BLOCKS = ("import.file", "import.string", "import.http", "import.git")
