"""Malformed requests never hurt receive_http: each gets its documented status and
the next good request on a fresh connection is served and forwarded.

Statuses (docs/reliability.md): lenient `name` parsing forwards with empty
labels (Alloy); broken HTTP framing 400 (uvicorn); head over 1 MiB 431; body
over `max_request_body_size` 413 on /ingest, Connect resource_exhausted (429)
on push; a stalled body 408 / deadline_exceeded; bad Connect headers,
compression, protobuf or JSON invalid_argument (400); unknown compression
unimplemented (501); other content types 415.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from alloylite.components.pyroscope.appendable import RawSample
from alloylite.components.pyroscope.push import Series, encode_push_request
from tests.components.pyroscope.receive_http_support import make_args, run, running
from tests.components.pyroscope.recorder import Recorder

PUSH = "/push.v1.PusherService/Push"
GOOD_SERIES = encode_push_request([Series([("__name__", "a")], [RawSample("1", b"pprof")])])


def http(
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    length: int | None = None,
) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: test\r\n"
    for k, v in (headers or {}).items():
        head += f"{k}: {v}\r\n"
    head += f"Content-Length: {len(body) if length is None else length}\r\n\r\n"
    return head.encode("latin-1") + body


def push(body: bytes, ctype: str = "application/proto", **headers: str) -> bytes:
    hdrs = {"Content-Type": ctype}
    hdrs.update({k.replace("_", "-"): v for k, v in headers.items()})
    return http("POST", PUSH, body, hdrs)


def json_push(doc: Any) -> bytes:
    return push(json.dumps(doc).encode(), "application/json")


@dataclass
class Case:
    id: str
    data: bytes
    status: int | None  # None: the server closes the connection without an answer
    forwarded: int = 0  # Appendable calls expected for this request
    connect_code: str | None = None
    shut_write: bool = False
    args: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, str] | None = None


def _oversize_gzip() -> bytes:
    return gzip.compress(b"\0" * (4 * 1024 * 1024))


CASES = [
    # --- /ingest: the name is parsed leniently, the profile still goes through
    Case("name-bad-key", http("POST", "/ingest?name=app%7Ba-b%3D1%7D", b"x"), 200, 1, labels={}),
    Case(
        "name-unclosed",
        http("POST", "/ingest?name=app%7Ba%3D1", b"x"),
        200,
        1,
        labels={"__name__": "app", "service_name": "app"},
    ),
    Case("name-empty", http("POST", "/ingest?name=", b"x"), 200, 1, labels={}),
    Case("name-space", http("POST", "/ingest?name=my%20app", b"x"), 200, 1, labels={}),
    Case("name-not-utf8", http("POST", "/ingest?name=%FF%FE", b"x"), 200, 1, labels={}),
    Case("name-only-braces", http("POST", "/ingest?name=%7B%7D", b"x"), 200, 1, labels={}),
    Case("name-bad-escape", http("POST", "/ingest?name=%ZZ", b"x"), 200, 1, labels={}),
    Case(
        "name-junk-after-brace",
        http("POST", "/ingest?name=a%7Bk%3Dv%7D%7B%7B%7B", b"x"),
        200,
        1,
        labels={"__name__": "a", "k": "v", "service_name": "a"},
    ),
    Case("ingest-empty-body", http("POST", "/ingest?name=app"), 200, 1),
    # --- HTTP framing
    Case("garbage-request-line", b"GARBAGE\r\n\r\n", 400),
    Case(
        "bad-content-length",
        b"POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        400,
    ),
    Case(
        "bad-chunked-encoding",
        b"POST /ingest HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
        400,
    ),
    Case("oversize-header", http("POST", "/ingest?name=a", b"x", {"X-Big": "a" * (2 << 20)}), 431),
    Case(
        "body-shorter-than-declared",
        http("POST", "/ingest?name=a", b"abc", length=100),
        None,
        shut_write=True,
    ),
    Case(
        "stalled-body",
        http("POST", "/ingest?name=a", b"abc", length=100),
        408,
        args={"http_server_read_timeout": timedelta(seconds=0.3)},
    ),
    Case(
        "body-over-limit-declared",
        http("POST", "/ingest?name=a", b"", length=10 << 20),
        413,
        args={"max_request_body_size": 1024},
    ),
    Case(
        "body-over-limit-sent",
        http("POST", "/ingest?name=a", b"z" * 5000),
        413,
        args={"max_request_body_size": 1024},
    ),
    Case("ingest-get", http("GET", "/ingest?name=a"), 405),
    Case("ingest-trailing-slash", http("POST", "/ingest/?name=a", b"x"), 404),
    Case("unknown-path", http("POST", "/api/v1/push", b"x"), 404),
    # --- Connect push: headers
    Case("push-text-plain", push(GOOD_SERIES, "text/plain"), 415),
    Case("push-no-content-type", http("POST", PUSH, GOOD_SERIES), 415),
    Case("push-grpc-web-text", push(GOOD_SERIES, "application/grpc-web-text"), 415),
    Case(
        "push-bad-protocol-version",
        push(GOOD_SERIES, Connect_Protocol_Version="2"),
        400,
        connect_code="invalid_argument",
    ),
    Case(
        "push-unknown-compression",
        push(GOOD_SERIES, Content_Encoding="br"),
        501,
        connect_code="unimplemented",
    ),
    Case(
        "push-bad-timeout",
        push(GOOD_SERIES, Connect_Timeout_Ms="soon"),
        400,
        connect_code="invalid_argument",
    ),
    Case(
        "push-timeout-too-long",
        push(GOOD_SERIES, Connect_Timeout_Ms="12345678901"),
        400,
        connect_code="invalid_argument",
    ),
    Case("push-get", http("GET", PUSH), 405),
    Case(
        "push-unknown-procedure",
        http("POST", "/push.v1.PusherService/Nope", b"", {"Content-Type": "application/proto"}),
        404,
    ),
    # --- Connect push: bodies
    Case(
        "push-bad-gzip",
        push(b"\x1f\x8b\x08\x00garbage", Content_Encoding="gzip"),
        400,
        connect_code="invalid_argument",
    ),
    Case(
        "push-truncated-gzip",
        push(gzip.compress(GOOD_SERIES)[:-6], Content_Encoding="gzip"),
        400,
        connect_code="invalid_argument",
    ),
    Case(
        "push-gzip-bomb",
        push(_oversize_gzip(), Content_Encoding="gzip"),
        429,
        connect_code="resource_exhausted",
        args={"max_request_body_size": 1 << 20},
    ),
    Case(
        "push-body-over-limit",
        push(b"\n" * 5000),
        429,
        connect_code="resource_exhausted",
        args={"max_request_body_size": 1024},
    ),
    Case("push-truncated-proto", push(GOOD_SERIES[:-3]), 400, connect_code="invalid_argument"),
    Case("push-bad-wire-type", push(b"\x0b\x0c"), 400, connect_code="invalid_argument"),
    Case(
        "push-wrong-wire-type-for-series", push(b"\x08\x01"), 400, connect_code="invalid_argument"
    ),
    Case(
        "push-non-utf8-label",
        push(b"\x0a\x0c\x0a\x0a\x0a\x01a\x12\x05\xff\xfe\xfd\xfc\xfb"),
        400,
        connect_code="invalid_argument",
    ),
    Case(
        "push-json-not-json",
        push(b"{series:", "application/json"),
        400,
        connect_code="invalid_argument",
    ),
    Case(
        "push-json-bad-base64",
        json_push(
            {
                "series": [
                    {
                        "labels": [{"name": "a", "value": "b"}],
                        "samples": [{"rawProfile": "!!!not base64!!!"}],
                    }
                ]
            }
        ),
        400,
        connect_code="invalid_argument",
    ),
    Case(
        "push-json-wrong-types", json_push({"series": "nope"}), 400, connect_code="invalid_argument"
    ),
    Case(
        "push-json-not-utf8",
        push(b'{"series":[{"labels":[{"name":"\xff"}]}]}', "application/json"),
        400,
        connect_code="invalid_argument",
    ),
    Case("push-empty", push(b""), 200),
    Case(
        "push-series-without-samples",
        push(encode_push_request([Series([("__name__", "a")], [])])),
        200,
    ),
    Case(
        "push-json-good",
        json_push(
            {
                "series": [
                    {
                        "labels": [{"name": "__name__", "value": "a"}],
                        "samples": [{"rawProfile": base64.b64encode(b"p").decode(), "ID": "x"}],
                    }
                ]
            }
        ),
        200,
        1,
    ),
]


async def exchange(port: int, data: bytes, shut_write: bool) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        if shut_write:
            writer.write_eof()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        length = 0
        for line in head.split(b"\r\n")[1:]:
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        body = await asyncio.wait_for(reader.readexactly(length), 30) if length else b""
        return head + body
    except (asyncio.IncompleteReadError, ConnectionError):
        return b""
    finally:
        writer.close()


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("loop", ["uvloop", "asyncio"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_request(case: Case, loop: str) -> None:
    async def main() -> None:
        rec = Recorder()
        async with running(make_args([rec], **case.args)) as c:
            answer = await exchange(c.port, case.data, case.shut_write)
            if case.status is None:
                assert answer == b""
            else:
                status = int(answer.split(b" ", 2)[1])
                assert status == case.status, answer[:300]
                if case.connect_code is not None:
                    body = answer.split(b"\r\n\r\n", 1)[1]
                    assert json.loads(body)["code"] == case.connect_code
                    assert b"application/json" in answer.split(b"\r\n\r\n", 1)[0]
            assert len(rec.ingests) + len(rec.pushes) == case.forwarded
            if case.labels is not None:
                assert dict(rec.ingests[0][0].labels) == case.labels
            # The agent is unharmed: the next good request works.
            good = await exchange(c.port, http("POST", "/ingest?name=ok", b"good"), False)
            assert good.startswith(b"HTTP/1.1 200 ")
            assert rec.ingests[-1][0].raw_body == b"good"

    run(main(), loop)
