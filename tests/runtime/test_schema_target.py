"""`discovery.Target` as Alloy's `Target.ConvertFrom` converts it, for every component that
takes targets: label values that are not strings become Go's `%v` of them, and what cannot
be a target is refused in Alloy's words at the literal."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from alloylite.eval.stdlib.gofmt import format_v
from alloylite.runtime.component import Stability
from alloylite.runtime.controller import Controller
from alloylite.runtime.registry import default_registry
from alloylite.runtime.schema.target import Target
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
    assert format_v(value) == text
    assert Target.from_alloy({"k": value}, "") == {"k": text}


def test_what_cannot_be_a_target_is_refused_in_alloys_words() -> None:
    with pytest.raises(TextError, match="conversion from 'int64' is not supported"):
        Target.from_alloy(1, "[0]")
    assert Target.from_alloy({"a": None}, "[0]") == {"a": "<nil>"}  # as from_json's in Alloy
    assert Target.zero_value() == {} and Target.zero_value() is not Target.zero_value()


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


def test_null_targets_and_json_nulls_run_as_in_alloy(tmp_path: Path) -> None:
    """`null` in a list of targets is an empty target; a JSON null in one is `<nil>`."""
    path = tmp_path / "config.alloy"
    path.write_text(
        'discovery.relabel "r" {\n  targets = array.concat([null, {"a" = "1"}], '
        'encoding.from_json("[{\\"b\\": null}]"))\n}\n'
    )

    async def scenario() -> list[dict[str, str]]:
        ctl = Controller(str(path), default_registry(), Stability.EXPERIMENTAL)
        await ctl.load()
        try:
            found = ctl.find("discovery.relabel.r")
            assert found is not None
            output: list[dict[str, str]] = found[1].exports["output"]
            return output
        finally:
            await ctl.stop()

    assert asyncio.run(scenario()) == [{}, {"a": "1"}, {"b": "<nil>"}]
