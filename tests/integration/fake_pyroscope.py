"""A fake Pyroscope server for tests: a real HTTP server on 127.0.0.1 that decodes
what arrives and records it, with scriptable failures.

It answers both APIs a Pyroscope server has:
- `POST /push.v1.PusherService/Push` (Connect unary, proto or JSON, gzip or not):
  the PushRequest is decoded into series;
- `POST /ingest` (and `/<prefix>/ingest`): the body is kept byte for byte, and
  also decoded for assertions: gzip'd or raw pprof, multipart parts (Go SDK
  `profile`/`sample_type_config`, Java `jfr`/`labels`).

Failures are scripted per request: a list of `Reply`s is consumed in order
(then the default applies), e.g. `fake.script(Reply(503), Reply(503))` makes
the first two requests fail. A reply can also hang (never answer until the
server stops) or reset the connection mid-response.

It runs in a thread (stdlib ThreadingHTTPServer) so that it works the same for
tests that drive `alloylite run` in a subprocess and for asyncio tests.
"""

from __future__ import annotations

import email.parser
import email.policy
import gzip
import json
import socket
import struct
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from alloylite.components.pyroscope.push import (
    Series,
    decode_push_request,
    decode_push_request_json,
)

PUSH_PATH = "/push.v1.PusherService/Push"


# ------------------------------------------------------------------ decoding


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def proto_fields(buf: bytes) -> Iterator[tuple[int, int, Any]]:
    """(field number, wire type, value) of a protobuf message, for test decoding."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value = buf[pos : pos + 8]
            pos += 8
        elif wire == 2:
            length, pos = _varint(buf, pos)
            value = buf[pos : pos + length]
            pos += length
        elif wire == 5:
            value = buf[pos : pos + 4]
            pos += 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, wire, value


@dataclass
class Pprof:
    """The parts of a pprof `Profile` the tests look at."""

    sample_types: list[tuple[str, str]]  # (type, unit)
    samples: int
    strings: list[str]
    period: int
    time_nanos: int
    duration_nanos: int
    sample_labels: set[tuple[str, str]]

    @property
    def type_names(self) -> list[str]:
        return [t for t, _ in self.sample_types]


def _packed_or_single(wire: int, value: Any) -> list[int]:
    if wire == 0:
        return [value]
    out, pos = [], 0
    while pos < len(value):
        v, pos = _varint(value, pos)
        out.append(v)
    return out


def decode_pprof(data: bytes) -> Pprof:
    """Decode a pprof profile, gzip'd or not (Pyroscope sniffs the magic bytes)."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    raw_types: list[tuple[int, int]] = []
    strings: list[str] = []
    raw_labels: list[tuple[int, int]] = []
    samples = period = time_nanos = duration = 0
    for number, wire, value in proto_fields(data):
        if number == 1:  # ValueType sample_type
            vt = {n: v for n, _, v in proto_fields(value)}
            raw_types.append((vt.get(1, 0), vt.get(2, 0)))
        elif number == 2:  # Sample
            samples += 1
            for n, _, v in proto_fields(value):
                if n == 3:  # Label
                    lab = {ln: lv for ln, _, lv in proto_fields(v)}
                    if 2 in lab:
                        raw_labels.append((lab.get(1, 0), lab[2]))
        elif number == 6:
            strings.append(value.decode("utf-8", "replace"))
        elif number == 9:
            time_nanos = value
        elif number == 10:
            duration = value
        elif number == 12:
            period = _packed_or_single(wire, value)[0]
    return Pprof(
        sample_types=[(strings[t], strings[u]) for t, u in raw_types],
        samples=samples,
        strings=strings,
        period=period,
        time_nanos=time_nanos,
        duration_nanos=duration,
        sample_labels={(strings[k], strings[v]) for k, v in raw_labels},
    )


@dataclass
class Part:
    """One multipart form part."""

    name: str
    filename: str | None
    content_type: str
    data: bytes


def decode_multipart(content_type: str, body: bytes) -> list[Part]:
    """Split a multipart/form-data body the way Pyroscope's form reader sees it."""
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not msg.is_multipart():
        raise ValueError("not a multipart body")
    parts = []
    for part in msg.iter_parts():
        parts.append(
            Part(
                name=part.get_param("name", header="content-disposition") or "",
                filename=part.get_filename(),
                content_type=part.get_content_type(),
                data=part.get_payload(decode=True) or b"",
            )
        )
    return parts


# ----------------------------------------------------------------- recording


@dataclass
class Request:
    """One request as the fake received it."""

    method: str
    path: str
    raw_query: str
    headers: list[tuple[str, str]]
    body: bytes  # exactly the bytes on the wire (after de-chunking)
    series: list[Series] | None = None  # push requests, decoded

    @property
    def query(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.raw_query, keep_blank_values=True))

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def header_values(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    @property
    def is_push(self) -> bool:
        return self.path == PUSH_PATH

    def labels(self, index: int = 0) -> dict[str, str]:
        assert self.series is not None, "not a push request"
        return dict(self.series[index].labels)

    def pprof(self) -> Pprof:
        return decode_pprof(self.body)

    def parts(self) -> list[Part]:
        return decode_multipart(self.header("content-type") or "", self.body)


@dataclass
class Reply:
    """A scripted answer. `hang` never answers; `reset` drops the connection
    after sending half of the status line."""

    status: int = 200
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    connect_code: str | None = None  # push: send a Connect error body with this code
    hang: bool = False
    reset: bool = False
    hold: bool = False  # wait for FakePyroscope.release() before answering


class FakePyroscope:
    """Start with `with FakePyroscope() as fake:`; `fake.url` is the base URL."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._script: list[Reply] = []
        self.default = Reply()
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._released = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802
                self._reply(Reply(405, b""))

            def do_POST(self) -> None:  # noqa: N802
                body = self._read_body()
                parsed = urllib.parse.urlsplit(self.path)
                req = Request(
                    method="POST",
                    path=parsed.path,
                    raw_query=parsed.query,
                    headers=list(self.headers.items()),
                    body=body,
                )
                if req.is_push:
                    req.series = fake._decode_push(req)
                with fake._cond:
                    fake.requests.append(req)
                    reply = fake._script.pop(0) if fake._script else fake.default
                    fake._cond.notify_all()
                if reply.hold:
                    fake._released.wait()
                if reply.hang:
                    fake._stopping.wait()
                    self.close_connection = True
                    return
                if reply.reset:
                    self.wfile.write(b"HTTP/1.1 2")
                    self.wfile.flush()
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.close_connection = True
                    return
                self._reply(reply, push=req.is_push)

            def _read_body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    out = bytearray()
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        if size == 0:
                            self.rfile.readline()
                            return bytes(out)
                        out += self.rfile.read(size)
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length", "0")))

            def _reply(self, reply: Reply, push: bool = False) -> None:
                body = reply.body
                headers = dict(reply.headers)
                if body is None:
                    if push and reply.connect_code is not None:
                        body = json.dumps(
                            {"code": reply.connect_code, "message": "scripted failure"}
                        ).encode()
                        headers.setdefault("Content-Type", "application/json")
                    elif push and reply.status == 200:
                        body = b""
                        headers.setdefault("Content-Type", "application/proto")
                    else:
                        body = b"" if reply.status == 200 else b"scripted failure"
                self.send_response(reply.status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @staticmethod
    def _decode_push(req: Request) -> list[Series]:
        data = req.body
        if (req.header("content-encoding") or "").lower() == "gzip":
            data = gzip.decompress(data)
        if (req.header("content-type") or "").startswith("application/json"):
            return decode_push_request_json(data)
        return decode_push_request(data)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, *replies: Reply) -> None:
        with self._cond:
            self._script.extend(replies)

    def wait_for(self, count: int, timeout: float = 60.0) -> list[Request]:
        """Block until `count` requests have arrived; raises if they never do."""
        with self._cond:
            ok = self._cond.wait_for(lambda: len(self.requests) >= count, timeout)
            if not ok:
                raise AssertionError(
                    f"expected {count} requests at the fake Pyroscope, got {len(self.requests)}"
                )
            return list(self.requests)

    def release(self) -> None:
        """Let every `hold` reply (past and future) answer."""
        self._released.set()

    def start(self) -> FakePyroscope:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> FakePyroscope:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
