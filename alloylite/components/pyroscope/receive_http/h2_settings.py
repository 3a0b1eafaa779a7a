"""The `http` > `http2` block as the HTTP/2 server's settings."""

from __future__ import annotations

from alloylite.components.pyroscope.receive_http.arguments import HTTPArguments
from alloylite.components.pyroscope.receive_http.http2 import H2Settings


def h2_settings(args: HTTPArguments) -> H2Settings:
    """The settings that apply; without the block, Go's defaults (used for h2 over TLS)."""
    idle = args.server_idle_timeout.total_seconds() or 1e9
    block = args.http2
    if block is None:
        return H2Settings(idle_timeout=idle)
    return H2Settings(
        max_concurrent_streams=block.max_concurrent_streams,
        max_decoder_header_table_size=block.max_decoder_header_table_size,
        max_read_frame_size=block.max_read_frame_size,
        max_upload_buffer_per_stream=block.max_upload_buffer_per_stream,
        idle_timeout=idle,
    )
