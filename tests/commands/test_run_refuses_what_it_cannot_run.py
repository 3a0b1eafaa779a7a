"""`alloylite run` is honest about what it can run (issue 11, Deliver 5): a config that
validates but uses components alloylite cannot run fails at load, before anything starts,
with one diagnostic per such block and the list of what it runs."""

from __future__ import annotations

from pathlib import Path

from alloylite.runtime.registry import default_registry
from tests.commands.cli_support import run_cli

CONFIG = """\
prometheus.scrape "a" {
  targets    = []
  forward_to = []
}
loki.write "l" {
  endpoint { url = "http://127.0.0.1:1" }
}
pyroscope.write "w" {
  endpoint { url = "http://127.0.0.1:1" }
}
"""
IN_A_MODULE = """\
declare "logs" {
  loki.source.file "f" {
    targets    = []
    forward_to = []
  }
}
logs "x" { }
"""


def alloylite(*args: str) -> tuple[int, str]:
    rc, _, err = run_cli(*args)
    return rc, err


def test_one_diagnostic_per_block_it_cannot_run_with_the_list_of_what_it_runs(
    tmp_path: Path,
) -> None:
    path = tmp_path / "config.alloy"
    path.write_text(CONFIG)
    assert alloylite("validate", str(path)) == (0, "")
    rc, err = alloylite("run", str(path), "--server.http.listen-addr=127.0.0.1:0")
    runs = ", ".join(sorted(default_registry().names()))
    assert "pyroscope.write" in runs and "prometheus.scrape" not in runs
    errors = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert (rc, errors) == (
        1,
        [
            f'Error: {path}:1:1: component "prometheus.scrape" is valid Alloy but alloylite '
            f"cannot run it (alloylite runs {runs})",
            f'Error: {path}:5:1: component "loki.write" is valid Alloy but alloylite cannot '
            f"run it (alloylite runs {runs})",
            "Error: could not perform the initial load successfully",
        ],
    )
    assert "Traceback" not in err


def test_inside_modules_every_block_is_named_before_anything_starts(tmp_path: Path) -> None:
    """Blocks in the declares a config instantiates and in foreach templates are refused at
    load with the root's: one diagnostic each, a declare used twice reported once, an
    unused declare not at all."""
    path = tmp_path / "config.alloy"
    path.write_text(
        IN_A_MODULE
        + 'logs "y" { }\n'
        + 'declare "unused" {\n  loki.write "w" {\n    endpoint { url = "http://x" }\n  }\n}\n'
        + 'foreach "f" {\n  collection = []\n  var = "i"\n  template {\n'
        + '    prometheus.scrape "s" {\n      targets = []\n      forward_to = []\n    }\n'
        + '    logs "z" { }\n  }\n}\n'
        + 'prometheus.scrape "root" {\n  targets = []\n  forward_to = []\n}\n'
    )
    assert alloylite("validate", "--stability.level=experimental", str(path)) == (0, "")
    rc, err = alloylite(
        "run", str(path), "--server.http.listen-addr=127.0.0.1:0", "--stability.level=experimental"
    )
    runs = ", ".join(sorted(default_registry().names()))
    errors = [line for line in err.splitlines() if line.startswith("Error: ")]
    message = "is valid Alloy but alloylite cannot run it (alloylite runs " + runs + ")"
    assert (rc, errors) == (
        1,
        [
            f'Error: {path}:2:3: component "loki.source.file" {message}',
            f'Error: {path}:18:5: component "prometheus.scrape" {message}',
            f'Error: {path}:25:1: component "prometheus.scrape" {message}',
            "Error: could not perform the initial load successfully",
        ],
    )


def test_a_socks_proxy_is_refused_at_load_by_the_component_that_has_it(tmp_path: Path) -> None:
    path = tmp_path / "config.alloy"
    path.write_text(
        'pyroscope.write "w" {\n  endpoint {\n    url = "http://127.0.0.1:1"\n'
        '    proxy_url = "socks5://127.0.0.1:1080"\n  }\n}\n'
    )
    assert alloylite("validate", str(path)) == (0, "")
    rc, err = alloylite("run", str(path), "--server.http.listen-addr=127.0.0.1:0")
    assert rc == 1
    assert (
        f"Error: {path}:1:1: Failed to build component: building component: proxy_url: "
        'alloylite supports http and https proxies, not "socks5"' in err
    )
