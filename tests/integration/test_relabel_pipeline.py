"""pyroscope.relabel between receive_http and write, end to end with `alloylite run`.

The real Python SDK pushes (the rules see each series' labels: `__name__` is the profile
type, `service_name` the application); a plain `/ingest` upload is relabelled on the
labels of its `name` (`__name__` is the application name). A dropped profile is a success
for the sender and never reaches the backend.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.integration.agent import REPO, free_port, start_agent
from tests.integration.fake_pyroscope import FakePyroscope

APP = Path(__file__).with_name("sdk_python_app.py")


def config(receive_port: int, backend: str, more_rules: str = "") -> str:
    """The pipeline; `more_rules` go right after the drop rule."""
    return f"""
pyroscope.receive_http "default" {{
  http {{
    listen_address = "127.0.0.1"
    listen_port    = {receive_port}
  }}
  forward_to = [pyroscope.relabel.services.receiver]
}}

pyroscope.relabel "services" {{
  forward_to = [pyroscope.write.backend.receiver]

  rule {{
    source_labels = ["service_name"]
    regex         = "noisy-.*"
    action        = "drop"
  }}
{more_rules}
  rule {{
    source_labels = ["service_name"]
    regex         = "alloylite\\\\.(.*)"
    target_label  = "service_name"
    replacement   = "renamed-$1"
  }}

  rule {{
    source_labels = ["region"]
    target_label  = "zone"
  }}
}}

pyroscope.write "backend" {{
  endpoint {{
    url = "{backend}"
  }}
}}
"""


def test_rules_rename_and_drop_on_the_push_and_ingest_paths(tmp_path: Path) -> None:
    receive_port = free_port()
    with FakePyroscope() as fake:
        agent = start_agent(config(receive_port, fake.url), tmp_path)
        try:
            base = f"http://127.0.0.1:{receive_port}"
            done = subprocess.run(
                [sys.executable, str(APP), base, "alloylite.sdk", "2"],
                capture_output=True,
                timeout=120,
                env=dict(os.environ, PYTHONPATH=str(REPO)),
            )
            assert done.returncode == 0, done.stderr.decode(errors="replace")
            dropped = httpx.post(
                f"{base}/ingest?name=noisy-app{{env=dev}}&format=pprof", content=b"\x00" * 16
            )
            assert dropped.status_code == 200  # the sender sees success
            kept = httpx.post(
                f"{base}/ingest?name=alloylite.ingest{{region=eu}}&spyName=gospy",
                content=b"profile-bytes",
            )
            assert kept.status_code == 200
            metrics = httpx.get(agent.api + "/metrics").text
        finally:
            assert agent.stop() == 0
        pushes = [r for r in fake.requests if r.is_push]
        ingests = [r for r in fake.requests if not r.is_push]
        assert pushes, "the SDK's profiles never arrived"
        for push in pushes:
            labels = push.labels()
            assert labels["service_name"] == "renamed-sdk"
            assert labels["zone"] == "us-east"
            assert labels["__name__"] == "process_cpu"
        assert len(ingests) == 1  # the noisy app was dropped
        query = ingests[0].query
        assert query["name"].startswith("renamed-ingest{")
        assert "zone=eu" in query["name"]
        assert query["spyName"] == "gospy"
        assert ingests[0].body == b"profile-bytes"
        dropped_line = (
            'pyroscope_relabel_profiles_dropped{component_id="pyroscope.relabel.services",'
            'component_path="/"} 1.0'
        )
        assert dropped_line in metrics
