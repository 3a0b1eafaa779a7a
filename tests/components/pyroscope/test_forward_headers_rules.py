"""The rules of `forward_headers`: which names are accepted, how headers become labels
and labels become headers again."""

from __future__ import annotations

import pytest

from alloylite.components.pyroscope.forward_headers import (
    capture,
    check_names,
    headers_for,
    label_name,
    split,
)


@pytest.mark.parametrize("name", ["X-Custom", "authorization", "X-Scope-OrgID", "a!#$%&'*+.^_`|~"])
def test_header_names_are_accepted(name: str) -> None:
    check_names([name])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", 'forward_headers: invalid header name ""'),
        ("X Custom", 'forward_headers: invalid header name "X Custom"'),
        ("X-Ünïcode", 'forward_headers: invalid header name "X-Ünïcode"'),
        ("Content-Type", 'forward_headers: header "Content-Type" cannot be forwarded'),
        ("host", 'forward_headers: header "host" cannot be forwarded'),
        ("Connect-Timeout-Ms", 'forward_headers: header "Connect-Timeout-Ms" cannot be forwarded'),
        ("grpc-timeout", 'forward_headers: header "grpc-timeout" cannot be forwarded'),
    ],
)
def test_names_the_transport_owns_or_that_are_not_headers_are_refused(
    name: str, message: str
) -> None:
    with pytest.raises(ValueError) as info:
        check_names([name])
    assert str(info.value) == message


def test_named_headers_become_reserved_labels_and_repeats_are_joined() -> None:
    labels = (("service_name", "app"),)
    headers = [(b"x-custom", b"a"), (b"X-Custom", b"b"), (b"x-other", b"not named")]
    out = capture(labels, headers, ["X-Custom"])
    assert out == (("__header_x_custom__", "a, b"), ("service_name", "app"))
    assert capture(labels, headers, ["X-Absent"]) is labels


def test_labels_turn_back_into_headers_replacing_a_static_one() -> None:
    labels = ((label_name("X-Custom"), "carried"), ("service_name", "app"))
    plain, carried = split(labels)
    assert plain == (("service_name", "app"),)
    static = [(b"X-Custom", b"static"), (b"X-Keep", b"1")]
    assert headers_for(static, ["X-Custom"], carried) == [
        (b"X-Keep", b"1"),
        (b"X-Custom", b"carried"),
    ]
    # A name the endpoint does not list is never sent, and no carried value keeps the static.
    assert headers_for(static, ["X-Other"], carried) is static
    assert headers_for(static, ["X-Custom"], {}) is static
