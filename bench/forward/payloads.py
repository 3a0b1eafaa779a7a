"""Realistic, deterministic request bodies for the forwarding benchmark.

The bodies are real pprof profiles (`perftools.profiles.Profile`) encoded by hand, so that
size and shape are like what SDKs upload: a Go CPU profile (one sample type, Go-style
function names, many locations), a Node-style heap profile (four sample types), and a big
profile whose symbols and stacks do not compress well (1 MB after gzip). Every random
choice comes from `random.Random(seed)`, so the same command produces the same bytes.

Then they are wrapped the three ways Pyroscope SDKs send them (spec pyroscope-protocol.md):
raw gzip'd pprof on `/ingest?format=pprof` (Node), Go-style multipart on `/ingest`
(pyroscope-go), and a gzip'd `PushRequest` with an uncompressed pprof inside on the push
API (pyroscope-rs / pyroscope-io >= 1.0.1).
"""

from __future__ import annotations

import gzip
import random
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote

# --- protobuf wire encoding (only what pprof and PushRequest need) ----------------


def varint(n: int) -> bytes:
    if n < 0:
        n += 1 << 64  # int64 two's complement, as protobuf does
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def key(field_no: int, wire_type: int) -> bytes:
    return varint(field_no << 3 | wire_type)


def field_varint(field_no: int, value: int) -> bytes:
    return key(field_no, 0) + varint(value) if value else b""


def field_bytes(field_no: int, payload: bytes) -> bytes:
    return key(field_no, 2) + varint(len(payload)) + payload


def field_packed(field_no: int, values: list[int]) -> bytes:
    if not values:
        return b""
    return field_bytes(field_no, b"".join(varint(v) for v in values))


# --- pprof ----------------------------------------------------------------------


class StringTable:
    """pprof's string table: index 0 is always the empty string."""

    def __init__(self) -> None:
        self.strings: list[str] = [""]
        self.index: dict[str, int] = {"": 0}

    def __call__(self, s: str) -> int:
        if s not in self.index:
            self.index[s] = len(self.strings)
            self.strings.append(s)
        return self.index[s]


@dataclass(frozen=True)
class ProfileShape:
    """What one profile looks like; `scale` multiplies the counts (used to hit a size)."""

    sample_types: tuple[tuple[str, str], ...]
    period_type: tuple[str, str]
    period: int
    functions: int
    locations: int
    samples: int
    depth: tuple[int, int]
    symbol_entropy: bool = False  # unique hex suffixes make symbols incompressible
    labels: tuple[tuple[str, str], ...] = field(default=())


GO_CPU = ProfileShape(
    sample_types=(("samples", "count"), ("cpu", "nanoseconds")),
    period_type=("cpu", "nanoseconds"),
    period=10_000_000,
    functions=220,
    locations=440,
    samples=201,
    depth=(6, 28),
)
NODE_HEAP = ProfileShape(
    sample_types=(
        ("alloc_objects", "count"),
        ("alloc_space", "bytes"),
        ("inuse_objects", "count"),
        ("inuse_space", "bytes"),
    ),
    period_type=("space", "bytes"),
    period=524_288,
    functions=24,
    locations=30,
    samples=14,
    depth=(3, 10),
    labels=(("handler", "a"),),
)
BIG = ProfileShape(
    sample_types=(("samples", "count"), ("cpu", "nanoseconds")),
    period_type=("cpu", "nanoseconds"),
    period=10_000_000,
    functions=12_000,
    locations=24_000,
    samples=9_000,
    depth=(10, 60),
    symbol_entropy=True,
    labels=(("thread_name", "worker"),),
)

_PKGS = (
    "net/http",
    "encoding/json",
    "runtime",
    "database/sql",
    "compress/gzip",
    "sync",
    "github.com/acme/shop/internal/cart",
    "github.com/acme/shop/internal/payments",
    "google.golang.org/grpc",
    "github.com/prometheus/client_golang/prometheus",
)
_TYPES = ("Server", "conn", "Decoder", "Encoder", "Pool", "Mutex", "Handler", "Client", "Tx")
_VERBS = (
    "Serve",
    "readRequest",
    "Decode",
    "Encode",
    "Get",
    "Put",
    "Lock",
    "process",
    "Write",
    "Read",
    "marshal",
    "unmarshal",
    "flush",
    "dial",
    "roundTrip",
    "mallocgc",
    "scanobject",
)

TIME_NANOS = 1_795_606_102_000_000_000  # fixed: the bench must produce the same bytes each run
DURATION_NANOS = 10_000_000_000


def build_pprof(shape: ProfileShape, seed: int, scale: float = 1.0) -> bytes:
    """An uncompressed pprof Profile message."""
    rng = random.Random(seed)
    st = StringTable()
    n_fn = max(1, int(shape.functions * scale))
    n_loc = max(n_fn, int(shape.locations * scale))
    n_samples = max(1, int(shape.samples * scale))
    out = bytearray()
    ptype, punit = shape.period_type
    period_type = field_varint(1, st(ptype)) + field_varint(2, st(punit))
    for type_name, unit in shape.sample_types:
        out += field_bytes(1, field_varint(1, st(type_name)) + field_varint(2, st(unit)))
    # Strings first (function/file names) so the ids below are stable.
    functions = bytearray()
    for fid in range(1, n_fn + 1):
        pkg = rng.choice(_PKGS)
        name = f"{pkg}.(*{rng.choice(_TYPES)}).{rng.choice(_VERBS)}"
        if shape.symbol_entropy:
            name += f".func{rng.getrandbits(40):010x}"
        else:
            name += f".func{fid}"
        filename = f"/go/src/{pkg}/{rng.choice(_VERBS).lower()}_{fid % 17}.go"
        fn = (
            field_varint(1, fid)
            + field_varint(2, st(name))
            + field_varint(3, st(name))
            + field_varint(4, st(filename))
            + field_varint(5, rng.randint(10, 2000))
        )
        functions += field_bytes(5, fn)
    mapping = (
        field_varint(1, 1)
        + field_varint(2, 0x400000)
        + field_varint(3, 0x1200000)
        + field_varint(5, st("/usr/local/bin/app"))
        + field_varint(7, 1)
        + field_varint(8, 1)
        + field_varint(9, 1)
        + field_varint(10, 1)
    )
    out += field_bytes(3, mapping)
    for lid in range(1, n_loc + 1):
        line = field_varint(1, (lid - 1) % n_fn + 1) + field_varint(2, rng.randint(1, 3000))
        loc = (
            field_varint(1, lid)
            + field_varint(2, 1)
            + field_varint(3, 0x400000 + rng.getrandbits(24))
            + field_bytes(4, line)
        )
        out += field_bytes(4, loc)
    out += functions
    label_bytes = b"".join(
        field_bytes(3, field_varint(1, st(k)) + field_varint(2, st(v))) for k, v in shape.labels
    )
    lo, hi = shape.depth
    for _ in range(n_samples):
        stack = [rng.randint(1, n_loc) for _ in range(rng.randint(lo, hi))]
        values = []
        for type_name, _unit in shape.sample_types:
            count = rng.randint(1, 40)
            values.append(
                count
                if type_name.endswith(("samples", "objects"))
                else count * (shape.period if type_name == "cpu" else rng.randint(16, 4096))
            )
        sample = field_packed(1, stack) + field_packed(2, values) + label_bytes
        out += field_bytes(2, sample)
    # Every string was interned above, so the table can be written now.
    out += b"".join(field_bytes(6, s.encode()) for s in st.strings)
    out += field_varint(9, TIME_NANOS) + field_varint(10, DURATION_NANOS)
    out += field_bytes(11, period_type)
    out += field_varint(12, shape.period)
    return bytes(out)


def gzip_bytes(data: bytes) -> bytes:
    # mtime=0: the same input gives the same bytes.
    return gzip.compress(data, compresslevel=6, mtime=0)


def pprof_near_size(shape: ProfileShape, target_gz: int, seed: int) -> tuple[bytes, bytes]:
    """(raw pprof, gzip'd pprof) with the gzip'd size within ~5% of target_gz."""
    scale = 1.0
    raw = build_pprof(shape, seed, scale)
    gz = gzip_bytes(raw)
    for _ in range(8):
        if abs(len(gz) - target_gz) <= target_gz * 0.05:
            break
        scale *= target_gz / len(gz)
        raw = build_pprof(shape, seed, scale)
        gz = gzip_bytes(raw)
    return raw, gz


# --- request bodies -------------------------------------------------------------


@dataclass(frozen=True)
class Payload:
    """One kind of request: what a load generator sends over and over."""

    name: str
    path: str  # path + query
    headers: tuple[tuple[str, str], ...]
    body: bytes
    profiles: int = 1  # profiles per request


APP_NAME = "bench.app{env=bench,region=us-east}"


def ingest_query(spy: str, extra: dict[str, str] | None = None) -> str:
    params = {"name": APP_NAME, "from": "1795606102", "until": "1795606112", "spyName": spy}
    params.update(extra or {})
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())


def ingest_raw(name: str, gz_pprof: bytes) -> Payload:
    """Node SDK 0.6.4 style: the gzip'd pprof is the whole body."""
    query = ingest_query("nodespy", {"format": "pprof", "sampleRate": "100"})
    return Payload(
        name, f"/ingest?{query}", (("Content-Type", "application/octet-stream"),), gz_pprof
    )


def go_boundary(seed: int) -> str:
    # Go's mime/multipart boundary: 30 random bytes in hex.
    return random.Random(seed).randbytes(30).hex()


def multipart_body(gz_pprof: bytes, boundary: str, sample_type_config: bytes | None) -> bytes:
    """What pyroscope-go's upstream/remote builds with mime/multipart."""
    parts = [(b"profile", b"profile.pprof", gz_pprof)]
    if sample_type_config is not None:
        parts.append((b"sample_type_config", b"sample_type_config.json", sample_type_config))
    out = bytearray()
    b = boundary.encode()
    for name, filename, data in parts:
        out += b"--" + b + b"\r\n"
        out += b'Content-Disposition: form-data; name="' + name + b'"; filename="' + filename
        out += b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + data + b"\r\n"
    out += b"--" + b + b"--\r\n"
    return bytes(out)


def ingest_multipart(name: str, gz_pprof: bytes, seed: int) -> Payload:
    boundary = go_boundary(seed)
    query = ingest_query(
        "gospy",
        {
            "aggregationType": "sum",
            "from": "1795606102000000000",
            "until": "1795606112000000000",
            "sampleRate": "100",
            "units": "samples",
        },
    )
    body = multipart_body(gz_pprof, boundary, None)
    return Payload(
        name,
        f"/ingest?{query}",
        (("Content-Type", f"multipart/form-data; boundary={boundary}"),),
        body,
    )


PUSH_LABELS = (
    ("__name__", "process_cpu"),
    ("env", "bench"),
    ("region", "us-east"),
    ("service_name", "bench.app"),
    ("otel.scope.name", "com.grafana.pyroscope/python"),
    ("otel.scope.version", "1.4.0"),
    ("process.runtime.name", "cpython"),
    ("process.runtime.version", "3.11.7"),
)


def push_request(raw_pprof: bytes, labels: tuple[tuple[str, str], ...], sample_id: str) -> bytes:
    """A PushRequest with one series and one sample (spec pyroscope-protocol.md §2.1)."""
    series = b"".join(
        field_bytes(1, field_bytes(1, k.encode()) + field_bytes(2, v.encode())) for k, v in labels
    )
    series += field_bytes(2, field_bytes(1, raw_pprof) + field_bytes(2, sample_id.encode()))
    return field_bytes(1, series)


def push(name: str, raw_pprof: bytes, seed: int) -> Payload:
    """pyroscope-rs / pyroscope-io >= 1.0.1 style: gzip'd PushRequest, raw pprof inside."""
    sample_id = str(uuid.UUID(int=random.Random(seed).getrandbits(128), version=4))
    body = gzip_bytes(push_request(raw_pprof, PUSH_LABELS, sample_id))
    headers = (("Content-Type", "application/proto"), ("Content-Encoding", "gzip"))
    return Payload(name, "/push.v1.PusherService/Push", headers, body)


def build_payloads(names: list[str] | None = None) -> dict[str, Payload]:
    """Every payload of the benchmark by name (`names` limits the slow 1 MB one)."""
    cpu_raw, cpu_gz = pprof_near_size(GO_CPU, 12 * 1024, seed=12)
    _heap_raw, heap_gz = pprof_near_size(NODE_HEAP, 2 * 1024, seed=2)
    wanted = set(names) if names else None
    out: dict[str, Payload] = {}

    def add(payload: Payload) -> None:
        if wanted is None or payload.name in wanted:
            out[payload.name] = payload

    add(ingest_raw("ingest-2k", heap_gz))
    add(ingest_raw("ingest-12k", cpu_gz))
    add(ingest_multipart("multipart-12k", cpu_gz, seed=60))
    add(push("push-12k", cpu_raw, seed=7))
    if wanted is None or "ingest-1m" in wanted:
        _big_raw, big_gz = pprof_near_size(BIG, 1024 * 1024, seed=1)
        add(ingest_raw("ingest-1m", big_gz))
    return out


def http_request_bytes(payload: Payload, host: str) -> bytes:
    """The full HTTP/1.1 request, for generators that write raw bytes."""
    head = [
        f"POST {payload.path} HTTP/1.1",
        f"Host: {host}",
        f"Content-Length: {len(payload.body)}",
        "User-Agent: alloylite-bench",
    ]
    head += [f"{k}: {v}" for k, v in payload.headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + payload.body
