"""The scrape HTTP client: one `httpx.AsyncClient` per component, configured from the shared
HTTP client block, and a bounded GET.

Alloy turns compression negotiation off (no `Accept-Encoding`, nothing decompressed) and
reads the whole body without a limit; here the body is capped so a target that streams
without end costs bounded memory (docs/compatibility.md).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from alloylite.components.pyroscope.write.arguments import Endpoint, check_proxy_scheme
from alloylite.components.pyroscope.write.client import Auth
from alloylite.components.pyroscope.write.tls import build_ssl_context

MAX_BODY = 64 << 20  # bytes; far above any real pprof, small enough to bound memory


class ScrapeError(Exception):
    """One scrape failed; the text is the target's last error."""


@dataclass(frozen=True, slots=True)
class ScrapeResponse:
    status: int
    reason: str
    content_type: str
    body: bytes


class ScrapeClient:
    def __init__(self, config: Endpoint, user_agent: str, max_body: int = MAX_BODY) -> None:
        # `max_body` is lowered by tests, which cannot stream 64 MiB per run.
        self._max_body = max_body
        self._auth = Auth(config)
        if config.proxy_url:
            check_proxy_scheme(config.proxy_url)
        self._client = httpx.AsyncClient(
            verify=build_ssl_context(config.tls_config),
            http2=config.enable_http2,
            follow_redirects=config.follow_redirects,
            proxy=config.proxy_url or None,
            trust_env=config.proxy_from_environment,
            timeout=None,
        )
        # Go's client sends no Accept/Accept-Encoding; http_headers are added (Header.Add).
        for name in ("Accept", "Accept-Encoding", "Connection"):
            del self._client.headers[name]
        self._client.headers["User-Agent"] = user_agent
        self._extra = [
            (key, value.reveal()) for key, values in config.http_headers.items() for value in values
        ]

    async def get(self, url: str, timeout: float) -> ScrapeResponse:
        """GET `url` within `timeout` seconds; transport errors carry Go's `Get "<url>": ...`."""
        try:
            async with asyncio.timeout(timeout):
                return await self._get(url)
        except TimeoutError:
            raise ScrapeError(f'Get "{url}": context deadline exceeded') from None
        except httpx.HTTPError as err:
            raise ScrapeError(f'Get "{url}": {err or type(err).__name__}') from None

    async def _get(self, url: str) -> ScrapeResponse:
        headers = httpx.Headers(self._extra)
        authorization = await self._authorization()
        if authorization is not None:
            headers["Authorization"] = authorization.decode("latin-1")
        async with self._client.stream("GET", url, headers=headers) as response:
            chunks: list[bytes] = []
            size = 0
            try:
                async for chunk in response.aiter_raw():
                    size += len(chunk)
                    if size > self._max_body:
                        raise ScrapeError(
                            f"failed to read body: body exceeds {self._max_body} bytes"
                        )
                    chunks.append(chunk)
            except httpx.HTTPError as err:
                raise ScrapeError(f"failed to read body: {err or type(err).__name__}") from None
            return ScrapeResponse(
                response.status_code,
                response.reason_phrase,
                response.headers.get("content-type", ""),
                b"".join(chunks),
            )

    async def _authorization(self) -> bytes | None:
        if self._auth.oauth2 is not None:
            return await self._auth.oauth2.header()
        return self._auth.header()

    async def close(self) -> None:
        await self._client.aclose()
        if self._auth.oauth2 is not None:
            await self._auth.oauth2.close()
