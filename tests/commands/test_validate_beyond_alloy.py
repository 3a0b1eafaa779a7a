"""alloylite's own checks in `validate` (issue 11, Deliver 3): what `alloy validate` misses
but `alloy run` refuses. Each is reported after Alloy's diagnostics, and none fires on a
config `run` accepts: every case below is also refused by `alloylite run` at load, and its
corrected twin validates silently."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.commands.cli_support import write

# A reference that is only known at run time sits next to each broken rule, as in real
# configs (targets come from discovery): the rule is still checked.
HASHMOD = """\
discovery.process "pods" {
  refresh_interval = "1h"
}
discovery.relabel "shard" {
  targets = discovery.process.pods.targets
  rule {
    source_labels = ["__address__"]
    target_label  = "__tmp_hash"
    action        = "hashmod"
  }
}
"""
SCRAPE = """\
pyroscope.scrape "s" {
  targets         = discovery.relabel.shard.output
  forward_to      = [pyroscope.write.w.receiver]
  scrape_interval = "5s"
}
pyroscope.write "w" {
  endpoint { url = "http://127.0.0.1:4040" }
}
"""
AUTH = """\
pyroscope.write "w" {
  endpoint {
    url          = sys.env("ALLOYLITE_TEST_URL")
    bearer_token = "token"
    basic_auth {
      username = "u"
      password = "p"
    }
  }
}
"""
ENV = """\
pyroscope.receive_http "in" {
  http {
    listen_port = sys.env("ALLOYLITE_TEST_PORT")
  }
  forward_to = [pyroscope.write.w.receiver]
}
pyroscope.write "w" {
  endpoint { url = "http://127.0.0.1:4040" }
}
"""
ENVIRONMENT = {"ALLOYLITE_TEST_URL": "http://127.0.0.1:4040", "ALLOYLITE_TEST_PORT": "99999"}

# (config, alloylite's own diagnostic, the same config as `run` accepts it)
CASES = {
    "hashmod": (
        HASHMOD,
        "6:3: relabel configuration for hashmod requires non-zero modulus",
        HASHMOD.replace('"hashmod"\n', '"hashmod"\n    modulus       = 4\n'),
    ),
    "scrape": (
        HASHMOD.replace("hashmod", "replace") + SCRAPE,
        "12:1: delta_profiling_duration must be at least 1 second smaller than scrape_interval "
        "when using delta profiling",
        HASHMOD.replace("hashmod", "replace") + SCRAPE.replace('"5s"', '"15s"'),
    ),
    "auth": (
        AUTH,
        "2:3: at most one of basic_auth, authorization, oauth2, bearer_token & "
        "bearer_token_file must be configured",
        AUTH.replace('    bearer_token = "token"\n', ""),
    ),
    "environment": (
        ENV,
        "2:3: listen_port must be between 0 and 65535, got 99999",
        ENV.replace("ALLOYLITE_TEST_PORT", "ALLOYLITE_TEST_GOOD_PORT"),
    ),
}


def alloylite(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    environment = {**os.environ, "NO_COLOR": "1", **ENVIRONMENT, "ALLOYLITE_TEST_GOOD_PORT": "0"}
    proc = subprocess.run(
        [sys.executable, "-m", "alloylite", *args, "--stability.level=public-preview"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**environment, **(env or {})},
    )
    return proc.returncode, proc.stderr


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error: ")]


@pytest.mark.parametrize("case", CASES)
def test_own_check_fires_after_alloys_diagnostics(tmp_path: Path, case: str) -> None:
    text, own, _ = CASES[case]
    alloy_error = 'loki.write "l" {\n  endpoint { urll = "x" }\n}\n'
    path = write(tmp_path, text + alloy_error)
    rc, err = alloylite("validate", path)
    line = text.count("\n") + 2
    assert (rc, errors(err)) == (
        1,
        [
            f'Error: {path}:{line}:14: unrecognized attribute name "urll"',
            f'Error: {path}:{line}:3: missing required attribute "url"',
            f"Error: {path}:{own}",
            "Error: validation failed",
        ],
    )
    assert "Traceback" not in err


@pytest.mark.parametrize("case", CASES)
def test_own_check_never_fires_on_a_config_run_accepts(tmp_path: Path, case: str) -> None:
    text, own, accepted = CASES[case]
    assert alloylite("validate", write(tmp_path, accepted)) == (0, "")
    # What validate reports, `run` refuses at load (in its own words, on the same line).
    rc, err = alloylite(
        "run", write(tmp_path, text, "run.alloy"), "--server.http.listen-addr=127.0.0.1:0"
    )
    message = own.split(": ", 1)[1]
    assert rc == 1 and message in err and "could not perform the initial load" in err


def test_environment_values_are_judged_only_when_the_variable_is_set(tmp_path: Path) -> None:
    unset = ENV.replace("ALLOYLITE_TEST_PORT", "ALLOYLITE_TEST_UNSET")
    assert alloylite("validate", write(tmp_path, unset)) == (0, "")
    wrong_kind = {"ALLOYLITE_TEST_PORT": "not a number"}
    rc, err = alloylite("validate", write(tmp_path, ENV), env=wrong_kind)
    path = tmp_path / "config.alloy"
    message = f'Error: {path}:3:19: sys.env("ALLOYLITE_TEST_PORT") should be number, got string'
    assert (rc, errors(err)) == (1, [message, "Error: validation failed"])
    rc, run_err = alloylite(
        "run", str(path), "--server.http.listen-addr=127.0.0.1:0", env=wrong_kind
    )
    assert rc == 1 and message in run_err  # `run`'s own words, which validate borrows
    # A read mixed with an unset variable is left to `run`; a bad call is always an error.
    mixed = ENV.replace(
        'sys.env("ALLOYLITE_TEST_PORT")',
        'sys.env("ALLOYLITE_TEST_PORT") + sys.env("ALLOYLITE_TEST_UNSET")',
    )
    assert alloylite("validate", write(tmp_path, mixed), env={"ALLOYLITE_TEST_PORT": "1"}) == (
        0,
        "",
    )
    rc, err = alloylite("validate", write(tmp_path, ENV.replace('"ALLOYLITE_TEST_PORT"', "")))
    assert rc == 1 and "sys.env expected 1 args, got 0" in err


def test_an_export_the_component_does_not_have_comes_after_alloys_diagnostics(
    tmp_path: Path,
) -> None:
    text = (
        'discovery.kubernetes "pods" {\n  role = "pod"\n}\n'
        'discovery.relabel "r" {\n  targets = discovery.kubernetes.pods.targetz\n}\n'
        'prometheus.scrape "s" {\n  targets = []\n  forward_to = []\n  job = "x"\n}\n'
    )
    path = write(tmp_path, text)
    rc, err = alloylite("validate", path)
    assert (rc, errors(err)) == (
        1,
        [
            f'Error: {path}:10:3: unrecognized attribute name "job"',
            f'Error: {path}:5:39: field "targetz" does not exist',
            "Error: validation failed",
        ],
    )
