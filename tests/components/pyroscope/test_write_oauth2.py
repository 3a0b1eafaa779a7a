"""pyroscope.write's `oauth2` block: client credentials against a token server on 127.0.0.1."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

import pytest

from alloylite.components.pyroscope.appendable import RawSample
from alloylite.components.pyroscope.write.arguments import OAuth2
from alloylite.components.pyroscope.write.component import WriteError
from alloylite.eval.values import Secret

from .write_support import Backend, Reply, endpoint, make_write, run

LABELS = (("service_name", "svc"),)
SAMPLE = RawSample("id", b"profile")
TOKEN = Reply(
    200,
    [("Content-Type", "application/json")],
    json.dumps({"access_token": "tk-1", "token_type": "bearer", "expires_in": 3600}).encode(),
)


def test_token_is_fetched_once_and_sent_as_bearer() -> None:
    async def main() -> None:
        async with Backend([TOKEN]) as tokens, Backend() as b:
            cfg = OAuth2(
                client_id="cid",
                client_secret=Secret("csecret"),
                scopes=["a", "b"],
                token_url=tokens.url + "/token",
                endpoint_params={"audience": "pyro"},
            )
            h = make_write([endpoint(b.url, oauth2=cfg)])
            await h.receiver.append(LABELS, [SAMPLE])
            await h.receiver.append(LABELS, [SAMPLE])
            assert [r.header("Authorization") for r in b.requests] == ["Bearer tk-1"] * 2
            (req,) = tokens.requests
            assert req.target == "/token"
            form = parse_qs(req.body.decode())
            assert form == {
                "grant_type": ["client_credentials"],
                "scope": ["a b"],
                "audience": ["pyro"],
            }
            assert (
                req.header("Authorization") == "Basic " + base64.b64encode(b"cid:csecret").decode()
            )

    run(main)


def test_falls_back_to_credentials_in_the_form() -> None:
    async def main() -> None:
        async with Backend([Reply(401), TOKEN]) as tokens, Backend() as b:
            cfg = OAuth2(client_id="cid", client_secret=Secret("cs"), token_url=tokens.url)
            h = make_write([endpoint(b.url, oauth2=cfg)])
            await h.receiver.append(LABELS, [SAMPLE])
            form = parse_qs(tokens.requests[1].body.decode())
            assert form["client_id"] == ["cid"] and form["client_secret"] == ["cs"]
            assert tokens.requests[1].header("Authorization") is None
            assert b.requests[0].header("Authorization") == "Bearer tk-1"

    run(main)


def test_token_failure_fails_the_write_without_leaking_the_secret() -> None:
    async def main() -> None:
        async with Backend([Reply(500, body=b"down")]) as tokens, Backend() as b:
            cfg = OAuth2(client_id="cid", client_secret=Secret("very-secret"), token_url=tokens.url)
            h = make_write([endpoint(b.url, oauth2=cfg, max_backoff_retries=2)])
            with pytest.raises(WriteError) as err:
                await h.receiver.append(LABELS, [SAMPLE])
            assert "cannot fetch token" in str(err.value)
            assert "very-secret" not in str(err.value)
            assert b.requests == []

    run(main)


@pytest.mark.parametrize(
    ("cfg", "message"),
    [
        (
            OAuth2(client_secret=Secret("a"), client_secret_file="/f", token_url="http://t"),
            "client_secret & client_secret_file",
        ),
        (OAuth2(), "token_url must be configured"),
    ],
)
def test_oauth2_validation(cfg: OAuth2, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cfg.validate()
