"""A profile pipeline wrapped in modules runs like the plain one (issue 11, Deliver 5).

`declare` (local and through `import.file` / `import.string`) wraps pyroscope.relabel +
pyroscope.write and exports the relabel's receiver; `foreach` builds one writer per item.
pyroscope.receive_http at the root feeds them; the fake Pyroscope checks what arrives.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.integration.agent import free_port, start_agent
from tests.integration.fake_pyroscope import FakePyroscope

MODULE = """
declare "profiles_out" {
  argument "url" { }
  argument "zone" {
    optional = true
    default  = "default-zone"
  }

  pyroscope.relabel "add_zone" {
    forward_to = [pyroscope.write.backend.receiver]
    rule {
      target_label = "zone"
      replacement  = argument.zone.value
    }
  }

  pyroscope.write "backend" {
    endpoint {
      url = argument.url.value
    }
  }

  export "receiver" {
    value = pyroscope.relabel.add_zone.receiver
  }
}
"""


def receiver(port: int, forward: str) -> str:
    return f"""
pyroscope.receive_http "default" {{
  http {{
    listen_address = "127.0.0.1"
    listen_port    = {port}
  }}
  forward_to = [{forward}]
}}
"""


def one_instance(label: str, url: str, port: int) -> str:
    """MODULE, one `profiles_out` instance writing to `url`, and a receiver feeding it."""
    return (
        MODULE
        + f'profiles_out "{label}" {{\n  url = "{url}"\n}}\n'
        + receiver(port, f"profiles_out.{label}.receiver")
    )


def _ingest(port: int) -> None:
    reply = httpx.post(
        f"http://127.0.0.1:{port}/ingest?name=app.cpu{{env=dev}}&spyName=gospy",
        content=b"profile-bytes",
    )
    assert reply.status_code == 200, reply.text


def _zones(fake: FakePyroscope) -> list[str]:
    names = [r.query["name"] for r in fake.requests if not r.is_push]
    return [n.split("zone=")[1].rstrip("}").split(",")[0] for n in names]


@pytest.mark.parametrize("how", ["declare", "import.file", "import.string"])
def test_a_module_wrapped_pipeline_delivers_like_the_plain_one(tmp_path: Path, how: str) -> None:
    port = free_port()
    with FakePyroscope() as fake:
        if how == "declare":
            head, use = MODULE, "profiles_out"
        elif how == "import.file":
            (tmp_path / "lib.alloy").write_text(MODULE)
            head = f'import.file "lib" {{\n  filename = "{tmp_path / "lib.alloy"}"\n}}\n'
            use = "lib.profiles_out"
        else:
            quoted = MODULE.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            head = f'import.string "lib" {{\n  content = "{quoted}"\n}}\n'
            use = "lib.profiles_out"
        text = (
            head
            + f'{use} "eu" {{\n  url = "{fake.url}"\n  zone = "eu-west"\n}}\n'
            + receiver(port, f"{use}.eu.receiver")
        )
        agent = start_agent(text, tmp_path)
        try:
            _ingest(port)
        finally:
            assert agent.stop() == 0, agent.log
        assert _zones(fake) == ["eu-west"]
        [request] = [r for r in fake.requests if not r.is_push]
        assert request.body == b"profile-bytes"


def test_optional_argument_takes_its_default(tmp_path: Path) -> None:
    port = free_port()
    with FakePyroscope() as fake:
        agent = start_agent(one_instance("x", fake.url, port), tmp_path)
        try:
            _ingest(port)
        finally:
            assert agent.stop() == 0, agent.log
        assert _zones(fake) == ["default-zone"]


def test_foreach_builds_one_pipeline_per_item(tmp_path: Path) -> None:
    port, other = free_port(), free_port()
    with FakePyroscope() as fake:
        text = f"""
pyroscope.write "backend" {{
  endpoint {{
    url = "{fake.url}"
  }}
}}

foreach "zones" {{
  collection = [{{port = {port}, zone = "a"}}, {{port = {other}, zone = "b"}}]
  var        = "item"

  template {{
    pyroscope.receive_http "r" {{
      http {{
        listen_address = "127.0.0.1"
        listen_port    = item.port
      }}
      forward_to = [pyroscope.relabel.z.receiver]
    }}

    pyroscope.relabel "z" {{
      forward_to = [pyroscope.write.backend.receiver]
      rule {{
        target_label = "zone"
        replacement  = item.zone
      }}
    }}
  }}
}}
"""
        agent = start_agent(text, tmp_path, "--stability.level=experimental")
        try:
            _ingest(port)
            _ingest(other)
        finally:
            assert agent.stop() == 0, agent.log
        assert sorted(_zones(fake)) == ["a", "b"]


ENRICH_MODULE = """
declare "enriched_out" {
  argument "url" { }
  argument "targets" { }

  discovery.relabel "pods" {
    targets = argument.targets.value
    rule {
      source_labels = ["__meta_team"]
      target_label  = "team"
    }
  }

  pyroscope.enrich "by_app" {
    targets              = discovery.relabel.pods.output
    target_match_label   = "app"
    profiles_match_label = "service_name"
    labels_to_copy       = ["team"]
    forward_to           = [pyroscope.write.backend.receiver]
  }

  pyroscope.write "backend" {
    endpoint {
      url = argument.url.value
    }
  }

  export "receiver" {
    value = pyroscope.enrich.by_app.receiver
  }
}
"""


def test_discovery_relabel_and_enrich_run_inside_a_module(tmp_path: Path) -> None:
    """The profile components beyond relabel/write work in a declare too: targets relabelled
    by discovery.relabel in the module enrich the profiles that pass through it."""
    port = free_port()
    with FakePyroscope() as fake:
        text = (
            ENRICH_MODULE
            + f"""enriched_out "x" {{
  url     = "{fake.url}"
  targets = [{{"app" = "app.cpu", "__meta_team" = "payments"}}]
}}
"""
            + receiver(port, "enriched_out.x.receiver")
        )
        agent = start_agent(text, tmp_path, "--stability.level=experimental")
        try:
            _ingest(port)
        finally:
            assert agent.stop() == 0, agent.log
        [request] = [r for r in fake.requests if not r.is_push]
        assert "team=payments" in request.query["name"]
        assert request.body == b"profile-bytes"


def test_module_components_are_on_metrics_and_the_api_under_their_module(tmp_path: Path) -> None:
    """Alloy labels a module's component metrics `component_path="/<module ID>"` and lists
    them at /api/v0/web/modules/<module ID>/components; the instance names its module in
    `createdModuleIDs`; `<module ID>/<local ID>` fetches one."""
    port = free_port()
    with FakePyroscope() as fake:
        agent = start_agent(one_instance("eu", fake.url, port), tmp_path)
        try:
            _ingest(port)
            metrics = httpx.get(f"{agent.api}/metrics").text
            instance = httpx.get(f"{agent.api}/api/v0/web/components/profiles_out.eu").json()
            listed = httpx.get(f"{agent.api}/api/v0/web/modules/profiles_out.eu/components")
            inner = httpx.get(
                f"{agent.api}/api/v0/web/components/profiles_out.eu/pyroscope.write.backend"
            )
            unknown = httpx.get(f"{agent.api}/api/v0/web/modules/nope.x/components")
            debug = f"{agent.api}/api/v0/web/debug/profiles_out.eu/pyroscope.write.backend"
            errors = httpx.get(f"{debug}/errors")
            no_errors = httpx.get(f"{agent.api}/api/v0/web/debug/nope.x/pyroscope.write.b/errors")
        finally:
            assert agent.stop() == 0, agent.log
    sent = [
        line
        for line in metrics.splitlines()
        if line.startswith("pyroscope_write_sent_bytes_total{")
        or line.startswith("pyroscope_fanout_latency_count{")
    ]
    assert any(
        'component_id="pyroscope.write.backend"' in line
        and 'component_path="/profiles_out.eu"' in line
        for line in sent
    ), metrics
    assert instance["createdModuleIDs"] == ["profiles_out.eu"]
    assert instance["moduleID"] == ""
    assert sorted(c["localID"] for c in listed.json()) == [
        "argument.url",
        "argument.zone",
        "export.receiver",
        "pyroscope.relabel.add_zone",
        "pyroscope.write.backend",
    ]
    assert {c["moduleID"] for c in listed.json()} == {"profiles_out.eu"}
    assert inner.status_code == 200
    assert inner.json()["moduleID"] == "profiles_out.eu"
    assert inner.json()["arguments"] is not None
    assert unknown.status_code == 500 and unknown.text == "module not found\n"
    assert errors.status_code == 200 and errors.json() == []
    assert no_errors.status_code == 404
