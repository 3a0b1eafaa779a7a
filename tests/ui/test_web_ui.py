"""The agent's web UI end to end: `alloylite run` with receive_http -> write into
a fake Pyroscope, a profile sent to /ingest, and the UI opened in a real headless
Chromium (Debian's, driven by Playwright). Chromium missing is a failure, not a
skip: CI installs it (.ci/run).

Playwright's `expect` polls until the page shows what is expected; nothing here
asserts on how long anything takes.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect, sync_playwright

from tests.integration.agent import Agent, free_port, start_agent
from tests.integration.fake_pyroscope import FakePyroscope
from tests.integration.profiles import cpu_pprof

CHROMIUM = os.environ.get("ALLOYLITE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "ui-test-pa55word-never-shown"
RECEIVER = "pyroscope.receive_http.default"
WRITER = "pyroscope.write.backend"
WAIT_MS = 60_000  # how long `expect` may poll; a ceiling, never a measured duration

CONFIG = """
pyroscope.receive_http "default" {{
  http {{
    listen_address = "127.0.0.1"
    listen_port    = {port}
  }}
  forward_to = [pyroscope.write.backend.receiver]
}}

pyroscope.write "backend" {{
  endpoint {{
    url = "{backend}"
    basic_auth {{
      username = "ui-user"
      password = "{password}"
    }}
  }}
  external_labels = {{ "cluster" = "ui-test" }}
}}
"""


class Setup:
    def __init__(
        self, fake: FakePyroscope, agent: Agent, port: int, page: Page, shots: Path, config: Path
    ) -> None:
        self.fake, self.agent, self.port, self.page, self.shots = fake, agent, port, page, shots
        self.config = config

    def ingest(self) -> httpx.Response:
        return httpx.post(
            f"http://127.0.0.1:{self.port}/ingest",
            params={
                "name": "ui.app.cpu{env=test}",
                "from": "1795606102",
                "until": "1795606112",
                "format": "pprof",
                "spyName": "pyspy",
            },
            content=cpu_pprof(),
            timeout=60,
        )


def _launch(playwright: Playwright, user_data: Path) -> BrowserContext:
    """Debian's chromium with a fresh profile (Playwright's own browsers are never downloaded)."""
    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), "
        "as .ci/run does"
    )
    return playwright.chromium.launch_persistent_context(
        str(user_data),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 900},
    )


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    tmp = tmp_path_factory.mktemp("ui")
    port = free_port()
    with FakePyroscope() as fake, sync_playwright() as pw:
        agent_dir = tmp / "agent"
        agent_dir.mkdir()
        agent = start_agent(
            CONFIG.format(port=port, backend=fake.url, password=PASSWORD), agent_dir
        )
        browser = _launch(pw, tmp / "chromium-profile")
        try:
            page = browser.new_page()
            page.goto(agent.api + "/")
            expect(page.locator("body")).to_have_attribute("data-loaded", "true", timeout=WAIT_MS)
            yield Setup(fake, agent, port, page, tmp, agent_dir / "config.alloy")
        finally:
            browser.close()
            assert agent.stop() == 0


def _card(page: Page, cid: str):  # noqa: ANN202 - a Playwright Locator
    return page.locator(f'.card[data-component="{cid}"]')


def _counter(page: Page, cid: str, name: str):  # noqa: ANN202
    return _card(page, cid).locator(f'[data-counter="{name}"] .value')


def test_graph_shows_both_components_and_the_reference(setup: Setup) -> None:
    page = setup.page
    receiver = page.locator(f'svg g.node[data-id="{RECEIVER}"]')
    writer = page.locator(f'svg g.node[data-id="{WRITER}"]')
    expect(receiver).to_contain_text("pyroscope.receive_http")
    expect(receiver).to_contain_text('"default"')
    expect(writer).to_contain_text("pyroscope.write")
    expect(writer).to_contain_text('"backend"')
    expect(
        page.locator(f'svg path.edge[data-from="{RECEIVER}"][data-to="{WRITER}"]')
    ).to_have_count(1)
    expect(page.locator("svg path.edge")).to_have_count(1)
    # Layers run left to right in the direction profiles travel.
    left, right = receiver.bounding_box(), writer.bounding_box()
    assert left is not None and right is not None
    assert left["x"] + left["width"] <= right["x"]


def test_health_is_shown_for_each_component(setup: Setup) -> None:
    page = setup.page
    for cid in (RECEIVER, WRITER):
        expect(page.locator(f'svg g.node[data-id="{cid}"] text.health')).to_have_text("healthy")
        expect(_card(page, cid).locator("summary .badge")).to_have_text("healthy")
        expect(_card(page, cid).locator(".health-message")).to_have_text("started component")
    expect(page.locator("#summary")).to_have_text("2 components · 2 healthy")


def test_arguments_and_exports_hide_the_secret(setup: Setup) -> None:
    page = setup.page
    writer = _card(page, WRITER)
    args = writer.locator(".slot-arguments")
    expect(args).to_contain_text("ui-user")
    expect(args).to_contain_text(setup.fake.url)
    expect(args.locator(".v-secret")).to_have_text(["(secret)"])
    password = args.locator("xpath=.//th[normalize-space()='password']/following-sibling::td[1]")
    expect(password).to_have_text("(secret)")
    expect(writer.locator(".slot-exports")).to_contain_text("receiver")
    receiver = _card(page, RECEIVER)
    expect(receiver.locator(".slot-arguments")).to_contain_text("forward_to")
    expect(receiver.locator(".refs")).to_contain_text(f"Sends to: {WRITER}")
    expect(writer.locator(".refs")).to_contain_text(f"Receives from: {RECEIVER}")
    # Neither the rendered page nor anything the UI fetched holds the password.
    assert PASSWORD not in page.content()
    assert PASSWORD not in page.locator("body").inner_text()
    graph = httpx.get(setup.agent.api + "/api/v0/web/graph", timeout=30)
    assert graph.status_code == 200
    assert PASSWORD not in graph.text
    assert "(secret)" in graph.text


def test_counters_refresh_live_after_a_profile_is_forwarded(setup: Setup) -> None:
    page = setup.page
    expect(_counter(page, WRITER, "forwarded")).to_have_text("0")
    expect(_counter(page, RECEIVER, "received")).to_have_text("0")
    assert setup.ingest().status_code == 200
    assert len(setup.fake.wait_for(1)) == 1
    # No reload: the page's own polling brings the new figures.
    expect(_counter(page, WRITER, "forwarded")).to_have_text("1", timeout=WAIT_MS)
    expect(_counter(page, WRITER, "dropped")).to_have_text("0")
    expect(_counter(page, RECEIVER, "received")).to_have_text("1", timeout=WAIT_MS)
    expect(_counter(page, RECEIVER, "accepted")).to_have_text("1")
    expect(_counter(page, RECEIVER, "rejected")).to_have_text("0")
    # Tooltips come from each registration's CounterRule descriptions.
    dropped = _card(page, WRITER).locator('[data-counter="dropped"]')
    expect(dropped).to_have_attribute("title", "profiles dropped after the last retry")
    expect(page.locator(f'svg g.node[data-id="{WRITER}"] text.counters')).to_have_text(
        "forwarded 1 · dropped 0"
    )
    expect(page.locator(f'svg g.node[data-id="{RECEIVER}"] text.counters')).to_have_text(
        "received 1 · rejected 0"
    )
    expect(page.locator("#status")).to_have_class(re.compile(r"\bok\b"))

    shot = Path(os.environ.get("ALLOYLITE_UI_SCREENSHOT", str(setup.shots / "alloylite-ui.png")))
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    print(f"UI screenshot: {shot}")


def test_clicking_a_box_selects_its_card(setup: Setup) -> None:
    page = setup.page
    page.locator(f'svg g.node[data-id="{WRITER}"]').click()
    expect(_card(page, WRITER)).to_have_class(re.compile(r"\bselected\b"))
    expect(page.locator(f'svg g.node[data-id="{WRITER}"]')).to_have_class(
        re.compile(r"\bselected\b")
    )
    assert page.evaluate("location.hash") == "#" + WRITER


def test_static_routes(setup: Setup) -> None:
    api = setup.agent.api
    root = httpx.get(api + "/", timeout=30)
    assert root.status_code == 200 and root.headers["content-type"].startswith("text/html")
    assert httpx.get(api + "/ui/", timeout=30).text == root.text
    moved = httpx.get(api + "/ui", timeout=30)
    assert (moved.status_code, moved.headers["location"]) == (302, "/ui/")
    script = httpx.get(api + "/ui/app.js", timeout=30)
    assert script.headers["content-type"].startswith("text/javascript")
    for path in ("/ui/../app.py", "/ui/ui.py", "/ui/%2e%2e/app.py", "/ui/nothing.js"):
        assert httpx.get(api + path, timeout=30).status_code == 404, path
    components = json.loads(httpx.get(api + "/api/v0/web/components", timeout=30).text)
    assert sorted(c["localID"] for c in components) == [RECEIVER, WRITER]


# The last two tests change the agent under the open page: a reload that fails
# evaluation, then the agent going away.


def test_a_failed_reload_shows_the_component_unhealthy(setup: Setup) -> None:
    page = setup.page
    text = setup.config.read_text()
    setup.config.write_text(
        text.replace(f"listen_port    = {setup.port}", 'listen_port    = "not a number"')
    )
    assert httpx.post(setup.agent.api + "/-/reload", timeout=60).status_code == 400
    receiver = page.locator(f'svg g.node[data-id="{RECEIVER}"]')
    expect(receiver.locator("text.health")).to_have_text("unhealthy", timeout=WAIT_MS)
    expect(receiver).to_have_class(re.compile(r"\bhealth-unhealthy\b"))
    expect(_card(page, RECEIVER).locator(".health-message")).to_have_text(
        '"not a number" should be number, got string'
    )
    expect(page.locator("#summary")).to_have_text("2 components · 1 healthy · 1 unhealthy")
    # The last good arguments stay on show, and the counters keep counting.
    expect(_card(page, RECEIVER).locator(".slot-arguments")).to_contain_text(str(setup.port))
    expect(_counter(page, RECEIVER, "received")).to_have_text("1")


def test_the_page_keeps_the_last_picture_when_the_agent_is_gone(setup: Setup) -> None:
    page = setup.page
    assert setup.agent.stop() == 0
    expect(page.locator("#status")).to_have_class(re.compile(r"\berror\b"), timeout=WAIT_MS)
    expect(page.locator("#status-text")).to_contain_text("cannot reach the agent")
    expect(page.locator("svg g.node")).to_have_count(2)
    expect(_counter(page, WRITER, "forwarded")).to_have_text("1")
