"""pyroscope.enrich between receive_http and write, end to end with `alloylite run`.

The targets come from discovery.relabel (a literal list given a `service_name` by a rule),
so the graph is the one of Alloy's docs: discovery -> enrich <- receiver. The real Python
SDK pushes and a plain `/ingest` upload follows; both match a target by `service_name` and
arrive at the backend with the target's labels, and a profile of an unknown service arrives
as it was sent.
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


def config(receive_port: int, backend: str) -> str:
    return f"""
discovery.relabel "services" {{
  targets = [
    {{"__address__" = "10.0.0.1:4040", "app" = "enrich.sdk", "team" = "profiling",
      "env" = "prod"}},
    {{"__address__" = "10.0.0.2:4040", "app" = "enrich.ingest", "team" = "ingest-team"}},
  ]

  rule {{
    source_labels = ["app"]
    target_label  = "service_name"
  }}
}}

pyroscope.receive_http "default" {{
  http {{
    listen_address = "127.0.0.1"
    listen_port    = {receive_port}
  }}
  forward_to = [pyroscope.enrich.meta.receiver]
}}

pyroscope.enrich "meta" {{
  targets            = discovery.relabel.services.output
  target_match_label = "service_name"
  labels_to_copy     = ["team", "env"]
  forward_to         = [pyroscope.write.backend.receiver]
}}

pyroscope.write "backend" {{
  endpoint {{
    url = "{backend}"
  }}
}}
"""


def test_matched_profiles_get_the_targets_labels_on_push_and_ingest(tmp_path: Path) -> None:
    receive_port = free_port()
    with FakePyroscope() as fake:
        agent = start_agent(
            config(receive_port, fake.url), tmp_path, "--stability.level=experimental"
        )
        try:
            base = f"http://127.0.0.1:{receive_port}"
            done = subprocess.run(
                [sys.executable, str(APP), base, "enrich.sdk", "2"],
                capture_output=True,
                timeout=120,
                env=dict(os.environ, PYTHONPATH=str(REPO)),
            )
            assert done.returncode == 0, done.stderr.decode(errors="replace")
            matched = httpx.post(
                f"{base}/ingest?name=enrich.ingest{{region=eu}}&spyName=gospy",
                content=b"matched-bytes",
            )
            assert matched.status_code == 200
            unmatched = httpx.post(
                f"{base}/ingest?name=other.app{{region=us}}&format=pprof",
                content=b"unmatched-bytes",
            )
            assert unmatched.status_code == 200
        finally:
            assert agent.stop() == 0
        pushes = [r for r in fake.requests if r.is_push]
        ingests = {r.body: r for r in fake.requests if not r.is_push}
        assert pushes, "the SDK's profiles never arrived"
        for push in pushes:
            for index in range(len(push.series or [])):
                labels = push.labels(index)
                assert labels["service_name"] == "enrich.sdk"
                assert labels["team"] == "profiling"
                assert labels["env"] == "prod"  # the target's value replaces the SDK's "sdk"
                assert labels["region"] == "us-east"
                assert "__address__" not in labels and "app" not in labels  # not listed
        assert set(ingests) == {b"matched-bytes", b"unmatched-bytes"}
        name = ingests[b"matched-bytes"].query["name"]
        assert name.startswith("enrich.ingest{")
        assert "team=ingest-team" in name and "region=eu" in name
        assert ingests[b"matched-bytes"].query["spyName"] == "gospy"
        # As receive_http -> write alone would send it (service_name is receive_http's rule).
        unmatched_name = ingests[b"unmatched-bytes"].query["name"]
        assert unmatched_name == "other.app{region=us,service_name=other.app}"
        assert ingests[b"unmatched-bytes"].query["format"] == "pprof"
