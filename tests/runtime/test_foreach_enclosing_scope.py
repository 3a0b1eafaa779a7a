"""A foreach template reads the enclosing body's exports when it evaluates; when those
exports change (here by a reload of the outer component) with the foreach's own arguments
unchanged, every pipeline re-evaluates against the new values, as Alloy's foreach node does
when a template reference changes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alloylite.runtime.component import Stability
from alloylite.runtime.controller import Controller
from alloylite.runtime.registry import default_registry

CONFIG = """
discovery.relabel "zones" {
  targets = [{"zone" = "%s"}]
}

foreach "each" {
  collection = ["a", "b"]
  var        = "item"

  template {
    pyroscope.relabel "tag" {
      forward_to = []
      rule {
        target_label = "zone"
        replacement  = discovery.relabel.zones.output[0]["zone"]
      }
    }
  }
}
"""


def _replacements(ctl: Controller) -> list[str]:
    out = []
    for child in ("foreach.each/foreach_a_1", "foreach.each/foreach_b_1"):
        found = ctl.find(f"{child}/pyroscope.relabel.tag")
        assert found is not None
        out.append(found[1].arguments.rule[0].replacement)
    return out


def test_pipelines_follow_the_enclosing_exports_they_read(tmp_path: Path) -> None:
    path = tmp_path / "config.alloy"
    path.write_text(CONFIG % "eu")

    async def scenario() -> None:
        ctl = Controller(str(path), default_registry(), Stability.EXPERIMENTAL)
        await ctl.load()
        try:
            assert _replacements(ctl) == ["eu", "eu"]
            path.write_text(CONFIG % "us")
            await ctl.load()
            assert _replacements(ctl) == ["us", "us"]
        finally:
            await ctl.stop()

    asyncio.run(scenario())
