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


def test_kept_pipelines_follow_too_when_the_collection_also_changes(tmp_path: Path) -> None:
    path = tmp_path / "config.alloy"
    path.write_text(CONFIG % "eu")

    async def scenario() -> None:
        ctl = Controller(str(path), default_registry(), Stability.EXPERIMENTAL)
        await ctl.load()
        try:
            path.write_text((CONFIG % "us").replace('["a", "b"]', '["a", "b", "c"]'))
            await ctl.load()
            assert _replacements(ctl) == ["us", "us"]  # a and b were kept
            found = ctl.find("foreach.each/foreach_c_1/pyroscope.relabel.tag")
            assert found is not None and found[1].arguments.rule[0].replacement == "us"
        finally:
            await ctl.stop()

    asyncio.run(scenario())


DECLARE = """
declare "m" {
  pyroscope.relabel "r" {
    forward_to = []
    rule {
      target_label = "zone"
      replacement  = "%s"
    }
  }
}
m "x" { }
"""


def test_a_reload_applies_a_changed_declare_body_and_template(tmp_path: Path) -> None:
    """Editing a declare's body or a foreach's template and reloading updates the running
    instances, whose arguments did not change (Alloy re-evaluates them too)."""
    path = tmp_path / "config.alloy"
    path.write_text(DECLARE % "eu" + CONFIG % "eu")

    async def scenario() -> None:
        ctl = Controller(str(path), default_registry(), Stability.EXPERIMENTAL)
        await ctl.load()
        try:
            path.write_text(
                DECLARE % "us"
                + (CONFIG % "eu").replace('target_label = "zone"', 'target_label = "z"')
            )
            await ctl.load()
            found = ctl.find("m.x/pyroscope.relabel.r")
            assert found is not None and found[1].arguments.rule[0].replacement == "us"
            tag = ctl.find("foreach.each/foreach_a_1/pyroscope.relabel.tag")
            assert tag is not None and tag[1].arguments.rule[0].target_label == "z"
        finally:
            await ctl.stop()

    asyncio.run(scenario())
