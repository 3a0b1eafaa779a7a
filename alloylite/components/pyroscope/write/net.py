"""An asyncio network backend for httpcore.

httpcore's default backend goes through anyio, which wraps every socket read
and write in a cancel scope (`fail_after`, even without a timeout) and a
checkpoint. pyroscope.write bounds each attempt with one `asyncio.timeout`
instead, so plain asyncio streams do the same job for less CPU per request.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import typing

import httpcore

# A private helper: checked against httpcore 1.0.9 (bounded in pyproject.toml).
from httpcore._utils import is_socket_readable


class _Stream(httpcore.AsyncNetworkStream):
    __slots__ = ("_reader", "_writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            return await self._reader.read(max_bytes)
        except (OSError, ssl.SSLError) as err:
            raise httpcore.ReadError(str(err) or type(err).__name__) from err

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            self._writer.write(buffer)
            await self._writer.drain()
        except (OSError, ssl.SSLError, RuntimeError) as err:
            raise httpcore.WriteError(str(err) or type(err).__name__) from err

    async def aclose(self) -> None:
        self._writer.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except (OSError, ssl.SSLError) as err:
            self._writer.close()
            raise httpcore.ConnectError(str(err) or type(err).__name__) from err
        return self

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "is_readable":
            sock = self._writer.get_extra_info("socket")
            return sock is None or is_socket_readable(sock)
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        if info == "socket":
            return self._writer.get_extra_info("socket")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        local = (local_address, 0) if local_address else None
        try:
            reader, writer = await asyncio.open_connection(host, port, local_addr=local)
        except (OSError, ssl.SSLError) as err:
            raise httpcore.ConnectError(str(err) or type(err).__name__) from err
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for option in socket_options or ():
                sock.setsockopt(*option)
        return _Stream(reader, writer)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            reader, writer = await asyncio.open_unix_connection(path)
        except OSError as err:
            raise httpcore.ConnectError(str(err) or type(err).__name__) from err
        return _Stream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


BACKEND = AsyncioBackend()
