"""OAuth 2.0 client credentials for a pyroscope.write endpoint (the `oauth2` block).

As Go's golang.org/x/oauth2/clientcredentials does: the token is fetched from
`token_url` with the client id and secret (HTTP Basic first, then in the form
body if the server refuses that style), cached, and fetched again 10 seconds
before it expires. Neither the secret nor the token ever appears in an error.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from urllib.parse import parse_qs, quote_plus, urlencode

import httpcore

from alloylite.components.pyroscope.write.arguments import OAuth2
from alloylite.components.pyroscope.write.secret_file import FileSecret
from alloylite.components.pyroscope.write.target import target_of
from alloylite.components.pyroscope.write.tls import build_ssl_context

_EXPIRY_DELTA = 10.0
_MAX_BODY = 1 << 20


class OAuth2Error(Exception):
    """The token could not be fetched (the text never holds a credential)."""


class OAuth2Token:
    def __init__(self, cfg: OAuth2) -> None:
        self._cfg = cfg
        self._secret_file = (
            FileSecret(cfg.client_secret_file, "oauth2 client_secret")
            if cfg.client_secret_file
            else None
        )
        self._target = target_of(cfg.token_url)
        needs_tls = self._target.scheme == b"https" or cfg.tls_config is not None
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=build_ssl_context(cfg.tls_config) if needs_tls else None,
            max_connections=4,
            http2=False,
        )
        self._lock = asyncio.Lock()
        self._header: bytes | None = None
        self._expiry = 0.0
        self._params_style = False  # set once Basic auth was refused

    async def header(self) -> bytes:
        if self._header is not None and time.monotonic() < self._expiry:
            return self._header
        async with self._lock:
            if self._header is None or time.monotonic() >= self._expiry:
                await self._fetch()
            assert self._header is not None
            return self._header

    async def close(self) -> None:
        await self._pool.aclose()

    def _secret(self) -> str:
        if self._secret_file is not None:
            return self._secret_file.get()
        return self._cfg.client_secret.reveal() if self._cfg.client_secret is not None else ""

    async def _fetch(self) -> None:
        secret = self._secret()
        form: dict[str, str] = {"grant_type": "client_credentials"}
        if self._cfg.scopes:
            form["scope"] = " ".join(self._cfg.scopes)
        for k, v in self._cfg.endpoint_params.items():
            form.setdefault(k, v)
        status, body, content_type = 0, b"", ""
        for params_style in (False, True) if not self._params_style else (True,):
            status, body, content_type = await self._post(form, secret, params_style)
            if 200 <= status < 300:
                self._params_style = params_style
                break
        if not 200 <= status < 300:
            raise OAuth2Error(f"oauth2: cannot fetch token: token endpoint answered {status}")
        token, token_type, expires_in = _parse_token(body, content_type)
        kind = "Bearer" if token_type.lower() in ("", "bearer") else token_type
        self._header = f"{kind} {token}".encode("latin-1")
        self._expiry = (
            time.monotonic() + expires_in - _EXPIRY_DELTA if expires_in > 0 else float("inf")
        )

    async def _post(
        self, form: dict[str, str], secret: str, params_style: bool
    ) -> tuple[int, bytes, str]:
        headers = [
            (b"Host", self._target.host_header),
            (b"Content-Type", b"application/x-www-form-urlencoded"),
            (b"Accept", b"application/json"),
        ]
        fields = dict(form)
        if params_style:
            fields["client_id"] = self._cfg.client_id
            if secret:
                fields["client_secret"] = secret
        else:
            user = quote_plus(self._cfg.client_id) + ":" + quote_plus(secret)
            headers.append((b"Authorization", b"Basic " + base64.b64encode(user.encode())))
        body = urlencode(fields).encode()
        headers.append((b"Content-Length", str(len(body)).encode()))
        url = httpcore.URL(
            scheme=self._target.scheme,
            host=self._target.host,
            port=self._target.port,
            target=self._target.path,
        )
        try:
            async with self._pool.stream(b"POST", url, headers=headers, content=body) as resp:
                chunks = []
                size = 0
                async for chunk in resp.aiter_stream():
                    size += len(chunk)
                    if size > _MAX_BODY:
                        break
                    chunks.append(chunk)
                ctype = next(
                    (v.decode("latin-1") for k, v in resp.headers if k.lower() == b"content-type"),
                    "",
                )
                return resp.status, b"".join(chunks), ctype
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.TimeoutException, OSError):
            raise OAuth2Error("oauth2: cannot fetch token: token endpoint unreachable") from None


def _parse_token(body: bytes, content_type: str) -> tuple[str, str, float]:
    try:
        if "application/x-www-form-urlencoded" in content_type or "text/plain" in content_type:
            values = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        else:
            values = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise OAuth2Error("oauth2: cannot fetch token: malformed token response") from None
    if not isinstance(values, dict):
        raise OAuth2Error("oauth2: cannot fetch token: malformed token response")
    token = values.get("access_token")
    if not isinstance(token, str) or not token:
        raise OAuth2Error("oauth2: server response missing access_token")
    token_type = values.get("token_type")
    expires = values.get("expires_in", 0)
    try:
        expires_in = float(expires or 0)
    except (TypeError, ValueError):
        expires_in = 0.0
    return token, token_type if isinstance(token_type, str) else "", expires_in
