"""Which proxy, if any, a pyroscope.write request goes through.

The rules follow Go's `net/http` as Alloy's client uses it: an explicit
`proxy_url` with an optional `no_proxy` list, or `proxy_from_environment`
(HTTP_PROXY / HTTPS_PROXY / NO_PROXY, read once; requests to loopback hosts
never go through an environment proxy).
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class _Rule:
    host: str  # lower-case name without a leading dot, or "" for an IP/CIDR rule
    suffix_only: bool  # ".example.com": subdomains only
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None
    port: int | None


def parse_no_proxy(text: str) -> tuple[bool, list[_Rule]]:
    """(match everything, rules) from a NO_PROXY-style comma-separated list."""
    rules: list[_Rule] = []
    for raw in text.split(","):
        item = raw.strip().lower()
        if not item:
            continue
        if item == "*":
            return True, []
        try:
            rules.append(_Rule("", False, ipaddress.ip_network(item, strict=False), None))
            continue
        except ValueError:
            pass
        port: int | None = None
        host = item
        if host.count(":") == 1:
            host, _, port_text = host.partition(":")
            port = int(port_text) if port_text.isdigit() else None
        host = host.strip("[]")
        try:
            rules.append(_Rule("", False, ipaddress.ip_network(host, strict=False), port))
            continue
        except ValueError:
            pass
        suffix_only = host.startswith(".")
        rules.append(_Rule(host.lstrip(".").removeprefix("*."), suffix_only, None, port))
    return False, rules


def _matches(rules: list[_Rule], host: str, port: int) -> bool:
    host = host.lower()
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    for rule in rules:
        if rule.port is not None and rule.port != port:
            continue
        if rule.network is not None:
            if ip is not None and ip in rule.network:
                return True
            continue
        if host == rule.host and not rule.suffix_only:
            return True
        if host.endswith("." + rule.host):
            return True
    return False


class ProxySelector:
    """Maps a target (scheme, host, port) to a proxy URL or None."""

    def __init__(self, proxy_url: str, no_proxy: str, from_environment: bool) -> None:
        self._http = self._https = proxy_url or None
        self._env = from_environment
        if from_environment:
            env = {k.lower(): v for k, v in os.environ.items() if k.lower().endswith("_proxy")}
            self._http = env.get("http_proxy") or None
            self._https = env.get("https_proxy") or None
            no_proxy = env.get("no_proxy", "")
        self._all, self._rules = parse_no_proxy(no_proxy)

    @property
    def enabled(self) -> bool:
        return bool(self._http or self._https)

    def select(self, scheme: str, host: str, port: int) -> str | None:
        proxy = self._https if scheme == "https" else self._http
        if proxy is None or self._all or _matches(self._rules, host, port):
            return None
        if self._env and _is_loopback(host):
            return None
        return proxy


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
