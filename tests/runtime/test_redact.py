"""Secret literals are masked in diagnostic code frames, byte for byte."""

from __future__ import annotations

from alloylite.runtime.redact import redact_source, redact_sources
from alloylite.runtime.registry import default_registry
from alloylite.runtime.schema import encode

CONFIG = """pyroscope.write "w" {
  endpoint {
    url          = "http://user:pä55@127.0.0.1:4040"
    bearer_token = "tok-" + "en"
    headers      = { "X-Scope-OrgID" = "tenant-1" }
    http_headers = { "X-Key" = ["k1", "k2"] }
    basic_auth {
      username = "visible-user"
      password = sys.env("PW")
    }
  }
}
logging {
  level = "debug"
}
"""


def test_secret_literals_and_url_passwords_become_stars_of_the_same_length() -> None:
    source = CONFIG.encode()
    out = redact_source(source, "main.alloy", default_registry())
    assert len(out) == len(source)
    text = out.decode("utf-8", "replace")
    assert 'url          = "http://user:*****@127.0.0.1:4040"' in text  # ä is two bytes
    assert 'bearer_token = "****" + "**"' in text
    assert '"X-Key" = ["**", "**"]' in text
    # Not secrets: kept as written.
    assert '"X-Scope-OrgID" = "tenant-1"' in text
    assert 'username = "visible-user"' in text
    # Inside a secret attribute every string literal goes, even a call's argument
    # (it might be `encoding.from_base64("...")` of the secret itself).
    assert 'password = sys.env("**")' in text
    assert 'level = "debug"' in text
    # Line structure is unchanged, so line numbers and carets stay right.
    assert [len(line) for line in out.split(b"\n")] == [len(line) for line in source.split(b"\n")]


def test_a_file_that_does_not_parse_is_masked_for_urls_only() -> None:
    source = (
        b'pyroscope.write "w" {\n  endpoint {\n    url = "http://u:secret@h"\n    password = "pw"\n'
    )
    out = redact_source(source, "main.alloy", default_registry())
    assert b"secret" not in out
    assert b'"http://u:******@h"' in out


def test_redact_sources_keeps_every_file() -> None:
    sources = {"a.alloy": CONFIG.encode(), "b.alloy": b"x = 1\n"}
    out = redact_sources(sources)
    assert set(out) == {"a.alloy", "b.alloy"}
    assert out["b.alloy"] == b"x = 1\n"


def test_the_api_encoding_redacts_url_passwords() -> None:
    assert encode({"url": "https://u:p%40ss@host:1/x?q=a:b@c"}) == {
        "url": "https://u:xxxxx@host:1/x?q=a:b@c"
    }
    assert encode(["http://host/a:b@c", "plain: text @ here"]) == [
        "http://host/a:b@c",
        "plain: text @ here",
    ]


def test_secret_literals_never_appear_in_diagnostic_messages() -> None:
    from alloylite.runtime.validate import check_text
    from alloylite.stability import Stability

    cases = {
        "shape": 'http_headers = { "X-Api-Token" = "topsecretvalue" }',
        "operator": 'bearer_token = "topsecretvalue" + 1',
        "index": 'bearer_token = ["topsecretvalue"][3]',
        "access": 'bearer_token = {a = "topsecretvalue"}.b + 1',
        "call": 'bearer_token = string.format("%s", "topsecretvalue", 1, 2) + 1',
    }
    for name, line in cases.items():
        config = (
            f'pyroscope.write "w" {{\n  endpoint {{\n    url = "http://h:1"\n    {line}\n  }}\n}}\n'
        )
        diags = check_text(config.encode(), "main.alloy", Stability.EXPERIMENTAL).diagnostics
        assert diags, name
        for d in diags:
            assert "topsecretvalue" not in d.message, (name, d.message)
            assert "secretvalue" not in d.message, (name, d.message)
