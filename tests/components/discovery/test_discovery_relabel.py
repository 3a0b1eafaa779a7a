"""discovery.relabel in a running graph: targets in, relabelled targets out (spec §4.1)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alloylite.runtime.component import Stability
from alloylite.runtime.controller import Controller
from alloylite.runtime.registry import default_registry

CONFIG = """
discovery.relabel "pods" {
  targets = [
    {"__address__" = "10.0.0.1:4040", "__meta_app" = "api", "env" = "prod"},
    {"__address__" = "10.0.0.2:4040", "__meta_app" = "noisy", "env" = "dev"},
    {"__address__" = "10.0.0.3:4040", "__meta_app" = "web", "empty" = ""},
  ]

  rule {
    source_labels = ["__meta_app"]
    regex         = "noisy"
    action        = "drop"
  }

  rule {
    source_labels = ["__meta_app"]
    target_label  = "service.name"
  }
}

discovery.relabel "only_prod" {
  targets = discovery.relabel.pods.output

  rule {
    source_labels = ["env"]
    regex         = "prod"
    action        = "keep"
  }
}
"""


def test_targets_are_relabelled_in_order_and_chained(tmp_path: Path) -> None:
    path = tmp_path / "main.alloy"
    path.write_text(CONFIG)

    async def main() -> None:
        ctl = Controller(str(path), default_registry(), Stability.GENERALLY_AVAILABLE)
        await ctl.load()
        try:
            for _ in range(200):
                if ctl.components["discovery.relabel.only_prod"].exports.get("output"):
                    break
                await asyncio.sleep(0.01)
            pods = ctl.components["discovery.relabel.pods"].exports["output"]
            only_prod = ctl.components["discovery.relabel.only_prod"].exports["output"]
        finally:
            await ctl.stop()
        # __meta_* labels stay (only rules remove them); a dotted target is valid here
        # (UTF-8 names); an empty value counts as absent.
        assert pods == [
            {
                "__address__": "10.0.0.1:4040",
                "__meta_app": "api",
                "env": "prod",
                "service.name": "api",
            },
            {"__address__": "10.0.0.3:4040", "__meta_app": "web", "service.name": "web"},
        ]
        assert only_prod == [pods[0]]

    asyncio.run(asyncio.wait_for(main(), 30))
