"""Live debugging end to end: the real Python SDK (pyroscope-io, push API) sends through
`alloylite run` (receive_http -> relabel -> write -> fake Pyroscope) with
`livedebugging { enabled = true }`, and the component's live page is opened in a real
headless Chromium (the set-up of test_web_ui.py). The SDK workload burns its CPU in
`fib` (tests/integration/sdk_python_app.py), so the flame graph must show `fib` as the
widest frame below the program's entry frames and as the top function by self time. A
second SDK run under a service name the relabel rule drops shows the rule. With the
block absent, the stream endpoint answers Alloy's "disabled" text and holds no memory.

Playwright's `expect` polls; nothing asserts on how long anything takes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.integration.agent import REPO, Agent, free_port, start_agent
from tests.integration.fake_pyroscope import FakePyroscope, Reply
from tests.integration.profiles import cpu_pprof
from tests.ui.test_web_ui import WAIT_MS, _launch

APP = REPO / "tests" / "integration" / "sdk_python_app.py"
PASSWORD = "live-test-pa55word-never-shown"
RELABEL = "pyroscope.relabel.filter"
WRITER = "pyroscope.write.backend"
KEPT, DROPPED = "live.kept.app", "live.dropped.app"

CONFIG = """
livedebugging {{
  enabled = true
}}

pyroscope.receive_http "default" {{
  http {{
    listen_address = "127.0.0.1"
    listen_port    = {port}
  }}
  forward_to = [pyroscope.relabel.filter.receiver]
}}

pyroscope.relabel "filter" {{
  forward_to = [pyroscope.write.backend.receiver]
  rule {{
    action        = "replace"
    target_label  = "team"
    replacement   = "profiling"
  }}
  rule {{
    action        = "drop"
    source_labels = ["service_name"]
    regex         = "{dropped}"
  }}
}}

pyroscope.write "backend" {{
  endpoint {{
    url = "{backend}"
    basic_auth {{
      username = "live-user"
      password = "{password}"
    }}
  }}
}}
"""


class Setup:
    def __init__(self, agent: Agent, page: Page, fake: FakePyroscope, port: int) -> None:
        self.agent, self.page, self.fake, self.port = agent, page, fake, port


def _run_sdk(port: int, app: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, str(APP), f"http://127.0.0.1:{port}", app, "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    tmp = tmp_path_factory.mktemp("live")
    port = free_port()
    with FakePyroscope() as fake, sync_playwright() as pw:
        config = CONFIG.format(port=port, backend=fake.url, password=PASSWORD, dropped=DROPPED)
        agent = start_agent(config, tmp)
        browser = _launch(pw, tmp / "chromium-profile")
        try:
            page = browser.new_page()
            page.goto(f"{agent.api}/ui/live.html?id={RELABEL}")
            expect(page.locator("#live-state")).to_have_text("streaming", timeout=WAIT_MS)
            sdks = [_run_sdk(port, KEPT), _run_sdk(port, DROPPED)]
            for sdk in sdks:
                output, _ = sdk.communicate(timeout=120)
                assert sdk.returncode == 0, output.decode(errors="replace")
            yield Setup(agent, page, fake, port)
        finally:
            browser.close()
            assert agent.stop() == 0
    assert PASSWORD not in agent.log()


def _line(page: Page, direction: str, app: str) -> object:
    return page.locator(f"#lines tr.dir-{direction}", has_text=f'service_name="{app}"').first


def test_the_profile_line_appears_with_labels_type_size_and_outcome(setup: Setup) -> None:
    page = setup.page
    incoming = _line(page, "in", KEPT)
    expect(incoming).to_contain_text('otel.scope.name="com.grafana.pyroscope/python"')
    forwarded = _line(page, "out", KEPT)
    expect(forwarded).to_contain_text('team="profiling"', timeout=WAIT_MS)
    expect(forwarded).to_contain_text("forwarded")
    expect(forwarded.locator(".text")).to_contain_text(" B id=")


def test_a_rule_dropped_profile_shows_its_rule(setup: Setup) -> None:
    dropped = _line(setup.page, "out", DROPPED)
    expect(dropped).to_contain_text("dropped by rule 2 (action drop)", timeout=WAIT_MS)
    expect(dropped).to_have_class("line dir-out dropped")


def test_filter_by_label_and_pause(setup: Setup) -> None:
    page = setup.page
    page.locator("#filter").fill(f'service_name="{DROPPED}"')
    expect(page.locator("#lines tr.line:visible", has_text=KEPT)).to_have_count(0)
    expect(page.locator("#lines tr.line:visible", has_text=DROPPED).first).to_be_visible()
    page.locator("#filter").fill("")
    page.locator("#pause").click()
    expect(page.locator("#pause")).to_have_text("Resume")
    expect(page.locator("#held")).to_contain_text("paused")
    page.locator("#pause").click()
    expect(page.locator("#held")).to_have_text("")


def test_the_flame_graph_renders_the_workload_hot_function(setup: Setup) -> None:
    page = setup.page
    _line(page, "in", KEPT).locator("button.open-profile").click()
    expect(page.locator("#flame-message")).to_contain_text("pprof", timeout=WAIT_MS)
    expect(page.locator("#sample-type option").first).to_contain_text("cpu")
    frames = page.locator("#flame-graph .frame")
    expect(frames.first).to_be_visible()
    # Below the root and the program's entry frames (`<module>`, `main`), the widest
    # frame is `fib` (a sample outside the program, e.g. under load, must not matter).
    widths = frames.evaluate_all("els => els.map(e => [e.dataset.name, Number(e.dataset.value)])")
    entry = ("total", "<module>", "main")
    below_entry = [(name, value) for name, value in widths if name.split(" ")[0] not in entry]
    widest = max(below_entry, key=lambda item: item[1])
    assert "fib" in widest[0], widths[:10]
    expect(page.locator("#top tbody tr").first).to_contain_text("fib")
    # Search highlights, zoom narrows to the clicked frame, reset brings the root back.
    page.locator("#search").fill("fib")
    expect(page.locator("#flame-graph .frame.match").first).to_be_visible()
    page.locator("#flame-graph .frame.match").first.click()
    expect(page.locator("#flame-graph .frame.root")).to_have_count(0)
    expect(page.locator('#flame-graph .frame[data-depth="0"]')).to_contain_text("fib")
    page.locator("#reset-zoom").click()
    expect(page.locator("#flame-graph .frame.root")).to_have_count(1)
    assert PASSWORD not in page.locator("body").inner_text()


def test_errors_are_listed_with_endpoint_and_status(setup: Setup) -> None:
    api, page = setup.agent.api, setup.page
    assert httpx.get(f"{api}/api/v0/web/debug/{WRITER}/errors").json() == []
    setup.fake.script(Reply(400, body=b"refused by the test"))
    resp = httpx.post(
        f"http://127.0.0.1:{setup.port}/ingest",
        params={"name": f"{KEPT}.cpu{{env=test}}", "format": "pprof"},
        content=cpu_pprof(),
        timeout=60,
    )
    assert resp.status_code == 400
    page.goto(f"{api}/ui/live.html?id={WRITER}")
    row = page.locator("#errors tbody tr.error-row").first
    expect(row).to_contain_text("400", timeout=WAIT_MS)
    expect(row).to_contain_text(f"127.0.0.1:{setup.fake.port}")
    expect(page.locator("#no-errors")).to_be_hidden()
    assert PASSWORD not in page.locator("body").inner_text()


def test_the_api_streams_the_same_lines_for_curl(setup: Setup) -> None:
    url = f"{setup.agent.api}/api/v0/web/debug/{RELABEL}"
    with httpx.stream("GET", url, params={"format": "text", "filter": DROPPED}) as resp:
        assert resp.status_code == 200
        for line in resp.iter_lines():
            assert DROPPED in line
            if "dropped by rule 2" in line:
                break


def test_disabled_says_so_and_holds_nothing(tmp_path: Path) -> None:
    port = free_port()
    with FakePyroscope() as fake:
        config = CONFIG.format(port=port, backend=fake.url, password=PASSWORD, dropped=DROPPED)
        agent = start_agent(config.replace("enabled = true", "enabled = false"), tmp_path)
        try:
            sdk = _run_sdk(port, KEPT)
            output, _ = sdk.communicate(timeout=120)
            assert sdk.returncode == 0, output.decode(errors="replace")
            assert fake.requests, "the SDK's profiles were not forwarded"
            resp = httpx.get(f"{agent.api}/api/v0/web/debug/{RELABEL}")
            assert resp.status_code == 503
            assert resp.text == (
                "the live debugging service is disabled. Check the documentation to find out "
                "how to enable it\n"
            )
            status = httpx.get(f"{agent.api}/api/v0/web/debug").json()
            assert status == {"enabled": False, "memory_bytes": 0}
        finally:
            assert agent.stop() == 0
