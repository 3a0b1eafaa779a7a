"""Module IDs (Alloy's controller IDs): a custom component instance runs its body as module
`<instance ID>`, a foreach pipeline as `<foreach ID>/foreach_<item>_<n>`, nested ones below
their parent's. The whole tree shares one map of running modules and one live-debugging hub,
where a module's component is found by its global ID `<module ID>/<local ID>`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from alloylite.runtime.component import Stability
from alloylite.runtime.controller import Controller, LoadFailed
from alloylite.runtime.registry import default_registry

CONFIG = """
livedebugging {
  enabled = true
}

declare "outer" {
  declare "inner" {
    pyroscope.relabel "r" {
      forward_to = []
    }
  }

  inner "deep" { }

  foreach "each" {
    collection = ["a b", "c"]
    var        = "item"

    template {
      pyroscope.relabel "per_item" {
        forward_to = []
      }
    }
  }
}

outer "x" { }
"""


def test_modules_are_registered_under_alloys_ids_and_leave_when_stopped(tmp_path: Path) -> None:
    path = tmp_path / "config.alloy"
    path.write_text(CONFIG)

    async def scenario() -> None:
        ctl = Controller(str(path), default_registry(), Stability.EXPERIMENTAL)
        await ctl.load()
        try:
            assert sorted(ctl.modules) == [
                "outer.x",
                "outer.x/foreach.each/foreach_a_b_1",
                "outer.x/foreach.each/foreach_c_1",
                "outer.x/inner.deep",
            ]
            outer = ctl.modules["outer.x"]
            assert ctl.created_modules("outer.x") == ["outer.x"]
            assert outer.created_modules("inner.deep") == ["outer.x/inner.deep"]
            assert outer.created_modules("foreach.each") == [
                "outer.x/foreach.each/foreach_a_b_1",
                "outer.x/foreach.each/foreach_c_1",
            ]
            deep = ctl.modules["outer.x/inner.deep"]
            assert deep.component_path == "/outer.x/inner.deep"
            found = ctl.find("outer.x/inner.deep/pyroscope.relabel.r")
            assert found is not None and found[0] is deep
            assert ctl.find("outer.x/inner.deep/pyroscope.relabel.nope") is None
            assert ctl.find("nope/pyroscope.relabel.r") is None
            # One hub: the module's component publishes where the API looks for it.
            assert ctl.live.enabled
            assert ctl.live.find("outer.x/inner.deep/pyroscope.relabel.r") is not None
        finally:
            await ctl.stop()
        assert ctl.modules == {}

    asyncio.run(scenario())


BROKEN_PIPELINE = """
foreach "each" {
  collection = %s
  var        = "item"

  template {
    declare "inner" {
      pyroscope.relabel "r" {
        forward_to = []
      }
    }
    inner "x" { }

    pyroscope.relabel "bad" {
      forward_to = []
      rule {
        action = "hashmod"
      }
    }
  }
}
"""


def test_a_pipeline_that_fails_to_load_leaves_no_module_or_channel(tmp_path: Path) -> None:
    """A reload whose new foreach pipeline fails keeps nothing of it: not in the module
    map (so not in the API, /metrics or the UI), no live channel, nothing running after
    stop; a stopped module's live channels go with it."""
    path = tmp_path / "config.alloy"
    path.write_text("livedebugging {\n  enabled = true\n}\n" + BROKEN_PIPELINE % "[]")

    async def scenario() -> None:
        ctl = Controller(str(path), default_registry(), Stability.EXPERIMENTAL)
        await ctl.load()
        try:
            path.write_text("livedebugging {\n  enabled = true\n}\n" + BROKEN_PIPELINE % '["a"]')
            with pytest.raises(LoadFailed):
                await ctl.load()
            assert ctl.modules == {}
            assert ctl.live.find("foreach.each/foreach_a_1/inner.x/pyroscope.relabel.r") is None
        finally:
            await ctl.stop()
        assert ctl.modules == {}

    asyncio.run(scenario())


def test_a_stopped_module_forgets_its_live_channels(tmp_path: Path) -> None:
    path = tmp_path / "config.alloy"
    path.write_text(CONFIG)

    async def scenario() -> None:
        ctl = Controller(str(path), default_registry(), Stability.EXPERIMENTAL)
        await ctl.load()
        channel = "outer.x/foreach.each/foreach_c_1/pyroscope.relabel.per_item"
        assert ctl.live.find(channel) is not None
        path.write_text(CONFIG.replace('["a b", "c"]', '["a b"]'))
        await ctl.load()
        assert ctl.live.find(channel) is None
        assert ctl.live.find("outer.x/inner.deep/pyroscope.relabel.r") is not None
        await ctl.stop()

    asyncio.run(scenario())
