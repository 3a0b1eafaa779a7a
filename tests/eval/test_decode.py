"""Argument decoding: Alloy's conversions between strings, numbers and byte slices."""

from __future__ import annotations

import pytest

from alloylite.eval.decode import list_of, to_number, to_string
from alloylite.eval.errors import ElementFault, TypeFault
from alloylite.eval.values import Bytes, Secret, UInt


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", UInt(12)), ("-3", -3), ("1.5", 1.5), ("1e3", 1000.0)],
)
def test_string_to_number(text: str, expected: object) -> None:
    got = to_number(text)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("text", ["+5", " 5", "1_0", "", "abc", "18446744073709551616"])
def test_string_that_is_not_a_number(text: str) -> None:
    with pytest.raises(TypeFault):
        to_number(text)


def test_to_string() -> None:
    assert to_string(3) == "3"
    assert to_string(3.9) == "3.9"
    assert to_string(1e21) == "1000000000000000000000"
    assert to_string(None) == ""
    assert to_string(Bytes([UInt(104), UInt(105)])) == "hi"
    with pytest.raises(TypeFault):
        to_string(True)
    with pytest.raises(TypeFault):
        to_string(Secret("x"))  # a secret never turns back into a string implicitly


def test_list_of_names_the_element() -> None:
    with pytest.raises(ElementFault) as info:
        list_of(to_string)(["a", False])
    assert info.value.index == 1
