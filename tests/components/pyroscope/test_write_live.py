"""pyroscope.write's live-debugging lines and last errors: where each profile went, how
many retries it took, the status a backend refused it with, never the URL's password."""

from __future__ import annotations

import json

import pytest

from alloylite.components.pyroscope.appendable import IncomingProfile, WriteStatusError
from alloylite.runtime.live.hub import LiveHub

from .write_support import Backend, Reply, endpoint, make_write
from .write_support import run as run_loop

PROFILE = IncomingProfile(
    raw_body=b"i" * 250,
    content_type=("application/octet-stream",),
    url="/ingest?name=app&format=pprof",
    labels=(("__name__", "app"), ("service_name", "app")),
)
SECRET = "pa55-in-the-url"


def test_forwarded_after_retries_then_refused_with_status_and_an_error_entry() -> None:
    hub = LiveHub()
    hub.set_enabled(True)

    async def scenario() -> None:
        script = [Reply(503), Reply(200), Reply(400, body=b"bad")]
        async with Backend(script) as b:
            url = b.url.replace("http://", f"http://user:{SECRET}@")
            harness = make_write([endpoint(url)], live=hub.channel("pyroscope.write.test"))
            await harness.receiver.append_ingest(PROFILE)
            with pytest.raises(WriteStatusError):
                await harness.receiver.append_ingest(PROFILE)

    run_loop(scenario)
    channel = hub.channel("pyroscope.write.test")
    outcomes = [json.loads(line)["outcome"] for line in channel.recent()]
    assert outcomes[0].startswith("forwarded to http://user:") and outcomes[0].endswith(
        "(retried 1)"
    )
    assert "with status 400" in outcomes[1]
    [error] = channel.errors()
    assert error["status"] == "400"
    assert error["endpoint"].startswith("http://user:")
    everything = json.dumps([channel.recent(), channel.errors()])
    assert SECRET not in everything
