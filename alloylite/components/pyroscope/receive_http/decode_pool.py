"""Where a push body is inflated and decoded: on the event loop when small, in a
worker thread when large.

Decoding is bounded (push.py counts series, labels and samples), but a large body
still takes long enough to stall the event loop that serves every other SDK and
`/-/ready`; the Connect route (push_route.py) and the gRPC route (grpc_push.py) both
decode through here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

# Bodies up to this size (as received) are decoded on the event loop: a thread hop
# costs more than decoding them. A gzipped body can inflate a thousandfold, so the
# bound for gzip is lower. Above these, decoding runs in _DECODERS.
INLINE_BYTES = 16 * 1024
INLINE_GZIP_BYTES = 1024
# Two threads: decoding holds the GIL, so more would not be faster, and the number of
# large decodes in progress (each bounded by push.MAX_PUSH_ELEMENTS) stays small.
_DECODERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="push-decode")


async def decode_sized(work: Callable[[], T], size: int, gzip: bool) -> T:
    """`work()` for a body of `size` bytes as received (`gzip`: still compressed)."""
    if size <= (INLINE_GZIP_BYTES if gzip else INLINE_BYTES):
        return work()
    return await asyncio.get_running_loop().run_in_executor(_DECODERS, work)
