"""The web UI shows the components inside modules: the instance of a `declare` links to
its module, whose page (`/ui/?module=<module ID>`) draws the module's own graph and cards,
each card's live-debugging link naming the component by its global ID. Real headless
Chromium, as tests/ui/test_web_ui.py."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import expect, sync_playwright

from tests.integration.agent import free_port, start_agent
from tests.integration.fake_pyroscope import FakePyroscope
from tests.integration.test_module_pipeline import one_instance
from tests.ui.test_web_ui import WAIT_MS, _launch


def test_a_module_has_its_own_page_reached_from_its_instance(tmp_path: Path) -> None:
    port = free_port()
    with FakePyroscope() as fake, sync_playwright() as pw:
        agent = start_agent(one_instance("eu", fake.url, port), tmp_path)
        browser = _launch(pw, tmp_path / "chromium-profile")
        try:
            page = browser.new_page()
            page.goto(agent.api + "/")
            expect(page.locator("body")).to_have_attribute("data-loaded", "true", timeout=WAIT_MS)
            instance = page.locator('.card[data-component="profiles_out.eu"]')
            link = instance.locator('a[data-module="profiles_out.eu"]')
            expect(link).to_be_visible(timeout=WAIT_MS)
            link.click()
            expect(page.locator("#module")).to_contain_text("profiles_out.eu", timeout=WAIT_MS)
            writer = page.locator('.card[data-component="pyroscope.write.backend"]')
            expect(writer).to_be_visible(timeout=WAIT_MS)
            expect(page.locator('g.node[data-id="pyroscope.relabel.add_zone"]')).to_be_visible()
            live = writer.locator(".live-link a")
            expect(live).to_have_attribute(
                "href", "/ui/live.html?id=profiles_out.eu%2Fpyroscope.write.backend"
            )
            # live.js asks with the ID URL-encoded: `%2F` reaches the route as `/`
            encoded = "profiles_out.eu%2Fpyroscope.write.backend"
            errors = httpx.get(f"{agent.api}/api/v0/web/debug/{encoded}/errors")
            assert errors.status_code == 200 and errors.json() == []
            unknown = httpx.get(f"{agent.api}/api/v0/web/graph/nope.x")
            assert unknown.status_code == 500
        finally:
            browser.close()
            assert agent.stop() == 0
