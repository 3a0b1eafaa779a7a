"""The ingest `name` grammar, the service_name rule and write's label rules (spec §1.5, §1.6,
§2.3, §2.4), as data: input -> expected."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alloylite.components.pyroscope.labels import (
    LabelError,
    build_ingest_name,
    ensure_service_name,
    ingest_labels,
    parse_name,
    parse_name_strict,
    push_series_labels,
    validate_labels,
)

PARSE_CASES: list[tuple[str, dict[str, str] | None]] = [
    ("test_app", {"__name__": "test_app"}),
    (
        "test.app{env=prod,region=us-east}",
        {"__name__": "test.app", "env": "prod", "region": "us-east"},
    ),
    ("  app  { a = 1 , b= 2 }", {"__name__": "app", "a": "1", "b": "2"}),
    ("app{}", {"__name__": "app"}),
    ("app{", {"__name__": "app"}),
    # a label without "=" before "}" is silently dropped (Alloy's "invalid labels still forward")
    ("test.app{invalid-label-syntax}", {"__name__": "test.app"}),
    ("app{garbage}", {"__name__": "app"}),
    # junk after the closing brace is ignored
    ("app{a=1}trailing{b=2}", {"__name__": "app", "a": "1"}),
    # unclosed: the sentinel "{" lands in the value, the last label is lost
    ("app{a=1", {"__name__": "app"}),
    ("app{a=1,b=2", {"__name__": "app", "a": "1"}),
    # values keep "=", "{", "/" and inner spaces; no escaping exists
    ("app{a=x=y,b=c{d,e=s p/q}", {"__name__": "app", "a": "x=y", "b": "c{d", "e": "s p/q"}),
    # empty values are kept by the parser
    ("app{a=,b=1}", {"__name__": "app", "a": "", "b": "1"}),
    # __name__ skips validation and overrides the app name
    ("app{__name__=other}", {"__name__": "other"}),
    # duplicate keys: the last wins
    ("app{a=1,a=2}", {"__name__": "app", "a": "2"}),
    # slashes and dashes are allowed in the app name (issue #2158)
    ("ns/my-app{a=1}", {"__name__": "ns/my-app", "a": "1"}),
    ("app{otel.scope.name=x}", {"__name__": "app", "otel.scope.name": "x"}),
    # failures
    ("", None),
    ("   ", None),
    ("{a=1}", None),
    ("my app", None),
    ("app:1", None),
    ("app{bad-key=1}", None),
    ("app{=1}", None),
    # "," belongs to the key until "=": "a,b" is an invalid key
    ("app{a,b=1}", None),
    ("app{a=1,}", {"__name__": "app", "a": "1"}),
    # Go's TrimSpace does not trim U+001C, Python's strip() would
    ("\x1capp", None),
    ("\u00a0app\u3000", {"__name__": "app"}),
]


@pytest.mark.parametrize(("text", "expected"), PARSE_CASES)
def test_parse_name(text: str, expected: dict[str, str] | None) -> None:
    assert parse_name(text) == expected


def test_parse_name_strict_reasons() -> None:
    with pytest.raises(LabelError, match="service name is required"):
        parse_name_strict("{a=b}")
    with pytest.raises(LabelError, match="invalid service name"):
        parse_name_strict("a b")
    with pytest.raises(LabelError, match="invalid label name: bad-key"):
        parse_name_strict("app{bad-key=1}")


SERVICE_CASES = [
    ({"__name__": "test_app"}, {"__name__": "test_app", "service_name": "test_app"}),
    (
        {"__name__": "test.app", "service_name": "my-service"},
        {"__name__": "test.app", "service_name": "my-service", "app_name": "test.app"},
    ),
    ({}, {}),
    # without __name__, an existing app_name is deleted (Set with "" deletes)
    ({"service_name": "s", "app_name": "old"}, {"service_name": "s"}),
    (
        {"__name__": "process_cpu", "service_name": "svc"},
        {"__name__": "process_cpu", "service_name": "svc", "app_name": "process_cpu"},
    ),
    # an empty value is absent
    ({"__name__": "a", "service_name": ""}, {"__name__": "a", "service_name": "a"}),
]


@pytest.mark.parametrize(("given", "expected"), SERVICE_CASES)
def test_ensure_service_name(given: dict[str, str], expected: dict[str, str]) -> None:
    result = ensure_service_name(given)
    assert result == tuple(sorted(expected.items()))
    assert ensure_service_name(tuple(sorted(given.items()))) == result


VALID = [
    (("__name__", "app"), ("env", "prod")),
    (("service_name", "x"), ("otel.scope.name", "y")),
    (("__name__", "weird-name!"),),  # __name__ skips the name check
]

INVALID = [
    ((), "service name is required"),
    ((("a", "1"), ("a", "2")), "duplicate label name: a"),
    ((("__name__", "x"), ("__name__", "y")), "duplicate label name: __name__"),
    ((("invalid-label", "1"),), "invalid label name: invalid-label"),
    ((("", "1"),), "label name is required"),
    ((("a", "bad\udcff"),), "invalid label value for a"),
]


@pytest.mark.parametrize("labels", VALID)
def test_validate_labels_accepts(labels: tuple[tuple[str, str], ...]) -> None:
    validate_labels(labels)


@pytest.mark.parametrize(("labels", "reason"), INVALID)
def test_validate_labels_rejects(labels: tuple[tuple[str, str], ...], reason: str) -> None:
    with pytest.raises(LabelError) as err:
        validate_labels(labels)
    assert str(err.value) == f"invalid labels in profile: {reason}"


def test_push_series_labels_filters_and_overrides() -> None:
    labels = (
        ("__delta__", "false"),
        ("__meta_kubernetes_pod", "p"),
        ("__name__", "process_cpu"),
        ("__type__", "t"),
        ("drop_me", "x"),
        ("foo", "bar"),
        ("job", "j"),
    )
    out = push_series_labels(labels, {"foo": "buzz", "drop_me": "", "zone": "z"})
    assert out == (
        ("__delta__", "false"),
        ("__name__", "process_cpu"),
        ("foo", "buzz"),
        ("job", "j"),
        ("zone", "z"),
    )


def test_ingest_name_rebuild() -> None:
    labels = ensure_service_name(parse_name("test.app{env=staging,service_name=my-service}") or {})
    labels = ingest_labels(labels)
    assert dict(labels)["__name__"] == "my-service"
    name = build_ingest_name(labels, {"env": "prod", "region": ""})
    assert name == "my-service{app_name=test.app,env=prod,service_name=my-service}"


def test_ingest_name_without_app_and_round_trip() -> None:
    assert build_ingest_name((("a", "1"),), {}) == "{a=1}"
    assert build_ingest_name((("__name__", "app"),), {}) == "app{}"
    text = build_ingest_name((("__name__", "app"), ("z", "2"), ("b", "x=y")), {})
    assert text == "app{b=x=y,z=2}"
    assert parse_name(text) == {"__name__": "app", "b": "x=y", "z": "2"}


_KEY = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.",
    min_size=1,
    max_size=8,
)
_VALUE = st.text(
    st.characters(blacklist_characters=",}{", blacklist_categories=["Cs", "Z", "Cc"]),
    min_size=1,
    max_size=8,
)
_APP = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_.-/", min_size=1, max_size=8)


@given(_APP, st.dictionaries(_KEY.filter(lambda k: k != "__name__"), _VALUE, max_size=5))
def test_rebuilt_name_parses_back(app: str, labels: dict[str, str]) -> None:
    text = build_ingest_name([("__name__", app), *labels.items()], {})
    assert parse_name(text) == {"__name__": app, **labels}


@given(st.text(max_size=30))
def test_parse_name_never_raises(text: str) -> None:
    result = parse_name(text)
    assert result is None or "__name__" in result
