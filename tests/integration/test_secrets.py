"""Secrets never leave alloylite except towards the backend.

One `alloylite run` at log level debug holds every kind of credential
pyroscope.write takes: basic_auth password, bearer_token, authorization
credentials, password_file and bearer_token_file contents, a secret in
`http_headers`, and a password in the endpoint URL. Profiles go through both
routes, once while the backend accepts them and once while it refuses them (so
every error path logs and answers), then a reload fails on a config whose
broken blocks carry secrets. Every output a user or a scraper can see is
collected and scanned for each secret value (and the base64 forms a leaked
Authorization header would take): the agent's log (stdout and stderr), the
answers the SDK got, /metrics, the component API and the graph, the UI, the
`/-/reload` error text, and `alloylite validate` in every output format.

The scan only means something if the secrets were in use: the test also
checks that each credential reached the fake backend.

`alloylite eval` is not scanned here: an expression cannot produce a secret
(secrets only come from component arguments and exports, which `eval` does not
have; `sys.env` is a plain string, as in Alloy). How a secret prints when one is
in scope ("(secret)", also through string.format and encoding.to_json) is
tested in tests/eval/test_scope_and_values.py.
"""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import httpx

from alloylite.components.pyroscope.appendable import RawSample
from alloylite.components.pyroscope.push import Series, encode_push_request
from tests.integration.agent import REPO, Agent, free_port, start_agent
from tests.integration.fake_pyroscope import FakePyroscope, Reply
from tests.integration.profiles import cpu_pprof

BASIC_PASSWORD = "bpw-Zq81xS3CRET"
BEARER_TOKEN = "btok-Wm42pS3CRET"
AUTHZ_CREDENTIALS = "azc-Ht93kS3CRET"
PASSWORD_FILE_CONTENT = "pwf-Lr27vS3CRET"
TOKEN_FILE_CONTENT = "tkf-Nc55dS3CRET"
HEADER_SECRET = "hdr-Yb68jS3CRET"
URL_PASSWORD = "urlpw-Fg14tS3CRET"
SECRETS = [
    BASIC_PASSWORD,
    BEARER_TOKEN,
    AUTHZ_CREDENTIALS,
    PASSWORD_FILE_CONTENT,
    TOKEN_FILE_CONTENT,
    HEADER_SECRET,
    URL_PASSWORD,
]


def _basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


# What a leaked Authorization header would look like.
ENCODED = {
    "basic_auth password (base64)": _basic("user-a", BASIC_PASSWORD),
    "password_file (base64)": _basic("user-c", PASSWORD_FILE_CONTENT),
    "url password (base64)": _basic("user-e", URL_PASSWORD),
}


def config(receive_port: int, backend: str, tmp: Path) -> str:
    host = backend.removeprefix("http://")
    return f"""
logging {{
  level = "debug"
}}

pyroscope.receive_http "default" {{
  http {{
    listen_address = "127.0.0.1"
    listen_port    = {receive_port}
  }}
  forward_to = [pyroscope.write.backend.receiver]
}}

pyroscope.write "backend" {{
  endpoint {{
    name = "basic"
    url  = "{backend}/basic"
    basic_auth {{
      username = "user-a"
      password = "{BASIC_PASSWORD}"
    }}
    http_headers = {{ "X-Api-Key" = ["{HEADER_SECRET}"] }}
    min_backoff_period  = "10ms"
    max_backoff_retries = 2
  }}
  endpoint {{
    name         = "bearer"
    url          = "{backend}/bearer"
    bearer_token = "{BEARER_TOKEN}"
    min_backoff_period  = "10ms"
    max_backoff_retries = 2
  }}
  endpoint {{
    name = "authorization"
    url  = "{backend}/authz"
    authorization {{
      type        = "Token"
      credentials = "{AUTHZ_CREDENTIALS}"
    }}
    min_backoff_period  = "10ms"
    max_backoff_retries = 2
  }}
  endpoint {{
    name = "password_file"
    url  = "{backend}/pwfile"
    basic_auth {{
      username      = "user-c"
      password_file = "{tmp / "password.txt"}"
    }}
    min_backoff_period  = "10ms"
    max_backoff_retries = 2
  }}
  endpoint {{
    name              = "bearer_token_file"
    url               = "{backend}/tokfile"
    bearer_token_file = "{tmp / "token.txt"}"
    min_backoff_period  = "10ms"
    max_backoff_retries = 2
  }}
  endpoint {{
    name = "url_userinfo"
    url  = "http://user-e:{URL_PASSWORD}@{host}/url"
    min_backoff_period  = "10ms"
    max_backoff_retries = 2
  }}
  external_labels = {{ "env" = "secrets-test" }}
}}
"""


# A config that fails to load because of its secret-bearing blocks: each error
# is in a block whose lines hold a secret.
BROKEN = f"""
pyroscope.write "broken" {{
  endpoint {{
    url = "http://127.0.0.1:1"
    basic_auth {{
      username      = "user-a"
      password      = "{BASIC_PASSWORD}"
      password_file = "/nonexistent/password"
    }}
  }}
  endpoint {{
    url               = "http://127.0.0.1:1"
    bearer_token      = "{BEARER_TOKEN}"
    bearer_token_file = "/nonexistent/token"
  }}
  endpoint {{
    url          = "http://user-e:{URL_PASSWORD}@127.0.0.1:1"
    http_headers = {{ "Authorization" = ["{HEADER_SECRET}"] }}
  }}
  endpoint {{
    url = "http://127.0.0.1:1"
    authorization {{
      type        = "Basic"
      credentials = "{AUTHZ_CREDENTIALS}"
    }}
  }}
}}
"""


def push_body() -> bytes:
    labels = [("__name__", "process_cpu"), ("service_name", "secrets-app")]
    return encode_push_request([Series(labels, [RawSample("sample-1", cpu_pprof())])])


def send_profiles(receive_port: int) -> list[str]:
    """One /ingest and one push; returns what the SDK saw (status and body)."""
    base = f"http://127.0.0.1:{receive_port}"
    seen = []
    with httpx.Client(timeout=60) as client:
        resp = client.post(
            f"{base}/ingest?name=secrets-app{{team=a}}&format=pprof",
            content=cpu_pprof(),
            headers={"Content-Type": "application/octet-stream"},
        )
        seen.append(f"ingest {resp.status_code} {dict(resp.headers)} {resp.text}")
        resp = client.post(
            f"{base}/push.v1.PusherService/Push",
            content=push_body(),
            headers={"Content-Type": "application/proto"},
        )
        seen.append(f"push {resp.status_code} {dict(resp.headers)} {resp.text}")
    return seen


def api_outputs(agent: Agent) -> dict[str, str]:
    """Everything the agent's own HTTP server shows."""
    out: dict[str, str] = {}
    with httpx.Client(base_url=agent.api, timeout=30) as client:
        for path in (
            "/metrics",
            "/api/v0/web/components",
            "/api/v0/web/graph",
            "/",
            "/ui/",
            "/-/healthy",
            "/-/ready",
        ):
            resp = client.get(path, follow_redirects=True)
            out[path] = resp.text
        for component in client.get("/api/v0/web/components").json():
            path = f"/api/v0/web/components/{component['localID']}"
            resp = client.get(path)
            assert resp.status_code == 200, (path, resp.text)
            out[path] = resp.text
    return out


def leaks(outputs: dict[str, str]) -> list[str]:
    found = []
    for where, text in outputs.items():
        for secret in SECRETS:
            if secret in text:
                found.append(f"{secret!r} in {where}")
        for what, encoded in ENCODED.items():
            if encoded in text:
                found.append(f"{what} in {where}")
    return found


def validate_outputs(path: Path) -> dict[str, str]:
    out = {}
    for fmt in ("text", "json", "github"):
        done = subprocess.run(
            [sys.executable, "-m", "alloylite", "validate", f"--format={fmt}", str(path)],
            capture_output=True,
            cwd=REPO,
            timeout=120,
        )
        assert done.returncode == 1, done
        out[f"validate --format={fmt}"] = (done.stdout + done.stderr).decode(errors="replace")
    return out


def test_no_secret_in_any_output(tmp_path: Path) -> None:
    (tmp_path / "password.txt").write_text(PASSWORD_FILE_CONTENT + "\n")
    (tmp_path / "token.txt").write_text(TOKEN_FILE_CONTENT + "\n")
    receive_port = free_port()
    outputs: dict[str, str] = {}
    with FakePyroscope() as fake:
        agent = start_agent(config(receive_port, fake.url, tmp_path), tmp_path)
        try:
            ok = send_profiles(receive_port)
            assert all(line.split()[1] == "200" for line in ok), ok
            delivered = len(fake.requests)
            assert delivered == 12  # 2 profiles x 6 endpoints
            # The backend now refuses everything: 401s are final, so every
            # endpoint logs a final error and the SDK gets the status back.
            fake.default = Reply(401, body=b"unauthorized")
            failed = send_profiles(receive_port)
            assert failed[0].split()[1] == "401", failed
            assert failed[1].split()[1] == "500", failed  # connect "internal"
            outputs.update({f"sdk {i}": line for i, line in enumerate(ok + failed)})
            outputs.update(api_outputs(agent))
            # A reload that fails on secret-bearing blocks.
            (tmp_path / "config.alloy").write_text(BROKEN)
            resp = httpx.post(f"{agent.api}/-/reload", timeout=60)
            assert resp.status_code == 400
            outputs["/-/reload"] = resp.text
            outputs.update({f"after reload {k}": v for k, v in api_outputs(agent).items()})
        finally:
            assert agent.stop() == 0
        outputs["alloylite run log (stdout+stderr)"] = agent.log()
        outputs.update(validate_outputs(tmp_path / "config.alloy"))

        # The scan is meaningful: the errors were logged, and every credential
        # was used on the wire.
        log = agent.log()
        assert "final error sending profiles to endpoint" in log
        assert "failed to reload config" in log
        auth = {r.path.split("/")[1]: r.header("Authorization") for r in fake.requests}
        assert auth == {
            "basic": f"Basic {ENCODED['basic_auth password (base64)']}",
            "bearer": f"Bearer {BEARER_TOKEN}",
            "authz": f"Token {AUTHZ_CREDENTIALS}",
            "pwfile": f"Basic {ENCODED['password_file (base64)']}",
            "tokfile": f"Bearer {TOKEN_FILE_CONTENT}",
            "url": f"Basic {ENCODED['url password (base64)']}",
        }
        assert {r.header("X-Api-Key") for r in fake.requests if r.path.startswith("/basic")} == {
            HEADER_SECRET
        }
    found = leaks(outputs)
    assert found == [], "secrets leaked:\n" + "\n".join(found)
