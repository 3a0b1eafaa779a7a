"""Per-profile tenants end to end: SDK `X-Scope-OrgID` -> receive_http -> relabel -> write.

Two real Python SDK processes with different tenants push through one
`alloylite run`; each profile lands at the fake Pyroscope under its own tenant,
a relabel rule can set the tenant, a bad tenant is refused, and the SDKs'
Basic-auth credentials never reach the backend.
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
pyroscope.receive_http "default" {{
  http {{
    listen_address = "127.0.0.1"
    listen_port    = {receive_port}
  }}
  forward_tenant = true
  forward_to     = [pyroscope.relabel.tenants.receiver]
}}

pyroscope.relabel "tenants" {{
  forward_to = [pyroscope.write.backend.receiver]

  rule {{
    source_labels = ["service_name"]
    regex         = "by-rule"
    target_label  = "__tenant_id__"
    replacement   = "rule-tenant"
  }}
}}

pyroscope.write "backend" {{
  endpoint {{
    url               = "{backend}"
    headers           = {{ "X-Scope-OrgID" = "static-tenant" }}
    tenant_from_label = "override"
  }}
}}
"""


def _sdk(base: str, app: str, tenant: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(APP), base, app, "2", tenant],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
    )


def test_two_sdks_land_under_their_own_tenants(tmp_path: Path) -> None:
    receive_port = free_port()
    with FakePyroscope() as fake:
        agent = start_agent(config(receive_port, fake.url), tmp_path)
        try:
            base = f"http://127.0.0.1:{receive_port}"
            sdks = [_sdk(base, "app-a", "team-a"), _sdk(base, "app-b", "team-b")]
            for sdk in sdks:
                _, err = sdk.communicate(timeout=120)
                assert sdk.returncode == 0, err.decode(errors="replace")
            ruled = httpx.post(
                f"{base}/ingest?name=by-rule{{}}&format=pprof",
                content=b"profile-bytes",
                headers={"X-Scope-OrgID": "ignored-by-rule"},
            )
            assert ruled.status_code == 200
            plain = httpx.post(f"{base}/ingest?name=no-tenant{{}}", content=b"x")
            assert plain.status_code == 200
            bad = httpx.post(
                f"{base}/ingest?name=x{{}}", content=b"x", headers={"X-Scope-OrgID": "a/b"}
            )
            assert bad.status_code == 400
            assert bad.text == "tenant ID 'a/b' contains unsupported character '/'\n"
            huge = httpx.post(
                f"{base}/push.v1.PusherService/Push",
                content=b"",
                headers={"Content-Type": "application/proto", "X-Scope-OrgID": "t" * 1_000_000},
            )
            assert huge.status_code == 400
            assert huge.json()["code"] == "invalid_argument"
        finally:
            assert agent.stop() == 0
        pushes = [r for r in fake.requests if r.is_push]
        assert pushes, "the SDKs' profiles never arrived"
        for push in pushes:
            service = push.labels()["service_name"]
            want = {"app-a": "team-a", "app-b": "team-b"}[service]
            assert push.header_values("X-Scope-OrgID") == [want]
            assert "__tenant_id__" not in push.labels()
            assert push.header("Authorization") is None  # the SDK's credentials stay behind
        assert {p.labels()["service_name"] for p in pushes} == {"app-a", "app-b"}
        ingests = {r.query["name"]: r for r in fake.requests if not r.is_push}
        assert set(ingests) == {
            "by-rule{service_name=by-rule}",
            "no-tenant{service_name=no-tenant}",
        }
        assert ingests["by-rule{service_name=by-rule}"].header_values("X-Scope-OrgID") == [
            "rule-tenant"
        ]
        assert ingests["no-tenant{service_name=no-tenant}"].header_values("X-Scope-OrgID") == [
            "static-tenant"
        ]
