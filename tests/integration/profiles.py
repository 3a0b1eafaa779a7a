"""Build the request bodies the SDKs that cannot run here send (Go, Java, old Python).

Shapes from spec pyroscope-protocol.md §4 and §6: a real pprof encoded by hand,
Go's multipart (`profile` + `sample_type_config`), Java's JFR multipart
(`jfr` + `labels`, both gzip'd).
"""

from __future__ import annotations

import gzip
import json
import os


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _ld(field: int, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _vi(field: int, value: int) -> bytes:
    return _varint(field << 3) + _varint(value)


def make_pprof(
    sample_types: list[tuple[str, str]],
    stacks: list[tuple[list[str], list[int]]],
    period: tuple[str, str, int] = ("cpu", "nanoseconds", 10_000_000),
    time_nanos: int = 1_795_606_102_000_000_000,
    labels: dict[str, str] | None = None,
) -> bytes:
    """An uncompressed pprof `Profile`: each stack is (function names leaf-first, values)."""
    strings = [""]

    def s(text: str) -> int:
        if text not in strings:
            strings.append(text)
        return strings.index(text)

    out = b""
    for kind, unit in sample_types:
        out += _ld(1, _vi(1, s(kind)) + _vi(2, s(unit)))
    functions: dict[str, int] = {}
    for frames, values in stacks:
        location_ids = []
        for name in frames:
            if name not in functions:
                functions[name] = len(functions) + 1
            location_ids.append(functions[name])
        sample = _ld(1, b"".join(_varint(i) for i in location_ids))
        sample += _ld(2, b"".join(_varint(v) for v in values))
        for k, v in (labels or {}).items():
            sample += _ld(3, _vi(1, s(k)) + _vi(2, s(v)))
        out += _ld(2, sample)
    for name, fid in functions.items():
        out += _ld(4, _vi(1, fid) + _ld(4, _vi(1, fid) + _vi(2, 1)))  # Location with one Line
        out += _ld(5, _vi(1, fid) + _vi(2, s(name)) + _vi(4, s("main.go")))
    # Every string must be interned before the table is written.
    tail = _vi(9, time_nanos) + _vi(10, 10_000_000_000)
    tail += _ld(11, _vi(1, s(period[0])) + _vi(2, s(period[1]))) + _vi(12, period[2])
    for text in strings:
        out += _ld(6, text.encode())
    return out + tail


def cpu_pprof(labels: dict[str, str] | None = None) -> bytes:
    return make_pprof(
        [("samples", "count"), ("cpu", "nanoseconds")],
        [
            (["main.fib", "main.main"], [3, 30_000_000]),
            (["main.work", "main.main"], [1, 10_000_000]),
        ],
        labels=labels,
    )


def go_multipart(profile_gz: bytes, sample_type_config: dict | None) -> tuple[str, bytes]:
    """Go's mime/multipart layout: a 60-hex boundary, file parts with
    application/octet-stream (pyroscope-go upstream/remote)."""
    boundary = os.urandom(30).hex()
    parts = [("profile", "profile.pprof", profile_gz)]
    if sample_type_config is not None:
        parts.append(
            (
                "sample_type_config",
                "sample_type_config.json",
                json.dumps(sample_type_config).encode(),
            )
        )
    body = b""
    for name, filename, data in parts:
        body += (
            (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body


def java_jfr_multipart() -> tuple[str, bytes, bytes, bytes]:
    """pyroscope-java's JFR upload (OkHttp multipart): `jfr` and `labels`, both gzip'd.

    Returns (content type, body, jfr bytes, labels bytes) with the parts' raw bytes.
    """
    boundary = "f1b7e4c5-6a1d-4cd2-9a3e-2b3e2f0e9a11"
    # "FLR\0" is the JFR chunk magic; the rest is opaque to Alloy and alloylite.
    jfr = gzip.compress(b"FLR\x00\x00\x02\x00\x01" + os.urandom(4000), compresslevel=1)
    # LabelsSnapshot{contexts={1: Context{labels={1: 2}}}, strings={1: "handler", 2: "a"}}
    context = _ld(1, _vi(1, 1) + _vi(2, 2))
    snapshot = _ld(1, _vi(1, 1) + _ld(2, context))
    snapshot += _ld(2, _vi(1, 1) + _ld(2, b"handler")) + _ld(2, _vi(1, 2) + _ld(2, b"a"))
    labels = gzip.compress(snapshot)
    body = b""
    for name, ctype, data in (("jfr", None, jfr), ("labels", "application/x-protobuf", labels)):
        body += f"--{boundary}\r\n".encode()
        body += f'Content-Disposition: form-data; name="{name}"; filename="{name}"\r\n'.encode()
        if ctype:
            body += f"Content-Type: {ctype}\r\n".encode()
        body += f"Content-Length: {len(data)}\r\n\r\n".encode() + data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body, jfr, labels
