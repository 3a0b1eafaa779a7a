"""From the `targets` argument to one scrape target per target and profile type (spec §1.3, §1.4).

Pure functions: labels in, labels + URL + identity out. The running loops are keyed by the
identity, which depends only on the public labels and the URL, so a change in `__*` labels
alone does not restart a loop (Alloy's target hash).
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

from alloylite.components.pyroscope.scrape.arguments import Arguments

_GODELTAPROF = {
    "godeltaprof_memory": "memory",
    "godeltaprof_block": "block",
    "godeltaprof_mutex": "mutex",
}
# service_name inference, first non-empty wins (§1.4 step 7).
_SERVICE_NAME_SOURCES = (
    ("__meta_kubernetes_pod_annotation_pyroscope_io_service_name",),
    ("__meta_kubernetes_namespace", "__meta_kubernetes_pod_container_name"),
    ("__meta_docker_container_name",),
    ("__meta_dockerswarm_container_label_service_name",),
    ("__meta_dockerswarm_service_name",),
)
_DEFAULT_DELTA_DURATION = 14.0
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


class TargetError(ValueError):
    """A target whose labels cannot be scraped (Alloy's message)."""


@dataclass(frozen=True, slots=True)
class ScrapeTarget:
    """One scrape loop's work: where to GET and the labels to forward the profile with."""

    labels: tuple[tuple[str, str], ...]  # every label, private ones included, sorted
    name: str  # `__name__` after the godeltaprof rename
    godeltaprof: bool
    url: str
    timeout: float  # seconds per request
    identity: int

    @property
    def alloy_delta(self) -> bool:
        """Whether Alloy computes the delta of this profile itself (§1.6)."""
        return self.name in ("memory", "mutex", "block") and not self.godeltaprof

    def label(self, name: str) -> str:
        return dict(self.labels).get(name, "")


def dedupe(targets: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """Drop repeated targets; the key ignores `__meta_*` labels, the first one wins (§1.9)."""
    seen: set[tuple[tuple[str, str], ...]] = set()
    out: list[dict[str, str]] = []
    for target in targets:
        labels = {k: v for k, v in target.items() if v != ""}
        key = tuple(sorted((k, v) for k, v in labels.items() if not k.startswith("__meta_")))
        if key not in seen:
            seen.add(key)
            out.append(labels)
    return out


def delta_seconds(args: Arguments) -> int:
    """The `seconds` query of delta profile types (§1.3): an explicit 14s equals unset."""
    duration = args.delta_profiling_duration.total_seconds()
    if duration != _DEFAULT_DELTA_DURATION:
        return int(duration)
    return int(args.scrape_interval.total_seconds()) - 1


def build_targets(
    args: Arguments, targets: Iterable[Mapping[str, str]]
) -> tuple[list[ScrapeTarget], list[str]]:
    """Every (target, enabled profile type) pair as a ScrapeTarget, de-duplicated by
    identity, plus the errors of targets that cannot be scraped.

    A bad target costs only itself (Alloy aborts its whole target group: see
    docs/compatibility.md).
    """
    out: dict[int, ScrapeTarget] = {}
    errors: list[str] = []
    profile_types = sorted(args.profiling_config.targets().items())
    for target in dedupe(targets):
        try:
            for name, profile in profile_types:
                if profile.enabled:
                    made = _make(args, target, name, profile.path, profile.delta)
                    out.setdefault(made.identity, made)
        except TargetError as err:
            errors.append(str(err))
    return list(out.values()), errors


def _make(
    args: Arguments, target: Mapping[str, str], name: str, path: str, delta: bool
) -> ScrapeTarget:
    labels = dict(target)
    labels.setdefault("__profile_path__", path)
    labels.setdefault("__name__", name)
    prefix = args.profiling_config.path_prefix
    if prefix:
        labels.setdefault("__profile_path_prefix__", prefix)
    if args.job_name:
        labels.setdefault("job", args.job_name)
    labels.setdefault("__scheme__", args.scheme)
    for key, values in args.params.items():
        if values and values[0] != "":
            labels["__param_" + key] = values[0]
    labels["__address__"] = _address(labels.get("__address__", ""), labels, args.scheme)
    labels.setdefault("instance", labels["__address__"])
    if "service_name" not in labels:
        labels["service_name"] = infer_service_name(labels)
    for key, value in labels.items():
        if not _valid_utf8(value):
            raise TargetError(f'invalid label value for "{key}": "{value}"')
    profile_name = labels["__name__"]
    godeltaprof = profile_name in _GODELTAPROF
    if godeltaprof:
        profile_name = labels["__name__"] = _GODELTAPROF[profile_name]
    params = _params(args, labels, delta)
    query = encode_query(params)
    url = (
        labels["__scheme__"]
        + "://"
        + labels["__address__"]
        + join_path(labels.get("__profile_path_prefix__", ""), labels["__profile_path__"])
        + ("?" + query if query else "")
    )
    timeout = args.scrape_timeout.total_seconds()
    if "seconds" in params:
        timeout += args.scrape_interval.total_seconds() - 1
    public = sorted((k, v) for k, v in labels.items() if not k.startswith("__"))
    return ScrapeTarget(
        labels=tuple(sorted(labels.items())),
        name=profile_name,
        godeltaprof=godeltaprof,
        url=url,
        timeout=timeout,
        identity=_identity(public, url),
    )


def _address(address: str, labels: Mapping[str, str], scheme_argument: str) -> str:
    if address == "":
        raise TargetError("no address")
    if _missing_port(address):
        scheme = labels.get("__scheme__", "")
        if scheme in ("http", ""):
            address += ":80"
        elif scheme == "https":
            address += ":443"
        else:
            raise TargetError(f'invalid scheme: "{scheme_argument}"')
    if "/" in address:
        raise TargetError(f'"{address}" is not a valid hostname')
    return address


def _split_host_port(text: str) -> bool:
    """Whether Go's `net.SplitHostPort` accepts `text`."""
    if text.startswith("["):
        end = text.find("]")
        return end > 0 and text[end + 1 : end + 2] == ":" and "]" not in text[end + 1 :]
    head, sep, _ = text.rpartition(":")
    return sep == ":" and ":" not in head and "[" not in head and "]" not in head


def _missing_port(address: str) -> bool:
    return not _split_host_port(address) and _split_host_port(address + ":1234")


def infer_service_name(labels: Mapping[str, str]) -> str:
    for names in _SERVICE_NAME_SOURCES:
        values = [labels.get(n, "") for n in names]
        if all(values):
            return "/".join(values)
    return "unspecified"


def _valid_utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _params(args: Arguments, labels: Mapping[str, str], delta: bool) -> dict[str, list[str]]:
    # A fresh copy per target: Alloy appends `seconds` to the shared `params` map
    # (grafana/alloy#3026); here every URL carries exactly one (docs/compatibility.md).
    params = {key: list(values) for key, values in args.params.items()}
    if delta:
        params.setdefault("seconds", []).append(str(delta_seconds(args)))
    for key, value in labels.items():
        if key.startswith("__param_"):
            name = key[len("__param_") :]
            params[name] = [value, *params.get(name, [])[1:]]
    return params


def encode_query(params: Mapping[str, list[str]]) -> str:
    """Go's `url.Values.Encode`: keys sorted, values in order, form-encoded."""
    return "&".join(
        quote_plus(key, safe="") + "=" + quote_plus(value, safe="")
        for key in sorted(params)
        for value in params[key]
    )


def join_path(prefix: str, path: str) -> str:
    """Go's `url.URL.JoinPath` on an empty base: joined, cleaned, escaped; a trailing slash
    survives only when the last element has one."""
    elements = [e for e in ("/", prefix, path) if e]
    joined = posixpath.normpath("/".join(elements))
    if joined.startswith("//"):
        joined = "/" + joined.lstrip("/")
    last = path or prefix
    if last.endswith("/") and not joined.endswith("/"):
        joined += "/"
    return quote(joined, safe=_PATH_SAFE)


def _identity(public: list[tuple[str, str]], url: str) -> int:
    digest = hashlib.blake2b(digest_size=8)
    for name, value in public:
        digest.update(name.encode() + b"\xff" + value.encode() + b"\xff")
    digest.update(url.encode())
    return int.from_bytes(digest.digest(), "big")
