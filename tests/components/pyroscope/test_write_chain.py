"""alloylite chained into alloylite: write -> receive_http -> write -> backend, as the
Alloy docs describe for gateways. The upstream deadline travels down the chain
(Connect-Timeout-Ms, or a gRPC client's grpc-timeout), and the downstream write stops
retrying before it instead of holding the upstream request past its own
remote_timeout (Alloy's timeout chain)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import grpc
import pytest

from alloylite.components.pyroscope.appendable import IncomingProfile, RawSample, WriteStatusError
from alloylite.components.pyroscope.push import (
    PUSH_PATH,
    Series,
    decode_push_request,
    encode_push_request,
)
from alloylite.components.pyroscope.receive_http import HTTP2Arguments
from alloylite.components.pyroscope.write.arguments import Endpoint
from alloylite.components.pyroscope.write.component import WriteError

from .receive_http_support import make_args, running
from .receive_http_support import run as run_loop
from .write_support import Backend, Reply, close_all, endpoint, make_write

LABELS = (("__name__", "process_cpu"), ("service_name", "svc"), ("team", "a"))
SAMPLE = RawSample(id="id-1", raw_profile=b"\x1f\x8bprofile")


async def _closing(main: Callable[[], Awaitable[None]]) -> None:
    try:
        await main()
    finally:
        await close_all()


def test_push_through_a_gateway_arrives_once_with_both_hops_labels() -> None:
    async def main() -> None:
        async with Backend([Reply(503), Reply(200)]) as backend:
            down = make_write([endpoint(backend.url)], external_labels={"hop": "gateway"})
            async with running(make_args([down.receiver])) as gateway:
                up_url = f"http://127.0.0.1:{gateway.port}"
                up = make_write([endpoint(up_url)], external_labels={"cluster": "c1"})
                await up.receiver.append(LABELS, [SAMPLE])
            assert len(backend.requests) == 2  # one 503, then the profile, once
            (series,) = decode_push_request(backend.requests[-1].body)
            labels = dict(series.labels)
            assert labels["cluster"] == "c1" and labels["hop"] == "gateway"
            assert labels["service_name"] == "svc"
            assert series.samples == [SAMPLE]

    run_loop(_closing(main))


def test_ingest_status_passes_back_through_the_gateway() -> None:
    async def main() -> None:
        async with Backend([Reply(400, body=b"bad")]) as backend:
            down = make_write([endpoint(backend.url)])
            async with running(make_args([down.receiver])) as gateway:
                up = make_write([endpoint(f"http://127.0.0.1:{gateway.port}")])
                profile = IncomingProfile(
                    b"body",
                    ("application/octet-stream",),
                    "/ingest?format=pprof",
                    (("__name__", "app"), ("service_name", "app")),
                )
                with pytest.raises(WriteStatusError) as err:
                    await up.receiver.append_ingest(profile)
                assert err.value.status_code == 400
            assert len(backend.requests) == 1

    run_loop(_closing(main))


def _slow_retries(url: str) -> Endpoint:
    """A downstream endpoint that would retry for minutes, its first sleep 3-6 s."""
    return endpoint(
        url,
        min_backoff_period=timedelta(seconds=3),
        max_backoff_period=timedelta(minutes=1),
        max_backoff_retries=10,
    )


def test_downstream_retries_stop_within_the_upstream_deadline() -> None:
    async def main() -> None:
        async with Backend([Reply(503)]) as backend:
            # Upstream gives each attempt 2s, so the downstream must give up at
            # once, not sleep.
            down = make_write([_slow_retries(backend.url)])
            async with running(make_args([down.receiver])) as gateway:
                up = make_write(
                    [
                        endpoint(
                            f"http://127.0.0.1:{gateway.port}",
                            remote_timeout=timedelta(seconds=2),
                            max_backoff_retries=1,
                        )
                    ]
                )
                with pytest.raises(WriteError) as err:
                    await up.receiver.append(LABELS, [SAMPLE])
            # The gateway answered (connect "internal"), rather than the upstream
            # attempt timing out while the downstream still slept.
            assert "internal" in str(err.value)
            assert "deadline_exceeded" not in str(err.value)
            assert len(backend.requests) == 1

    run_loop(_closing(main))


def test_grpc_timeout_bounds_the_downstream_retries_like_connect_timeout_ms() -> None:
    # The same timeout chain from a gRPC client: grpcio's deadline travels as
    # `grpc-timeout`, and the write behind receive_http gives up at once instead
    # of sleeping 3-6 s past it; the client gets the gateway's `internal`.
    async def main() -> None:
        async with Backend([Reply(503)]) as backend:
            down = make_write([_slow_retries(backend.url)])
            h2c = {"http_http2": HTTP2Arguments(enabled=True)}
            async with running(make_args([down.receiver], **h2c)) as gateway:
                body = encode_push_request([Series(labels=list(LABELS), samples=[SAMPLE])])
                async with grpc.aio.insecure_channel(f"127.0.0.1:{gateway.port}") as channel:
                    with pytest.raises(grpc.aio.AioRpcError) as err:
                        await channel.unary_unary(PUSH_PATH)(body, timeout=2)
            assert err.value.code() == grpc.StatusCode.INTERNAL
            details = err.value.details() or ""
            assert "the next attempt would start after the caller's deadline" in details
            assert len(backend.requests) == 1

    run_loop(_closing(main))
