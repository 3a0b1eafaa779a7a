"""Targets -> labels -> URLs (spec §1.3, §1.4) and argument validation (§1.2)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from alloylite._version import __version__
from alloylite.components.pyroscope.scrape.arguments import Arguments, ProfilingTarget
from alloylite.components.pyroscope.scrape.loop import SCOPE_NAME, forwarded_labels
from alloylite.components.pyroscope.scrape.response import check_response
from alloylite.components.pyroscope.scrape.targets import ScrapeTarget, build_targets, join_path


def args(**kw: object) -> Arguments:
    return Arguments(targets=[], forward_to=[], **kw)  # type: ignore[arg-type]


def urls(a: Arguments, target: dict[str, str]) -> dict[str, str]:
    made, errors = build_targets(a, [target])
    assert errors == []
    return {t.name: t.url for t in made}


def test_default_profile_types_and_cpu_seconds() -> None:
    got = urls(args(), {"__address__": "localhost:6060"})
    assert got == {
        "block": "http://localhost:6060/debug/pprof/block",
        "goroutine": "http://localhost:6060/debug/pprof/goroutine",
        "memory": "http://localhost:6060/debug/pprof/allocs",
        "mutex": "http://localhost:6060/debug/pprof/mutex",
        "process_cpu": "http://localhost:6060/debug/pprof/profile?seconds=14",
    }


def test_delta_duration_and_params_are_not_aliased() -> None:
    a = args(
        scrape_interval=timedelta(seconds=60),
        delta_profiling_duration=timedelta(seconds=20),
        params={"debug": ["1"]},
    )
    got = urls(a, {"__address__": "h:1"})
    assert got["process_cpu"] == "http://h:1/debug/pprof/profile?debug=1&seconds=20"
    assert got["memory"] == "http://h:1/debug/pprof/allocs?debug=1"  # no inherited seconds


def test_labels_port_completion_and_service_name() -> None:
    made, _ = build_targets(
        args(job_name="j", scheme="https"),
        [{"__address__": "host", "__meta_docker_container_name": "c"}],
    )
    labels = dict(made[0].labels)
    assert labels["__address__"] == labels["instance"] == "host:443"
    assert labels["job"] == "j" and labels["service_name"] == "c"
    assert made[0].url.startswith("https://host:443/")


def test_no_job_label_without_job_name() -> None:
    made, _ = build_targets(args(), [{"__address__": "h:1"}])
    assert all("job" not in dict(t.labels) for t in made)
    assert dict(made[0].labels)["service_name"] == "unspecified"


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ({"__address__": ""}, "no address"),
        ({"__address__": "a/b"}, '"a/b:80" is not a valid hostname'),
        ({"__address__": "h", "__scheme__": "ftp"}, 'invalid scheme: "http"'),
    ],
)
def test_target_errors(target: dict[str, str], error: str) -> None:
    assert build_targets(args(), [target]) == ([], [error])


def test_godeltaprof_renamed_and_custom_replaces_builtin() -> None:
    a = args()
    a.profiling_config.godeltaprof_memory = ProfilingTarget(True, "/debug/pprof/delta_heap")
    made, _ = build_targets(a, [{"__address__": "h:1"}])
    delta_heap = [t for t in made if t.url.endswith("delta_heap")][0]
    assert delta_heap.name == "memory" and delta_heap.godeltaprof and not delta_heap.alloy_delta


@pytest.mark.parametrize(
    ("prefix", "path", "joined"),
    [
        ("v1/", "/debug/pprof/allocs", "/v1/debug/pprof/allocs"),
        ("/a/../b", "debug//x", "/b/debug/x"),
        ("", "/x y/", "/x%20y/"),
    ],
)
def test_join_path(prefix: str, path: str, joined: str) -> None:
    assert join_path(prefix, path) == joined


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"scrape_timeout": timedelta(0)}, "scrape_timeout must be greater than 0"),
        ({"scrape_interval": timedelta(seconds=1)}, "scrape_interval must be at least 2 seconds"),
        (
            {"delta_profiling_duration": timedelta(seconds=1)},
            "delta_profiling_duration must be larger than 1 second",
        ),
        (
            {"scrape_interval": timedelta(seconds=10)},
            "delta_profiling_duration must be at least 1 second smaller",
        ),
        (
            {
                "bearer_token_file": "/t",
                "basic_auth": __import__(
                    "alloylite.components.pyroscope.write.arguments", fromlist=["BasicAuth"]
                ).BasicAuth(),
            },
            "at most one of basic_auth, authorization, oauth2",
        ),
    ],
)
def test_validation_messages(kw: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        args(**kw).validate()


@pytest.mark.parametrize(
    ("status", "ctype", "body", "message"),
    [
        (500, "text/plain", b"boom\n", "server returned HTTP status (500) boom"),
        (503, "", b"", "server returned HTTP status (503) 503 Service Unavailable"),
        (200, "application/octet-stream", b"", "empty memory profile"),
        (200, "", b"\x1f\x8b\x08", "invalid profile data: missing Content-Type header"),
        (200, "application/octet-stream", b"ab", "data too short for pprof format"),
        (200, "application/octet-stream", b"\x0f\x01\x02", "illegal wireType 7"),
    ],
)
def test_response_checks(status: int, ctype: str, body: bytes, message: str) -> None:
    reason = "Service Unavailable" if status == 503 else "OK"
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_response(status, reason, ctype, body, "memory")


def _target(labels: dict[str, str], name: str = "goroutine") -> ScrapeTarget:
    return ScrapeTarget(tuple(sorted(labels.items())), name, False, "http://x", 1.0, 1)


def test_forwarded_labels_carry_the_scrapers_scope_name_and_version() -> None:
    out = dict(forwarded_labels(_target({"__name__": "memory"}, "memory")))
    assert out["otel.scope.name"] == SCOPE_NAME
    assert out["otel.scope.version"] == f"v{__version__}"
    assert out["__delta__"] == "false"


def test_a_targets_own_scope_labels_are_kept_and_get_no_version() -> None:
    out = dict(forwarded_labels(_target({"otel.scope.name": "mine"})))
    assert out["otel.scope.name"] == "mine"
    assert "otel.scope.version" not in out
    assert "__delta__" not in out
