"""receive_http's arguments as Alloy text: defaults, block overlay, errors, stability."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from alloylite.components.pyroscope.receive_http.arguments import (
    Arguments,
    HTTPArguments,
    TLSArguments,
)
from alloylite.runtime.schema import encode

REPO = Path(__file__).resolve().parents[3]


def validate(tmp_path: Path, text: str, *flags: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "config.alloy"
    path.write_text(text)
    return subprocess.run(
        [sys.executable, "-m", "alloylite", "validate", str(path), *flags],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


def test_defaults_are_alloys() -> None:
    http = HTTPArguments()
    assert (http.listen_address, http.listen_port, http.conn_limit) == ("", 8080, 16384)
    encoded = encode(Arguments(forward_to=[]))
    assert encoded["http"]["server_read_timeout"] == "30s"
    assert encoded["http"]["server_write_timeout"] == "30s"
    assert encoded["http"]["server_idle_timeout"] == "2m0s"
    assert encoded["graceful_shutdown_timeout"] == "30s"
    assert encoded["max_request_body_size"] == 256 * 1024 * 1024


OK_CONFIG = """
pyroscope.receive_http "default" {
  http {
    listen_port = 4999
    tls {
      cert_file        = "/etc/cert.pem"
      key_file         = "/etc/key.pem"
      client_auth_type = "RequireAndVerifyClientCert"
      client_ca_file   = "/etc/ca.pem"
      min_version      = "TLS12"
    }
    http2 {
      enabled = false
    }
  }
  grpc {
    listen_port = 0
  }
  graceful_shutdown_timeout = "5s"
  max_request_body_size     = 1048576
  forward_to                = []
}
"""


def test_a_full_config_validates(tmp_path: Path) -> None:
    done = validate(tmp_path, OK_CONFIG, "--stability.level=public-preview")
    assert done.returncode == 0, done.stdout + done.stderr


def test_it_is_generally_available_as_in_alloy_since_1_10(tmp_path: Path) -> None:
    done = validate(tmp_path, OK_CONFIG)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", 'missing required attribute "forward_to"'),
        ("forward_to = []\nhttp {\n  port = 1\n}", 'unrecognized attribute name "port"'),
        ("forward_to = []\nhttp {\n}\nhttp {\n}", 'block "http" may only be specified once'),
        ('forward_to = []\nhttp {\n  listen_port = "x"\n}', "listen_port"),
        ("forward_to = []\nhttp {\n  listen_port = 70000\n}", "listen_port must be between"),
        (
            'forward_to = []\nhttp {\n  tls {\n    cert_file = "a"\n  }\n}',
            "both a certificate and a key",
        ),
        (
            'forward_to = []\nhttp {\n  tls {\n    cert_file = "a"\n    key_file = "b"\n'
            '    min_version = "TLS99"\n  }\n}',
            'unknown min_version "TLS99"',
        ),
        ("forward_to = []\nmax_request_body_size = -1", "must not be negative"),
        # The decoder's message, as for any attribute: the expression, then the index.
        ('forward_to = ["nope"]', '2:14: ["nope"][0] should be capsule, got string'),
    ],
)
def test_config_errors(tmp_path: Path, body: str, message: str) -> None:
    text = 'pyroscope.receive_http "x" {\n' + body + "\n}\n"
    done = validate(tmp_path, text, "--stability.level=public-preview")
    assert done.returncode == 1
    assert message in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_tls_key_pem_is_a_secret_in_the_api() -> None:
    from alloylite.eval.values import Secret

    tls = TLSArguments(cert_pem="CERT", key_pem=Secret("KEYMATERIAL"))
    assert encode(tls)["key_pem"] == "(secret)"
