"""`url.Parse`'s refusals, data-driven from the Go program beside the data.

tests/runtime/data/go_url/cases.json holds each input with the error Go printed for it
and Go 1.26's (Alloy's) where that differs, with the reason; main.go there regenerates
it. Running the tests needs no Go.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from alloylite.runtime.catalogue.go_netip import AddrError, parse_addr
from alloylite.runtime.catalogue.go_url import url_parse_error

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "go_url" / "cases.json").read_text(encoding="utf-8")
)


def test_the_recorded_cases_cover_both_answers() -> None:
    assert len(CASES) >= 80
    assert sum(case["want"] is None for case in CASES) >= 30
    assert sum(case["want"] is not None for case in CASES) >= 50
    assert all(case["why"] for case in CASES if case["want"] != case["go"])


@pytest.mark.parametrize("case", CASES, ids=[repr(case["input"]) for case in CASES])
def test_url_parse_refuses_what_go_refuses_in_its_words(case: dict[str, Any]) -> None:
    assert url_parse_error(case["input"]) == case["want"]


# netip.ParseAddr beyond what the URL cases reach: (input, Go's error or None), printed by
# Go 1.19's netip except the last, whose embedded-IPv4 error newer Go (1.22 on) words as here
# (1.19: `ParseAddr("::1.2.3.x%z"): ParseAddr("1.2.3.x"): unexpected character (at "x") (at ...)`).
ADDRESSES = [
    ("::", None),
    ("1.2.3.4", None),
    ("fe80::1%en0", None),
    ("::ffff:1.2.3.4", None),
    ("1:2:3:4:5:6:7:8", None),
    ("%en0", 'ParseAddr("%en0"): missing IPv6 address'),
    ("abc", 'ParseAddr("abc"): unable to parse IP'),
    ("1.2.3", 'ParseAddr("1.2.3"): IPv4 address too short'),
    ("1.2.3.4.5", 'ParseAddr("1.2.3.4.5"): IPv4 address too long'),
    ("1.2.3.256", 'ParseAddr("1.2.3.256"): IPv4 field has value >255'),
    ("1..2.3", 'ParseAddr("1..2.3"): IPv4 field must have at least one digit (at ".2.3")'),
    ("1:2:3:4:5:6:7", 'ParseAddr("1:2:3:4:5:6:7"): address string too short'),
    (
        "1:2:3:4::5:6:7:8",
        'ParseAddr("1:2:3:4::5:6:7:8"): the :: must expand to at least one field of zeros',
    ),
    (
        "1:x::",
        'ParseAddr("1:x::"): each colon-separated field must have at least one digit (at "x::")',
    ),
    (
        "1:2:3:4:5:6:7:8:9",
        'ParseAddr("1:2:3:4:5:6:7:8:9"): trailing garbage after address (at "9")',
    ),
    ("1x::", 'ParseAddr("1x::"): unexpected character, want colon (at "x::")'),
    (
        "1:2:3:4:5:6:7::1.2.3.4",
        'ParseAddr("1:2:3:4:5:6:7::1.2.3.4"): too many hex fields to fit an embedded IPv4 at the '
        'end of the address (at "1.2.3.4")',
    ),
    ("01.2.3.4", 'ParseAddr("01.2.3.4"): IPv4 field has octet with leading zero'),
    ("1.2.3.4%z", 'ParseAddr("1.2.3.4%z"): unexpected character (at "%z")'),
    ("fe80::1%", 'ParseAddr("fe80::1%"): zone must be a non-empty string'),
    ("::1.2.3.x%z", 'ParseAddr("::1.2.3.x%z"): unexpected character (at "x")'),
]


@pytest.mark.parametrize(("text", "message"), ADDRESSES)
def test_parse_addr_refuses_in_netips_words(text: str, message: str | None) -> None:
    if message is None:
        parse_addr(text.encode())
        return
    with pytest.raises(AddrError) as err:
        parse_addr(text.encode())
    assert str(err.value) == message
