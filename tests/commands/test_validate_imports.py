"""`alloylite validate` starts fast in CI: what it must not import.

Timing is never asserted; the modules a run loads are. Lark is needed only to analyse the
grammar when its cached tables are missing; the stdlib's codecs (yaml, json, decimal, the
JSONPath engine) only when a config calls them; the agent's logging and HTTP stack never.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CONFIG = """\
logging {
  level = "warn"
}

pyroscope.write "backend" {
  endpoint {
    url = coalesce(sys.env("PYROSCOPE_URL"), "http://pyroscope:4040")
    basic_auth {
      username = string.format("tenant-%d", 1)
      password = sys.env("PYROSCOPE_PASSWORD")
    }
  }
  external_labels = {
    "host" = constants.hostname,
    "ratio" = 0.25,
  }
}

pyroscope.receive_http "default" {
  http {
    listen_address = "0.0.0.0"
    listen_port    = 9999
  }
  forward_to = [pyroscope.write.backend.receiver]
}
"""

NEVER = (
    "lark",
    "regex",
    "yaml",
    "json",
    "decimal",
    "logging",
    "socket",
    "platform",
    "hashlib",
    "starlette",
    "uvicorn",
    "httpx",
    "alloylite.eval.stdlib.goyaml",
    "alloylite.eval.stdlib.gojson",
    "alloylite.eval.stdlib.jsonpath",
    "alloylite.runtime.controller",
)


def _modules_of_validate(tmp_path: Path, config: str) -> tuple[int, set[str]]:
    path = tmp_path / "config.alloy"
    path.write_text(config)
    code = (
        "import sys\n"
        "from alloylite.cli import main\n"
        f"rc = main(['validate', {str(path)!r}, '--stability.level=public-preview'])\n"
        "print(rc, ' '.join(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    rc, *modules = out.strip().splitlines()[-1].split(" ")
    return int(rc), set(modules)


def test_validate_loads_no_heavy_module_once_the_grammar_is_cached(tmp_path: Path) -> None:
    rc, first = _modules_of_validate(tmp_path, CONFIG)
    assert rc == 0
    assert "lark" in first  # no cache yet: Lark analysed the grammar, and cached the tables
    rc, modules = _modules_of_validate(tmp_path, CONFIG)
    assert rc == 0
    assert "alloylite.syntax.parser" in modules and "alloylite.eval.stdlib" in modules
    assert sorted(m for m in NEVER if m in modules) == []


def test_stdlib_codecs_load_when_a_config_calls_them(tmp_path: Path) -> None:
    config = CONFIG.replace(
        '"host" = constants.hostname', '"host" = encoding.from_yaml("a: b")["a"]'
    )
    rc, modules = _modules_of_validate(tmp_path, config)
    assert rc == 0
    assert "yaml" in modules and "alloylite.eval.stdlib.goyaml" in modules
