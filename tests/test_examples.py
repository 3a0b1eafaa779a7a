"""Every example config validates, every seed example is in examples/ as written,
and each seed example runs under `alloylite run`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from tests.integration.agent import start_agent_file

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SEED = REPO.parent / "shared" / "seed" / "receive-profiles-from-pyroscope-sdks.txt"
SEED_EXAMPLES = sorted(EXAMPLES.glob("receive-profiles-*.alloy"))
ALL_CONFIGS = sorted(EXAMPLES.rglob("*.alloy"))
ENV = {
    "PYROSCOPE_USERNAME": "example-user",
    "PYROSCOPE_PASSWORD": "example-password",
    "HOSTNAME": "example-host",
    "GATEWAY_URL": "http://127.0.0.1:1",
    "PYROSCOPE_URL": "http://127.0.0.1:1",
}


def _env() -> dict[str, str]:
    return dict(os.environ, **ENV)


def _alloylite(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alloylite", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=_env(),
        timeout=60,
    )


def _body(path: Path) -> str:
    """The config without its leading comment header."""
    lines = path.read_text().splitlines()
    while lines and (lines[0].startswith("//") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_seed_examples_are_all_here() -> None:
    names = {p.name for p in SEED_EXAMPLES}
    assert names == {
        "receive-profiles-basic.alloy",  # the README's first command runs this one
        "receive-profiles-basic-receiving.alloy",
        "receive-profiles-authentication.alloy",
        "receive-profiles-external-labels.alloy",
        "receive-profiles-multiple-destinations.alloy",
        "receive-profiles-multiple-receivers.alloy",
    }
    assert "examples/receive-profiles-basic.alloy" in (REPO / "README.md").read_text()


@pytest.mark.skipif(not SEED.exists(), reason="the seed guide lives outside the repository")
@pytest.mark.parametrize("path", SEED_EXAMPLES, ids=lambda p: p.name)
def test_seed_example_is_as_written_in_the_guide(path: Path) -> None:
    seed = _squash(SEED.read_text())
    # Comments the guide writes inside a config stay; only the header is ours.
    assert _squash(_body(path)) in seed


@pytest.mark.parametrize("path", ALL_CONFIGS, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_example_validates(path: Path) -> None:
    done = _alloylite("validate", str(path), "--stability.level=public-preview")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    "path",
    [p for p in SEED_EXAMPLES if "pyroscope.receive_http" in p.read_text()],
    ids=lambda p: p.name,
)
def test_receive_http_needs_no_flag_as_in_alloy_since_1_10(path: Path) -> None:
    """The guide (written for v1.5-v1.9) says public-preview; its flag still works (see
    above), and without it the config validates as in Alloy's code, where it is GA."""
    done = _alloylite("validate", str(path))
    assert done.returncode == 0, done.stdout + done.stderr


def test_kubernetes_configmap_config_validates(tmp_path: Path) -> None:
    manifest = EXAMPLES / "kubernetes" / "alloylite.yaml"
    docs = [d for d in yaml.safe_load_all(manifest.read_text()) if d]
    config = next(d for d in docs if d["kind"] == "ConfigMap")["data"]["config.alloy"]
    path = tmp_path / "config.alloy"
    path.write_text(config)
    done = _alloylite("validate", str(path), "--stability.level=public-preview")
    assert done.returncode == 0, done.stdout + done.stderr


def _wait_until_free(ports: list[int]) -> None:
    """The guide's fixed ports (9999, 9090, ...) may be held for a moment by
    another agent on a shared machine; wait for them rather than fail on it."""
    import socket

    deadline = time.monotonic() + 60
    for port in ports:
        while True:
            with socket.socket() as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind(("0.0.0.0", port))
                    break
                except OSError:
                    assert time.monotonic() < deadline, f"port {port} stays in use"
            time.sleep(0.2)


@pytest.mark.parametrize("path", SEED_EXAMPLES, ids=lambda p: p.name)
def test_seed_example_runs_as_written(path: Path, tmp_path: Path) -> None:
    """Start it exactly as the guide does, check the receivers listen, stop it.

    No profile is sent: the writers point at hosts (pyroscope:4040) that only
    exist in the guide's world, and tests talk to 127.0.0.1 only.
    """
    ports = [int(p) for p in re.findall(r"listen_port\s*=\s*(\d+)", path.read_text())]
    _wait_until_free(ports)
    agent = start_agent_file(path, tmp_path, env=_env())
    try:
        for port in ports:
            # GET on /ingest is 405: the receiver is up and routes like Alloy's.
            assert httpx.get(f"http://127.0.0.1:{port}/ingest", timeout=5).status_code == 405
        health = httpx.get(f"http://127.0.0.1:{agent.api_port}/-/healthy", timeout=5)
        assert health.status_code == 200, health.text
    finally:
        code = agent.stop()
    assert code == 0, agent.log()
