"""`discovery.Target` as Alloy's `Target.ConvertFrom` converts it, for every component that
takes targets: label values that are not strings become Go's `%v` of them, and what cannot
be a target is refused in Alloy's words at the literal."""

from __future__ import annotations

import pytest

from alloylite.runtime.component import Stability
from alloylite.runtime.schema.target import Target, go_v
from alloylite.runtime.schema.text import TextError
from alloylite.runtime.validate import check_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (8080, "8080"),
        (-3, "-3"),
        (1.5, "1.5"),
        (100000.0, "100000"),
        (1e6, "1e+06"),
        (1234567.0, "1.234567e+06"),
        (1e21, "1e+21"),
        (0.00001, "1e-05"),
        (0.0001, "0.0001"),
        (True, "true"),
        ([1, "a"], "[1 a]"),
        ({"b": 1, "a": "x"}, "map[a:x b:1]"),
    ],
)
def test_label_values_are_gos_v_of_the_value(value: object, text: str) -> None:
    assert go_v(value) == text
    assert Target.from_alloy({"k": value}, "") == {"k": text}


def test_what_cannot_be_a_target_is_refused_in_alloys_words() -> None:
    with pytest.raises(TextError, match="conversion from 'int64' is not supported"):
        Target.from_alloy(1, "[0]")
    with pytest.raises(TextError, match="cannot convert a nil value to a target value"):
        Target.from_alloy({"a": None}, "[0]")


@pytest.mark.parametrize(
    "component",
    [
        'discovery.relabel "r" {\n  targets = %s\n}\n',
        'pyroscope.scrape "s" {\n  targets = %s\n  forward_to = []\n}\n',
        'pyroscope.enrich "e" {\n  targets = %s\n  target_match_label = "a"\n'
        '  profiles_match_label = "a"\n  forward_to = []\n}\n',
        'discovery.process "p" {\n  join = %s\n}\n',
        'prometheus.scrape "c" {\n  targets = %s\n  forward_to = []\n}\n',
    ],
)
def test_every_component_taking_targets_agrees(component: str) -> None:
    ok = check_text(
        (component % '[{"__address__" = "h:1", "port" = 8080}]').encode(),
        "main.alloy",
        Stability.EXPERIMENTAL,
    )
    assert ok.diagnostics == []
    bad = check_text(
        (component % '[{"a" = "b"}, 1]').encode(), "main.alloy", Stability.EXPERIMENTAL
    )
    [diag] = bad.diagnostics
    assert diag.message == "target::ConvertFrom: conversion from 'int64' is not supported"
    assert diag.start is not None and diag.end is not None
    assert diag.start.col == diag.end.col  # at the element `1`, not the whole array
