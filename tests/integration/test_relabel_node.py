"""pyroscope.relabel on the `/ingest` path, end to end with the real Node.js SDK:

SDK -> tap -> `alloylite run` (receive_http -> relabel -> write) -> fake Pyroscope.

The rules see the labels of the `name` query (spec alloy-profiling-components.md §2.1):
`service_name` (the app name) and the SDK's tags. Three SDK processes run side by side: one
whose profiles the rules keep and rename, one a `drop` rule removes and one a `keep` rule
removes. Every request gets 200 at the SDK; the dropped ones never reach the backend.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx

from alloylite.components.pyroscope.labels import parse_name
from tests.integration.agent import Tap, free_port, start_agent
from tests.integration.fake_pyroscope import FakePyroscope
from tests.integration.test_relabel_pipeline import config
from tests.integration.test_sdk_node import NODE_DIR, _node_ready

# app name -> region tag; which rule decides its fate is in `config`.
APPS = {"alloylite.node": "us-east", "noisy-node": "us-east", "alloylite.eu": "eu-west"}


# Kept apps must be in a US region; the pipeline's other rules drop `noisy-*` apps, rename
# `alloylite.*` to `renamed-*` and copy `region` to `zone`.
KEEP_US = """
  rule {
    source_labels = ["region"]
    regex         = "us-.*"
    action        = "keep"
  }
"""


def test_node_sdk_ingest_labels_are_kept_renamed_or_dropped(tmp_path: Path) -> None:
    _node_ready()
    receive_port = free_port()
    with FakePyroscope() as fake:
        agent = start_agent(config(receive_port, fake.url, KEEP_US), tmp_path)
        try:
            with Tap(f"http://127.0.0.1:{receive_port}") as tap:
                procs = [
                    subprocess.Popen(
                        ["node", "app.js", tap.url, app, "3", region],
                        cwd=NODE_DIR,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                    )
                    for app, region in APPS.items()
                ]
                for proc in procs:
                    _, err = proc.communicate(timeout=120)
                    assert proc.returncode == 0, err.decode(errors="replace")
                sent = [r for r in tap.requests if r.path == "/ingest"]
                statuses = list(tap.statuses)
            metrics = httpx.get(agent.api + "/metrics", timeout=30).text
        finally:
            assert agent.stop() == 0

    by_app: dict[str, int] = {}
    for req in sent:
        app = parse_name(req.query["name"])["__name__"]
        by_app[app] = by_app.get(app, 0) + 1
    assert set(by_app) == set(APPS), "every SDK sent profiles"
    assert statuses and set(statuses) == {200}  # dropped profiles succeed at the SDK too

    received = fake.requests
    assert len(received) == by_app["alloylite.node"]  # only the kept app's profiles arrive
    for req in received:
        assert req.path == "/ingest"
        labels = parse_name(req.query["name"])
        assert labels["service_name"] == "renamed-node"
        assert labels["__name__"] == "renamed-node"  # write rebuilds `name` from service_name
        assert (labels["region"], labels["zone"], labels["env"]) == ("us-east", "us-east", "sdk")
    dropped = by_app["noisy-node"] + by_app["alloylite.eu"]
    assert (
        'pyroscope_relabel_profiles_dropped{component_id="pyroscope.relabel.services",'
        f'component_path="/"}} {float(dropped)}' in metrics
    )
