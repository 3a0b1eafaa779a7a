"""pyroscope.write's pure pieces: backoff ranges, Retry-After, URL building, arguments."""

from __future__ import annotations

import logging
import random
from datetime import timedelta
from email.utils import formatdate

import pytest

import alloylite
from alloylite.components.pyroscope.write.arguments import (
    Authorization,
    BasicAuth,
    Endpoint,
    TLSConfig,
)
from alloylite.components.pyroscope.write.backoff import Backoff, parse_retry_after
from alloylite.components.pyroscope.write.endpoint import EndpointRuntime
from alloylite.components.pyroscope.write.metrics import WriteMetrics
from alloylite.components.pyroscope.write.proxy import ProxySelector
from alloylite.components.pyroscope.write.urls import ingest_query
from alloylite.eval.values import Secret


def test_backoff_ranges_follow_dskit() -> None:
    random.seed(7)
    b = Backoff(0.5, 300.0, 10)
    delays = [b.next_delay() for _ in range(12)]
    bounds = [(0.5 * 2**i, 0.5 * 2 ** (i + 1)) for i in range(9)] + [(256, 300)] * 3
    for d, (low, high) in zip(delays, bounds, strict=True):
        assert low <= d < high


def test_backoff_counts_attempts() -> None:
    b = Backoff(0.1, 1.0, 3)
    assert [b.exhausted_after_failure() for _ in range(3)] == [False, False, True]
    forever = Backoff(0.1, 1.0, 0)
    assert not any(forever.exhausted_after_failure() for _ in range(100))


def test_backoff_equal_min_max() -> None:
    assert Backoff(2.0, 2.0, 0).next_delay() == 2.0


def test_parse_retry_after() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 0 ") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-5") is None
    now = 1_800_000_000.0
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30)
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now=now) == 0.0


def test_ingest_query_drops_what_go_rejects_and_sorts_by_key() -> None:
    query = "h=x+y&a=1&name=old&a=2&b=%7B&c=%zz&d;e=1&f&=g"
    assert ingest_query(query, "n") == "=g&a=1&a=2&b=%7B&f=&h=x+y&name=n"


def test_ingest_target_encoding() -> None:
    ep = EndpointRuntime(
        Endpoint(url="http://h:4040/base?x=1"), "id", WriteMetrics(None), logging.getLogger()
    )
    target = ep.ingest_target("/ingest?z=1&name=old&a=%2F&a=b", "app{k=v w,x=/}")
    assert target.path == b"/base/ingest?a=%2F&a=b&name=app%7Bk%3Dv+w%2Cx%3D%2F%7D&z=1"
    assert target.host_header == b"h:4040"


AUTH_ERROR = (
    "at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file "
    "must be configured"
)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bearer_token": Secret("a"), "bearer_token_file": "/f"}, AUTH_ERROR),
        ({"bearer_token": Secret("a"), "basic_auth": BasicAuth(username="u")}, AUTH_ERROR),
        ({"authorization": Authorization(), "basic_auth": BasicAuth()}, AUTH_ERROR),
        ({"url": "ftp://h"}, "must be an absolute http or https URL"),
        ({"url": "h:4040"}, "must be an absolute http or https URL"),
        ({"url": "http://h:99999"}, "not a valid URL"),
        ({"headers": {"bad name": "v"}}, "invalid header name"),
        ({"headers": {"X": "a\r\nInjected: 1"}}, "invalid value for header 'X'"),
        ({"remote_timeout": timedelta(0)}, "remote_timeout must be greater than 0"),
        ({"max_backoff_retries": -1}, "max_backoff_retries must not be negative"),
        ({"no_proxy": "x"}, "if no_proxy is configured, proxy_url must also be configured"),
        (
            {"proxy_from_environment": True, "proxy_url": "http://p"},
            "if proxy_from_environment is configured, proxy_url must not be configured",
        ),
        (
            {"proxy_connect_header": {"X": [Secret("v")]}},
            "if proxy_connect_header is configured, proxy_url or proxy_from_environment",
        ),
        ({"http_headers": {"authorization": [Secret("v")]}}, 'setting header "Authorization"'),
    ],
)
def test_endpoint_validation(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"url": "http://h:4040"}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        Endpoint(**args).validate()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (BasicAuth(password=Secret("p"), password_file="/f"), "password & password_file"),
        (Authorization(credentials=Secret("c"), credentials_file="/f"), "credentials &"),
        (Authorization(type="Basic"), 'cannot be set to "basic"'),
        (TLSConfig(ca_pem="x", ca_file="/f"), "ca_pem and ca_file"),
        (TLSConfig(cert_pem="x"), "key_pem or key_file"),
        (TLSConfig(min_version="TLS9"), "unknown TLS version"),
    ],
)
def test_block_validation(block: BasicAuth | Authorization | TLSConfig, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        block.validate()


def test_defaults_match_alloy() -> None:
    ep = Endpoint(url="http://h")
    assert ep.remote_timeout == timedelta(seconds=10)
    assert ep.min_backoff_period == timedelta(milliseconds=500)
    assert ep.max_backoff_period == timedelta(minutes=5)
    assert ep.max_backoff_retries == 10
    assert ep.retry_on_http_429 is True
    assert ep.follow_redirects is True
    assert ep.enable_http2 is True


@pytest.mark.parametrize(
    ("no_proxy", "host", "port", "bypass"),
    [
        ("*", "anything", 80, True),
        ("example.com", "example.com", 80, True),
        ("example.com", "a.example.com", 80, True),
        (".example.com", "example.com", 80, False),
        (".example.com", "a.example.com", 80, True),
        ("*.example.com", "a.example.com", 80, True),
        ("example.com:8080", "example.com", 80, False),
        ("example.com:8080", "example.com", 8080, True),
        ("10.0.0.0/8", "10.1.2.3", 80, True),
        ("10.0.0.0/8", "11.1.2.3", 80, False),
        ("::1", "::1", 80, True),
        ("other.com, 192.168.0.1", "192.168.0.1", 80, True),
        ("", "example.com", 80, False),
    ],
)
def test_no_proxy_matching(no_proxy: str, host: str, port: int, bypass: bool) -> None:
    selector = ProxySelector("http://proxy:3128", no_proxy, False)
    assert (selector.select("http", host, port) is None) == bypass


@pytest.mark.parametrize(
    "config",
    [
        'pyroscope.write "w" {\n  endpoint {\n    url = "http://h"\n    proxy_url = %s\n  }\n}\n',
        'pyroscope.scrape "s" {\n  targets = []\n  forward_to = []\n  proxy_url = %s\n}\n',
    ],
    ids=["write", "scrape"],
)
def test_proxy_url_is_alloys_config_url_refused_in_go_words_at_the_literal(config: str) -> None:
    bad = alloylite.validate(config % '"http://proxy:port"')
    go_error = 'parse "http://proxy:port": invalid port ":port" after host'
    assert [d.message for d in bad] == [go_error]
    # at the literal: line 4 of both configs
    assert (bad[0].start.line, bad[0].start.col) == (4, config.splitlines()[3].index("%s") + 1)
    assert alloylite.validate(config % '"http://proxy:3128"') == []


@pytest.mark.parametrize(
    "config",
    [
        'pyroscope.write "w" {\n  endpoint {\n    url = "http://h"\n    proxy_url = %s\n  }\n}\n',
        'pyroscope.scrape "s" {\n  targets = []\n  forward_to = []\n  proxy_url = %s\n}\n',
    ],
    ids=["write", "scrape"],
)
def test_a_socks_proxy_is_valid_alloy_that_alloylite_refuses_only_at_run(config: str) -> None:
    """Go's client takes a SOCKS5 proxy, so validate accepts it; alloylite's clients speak
    to HTTP(S) proxies only and say so when the component is built."""
    from alloylite.components.pyroscope.write.arguments import check_proxy_scheme

    assert alloylite.validate(config % '"socks5://127.0.0.1:1080"') == []
    with pytest.raises(ValueError, match='supports http and https proxies, not "socks5"'):
        check_proxy_scheme("socks5://127.0.0.1:1080")
    check_proxy_scheme("https://proxy:3128")
