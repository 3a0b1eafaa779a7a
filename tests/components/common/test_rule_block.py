"""The `rule` block of the relabel components alloylite runs reads like Alloy's in every one.

Alloy decodes `regex` and `action` through their Go types (`Regexp`, `Action`), so a bad
literal is its decoder's error at the value, reported by `alloy validate` as much as by
`alloy run`, the same in each component with a `rule` block; the block-level checks
(`Validate()`, e.g. hashmod without modulus) only run when Alloy builds the component,
so alloylite's validate reports those as its own, after Alloy's.
"""

from __future__ import annotations

import pytest

import alloylite
from alloylite.syntax.diag import Diagnostic

HEADS = {
    "pyroscope.relabel": "forward_to = []",
    "discovery.relabel": "targets = []",
    "prometheus.relabel": "forward_to = []",  # validated from the catalogue
    "loki.relabel": "forward_to = []",
}


def _config(component: str, rule: str) -> str:
    return f'{component} "x" {{\n  {HEADS[component]}\n  rule {{\n    {rule}\n  }}\n}}\n'


def _validate(component: str, rule: str) -> list[Diagnostic]:
    return list(alloylite.validate(_config(component, rule)))


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ('regex = "(abc"', "error parsing regexp: missing closing ): `^(?s:(abc)$`"),
        ('regex = "a{2}{3}"', "error parsing regexp: invalid nested repetition operator: `{2}{3}`"),
        ('action = "explode"', 'unrecognized action type "explode"'),
        ('action = "Keep"', 'unrecognized action type "Keep"'),  # Alloy's Action keeps case
        ('action = ""', 'unrecognized action type ""'),
        ("action = 1", 'unrecognized action type "1"'),
    ],
)
@pytest.mark.parametrize("component", sorted(HEADS))
def test_a_bad_literal_is_alloys_error_at_the_value(
    component: str, rule: str, message: str
) -> None:
    (diag,) = _validate(component, rule)
    name = rule.partition(" = ")[0]
    assert diag.message == message
    assert diag.start is not None and diag.end is not None
    assert (diag.start.line, diag.start.col) == (4, 5 + len(name) + 3)
    assert (diag.end.line, diag.end.col) == (4, 4 + len(rule))


@pytest.mark.parametrize("component", ["pyroscope.relabel", "discovery.relabel"])
def test_block_level_checks_stay_alloylites_own_after_alloys(component: str) -> None:
    text = _config(component, 'action = "hashmod"\n    target_label = "h"')
    text += _config("prometheus.relabel", 'regex = "("').replace('"x"', '"y"')
    messages = [d.message for d in alloylite.validate(text)]
    assert messages == [
        "error parsing regexp: missing closing ): `^(?s:()$`",
        "relabel configuration for hashmod requires non-zero modulus",
    ]


@pytest.mark.parametrize("component", ["pyroscope.relabel", "discovery.relabel"])
def test_values_alloy_accepts_pass(component: str) -> None:
    for regex in ('"(?<n>a)|b"', "1", "null", r'"[[:alpha:]]\\pL"'):
        for action in ("keep", "labelkeep"):
            rule = f'regex = {regex}\n    action = "{action}"'
            assert _validate(component, rule) == [], rule
