"""Values decoded into string arguments: numbers and byte slices as Alloy turns them into text.

The schema decoder and the evaluator's argument decoding share one conversion
(`alloylite.eval.decode.to_string`), so a value reads the same in `string.format` and in
a component's string argument.
"""

from __future__ import annotations

import pytest

import alloylite
from alloylite.eval.decode import to_string
from alloylite.eval.values import Bytes, UInt
from alloylite.runtime.schema import ConvertError, convert


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e21, "1000000000000000000000"),  # Go's 'f' format: never an exponent
        (1.5e-7, "0.00000015"),
        (1e100, "1" + "0" * 100),
        (2.5, "2.5"),
        (3.0, "3"),
        (42, "42"),
        (UInt(18446744073709551615), "18446744073709551615"),
        (Bytes(UInt(b) for b in b"hello"), "hello"),
        (Bytes(UInt(b) for b in b"\xff"), "\udcff"),  # not UTF-8: kept as surrogateescape
    ],
)
def test_string_field_text_is_the_evaluators(value: object, text: str) -> None:
    assert convert(value, str) == text
    assert convert(value, str) == to_string(value)


def test_non_strings_still_rejected() -> None:
    for value in (True, [1], {"a": 1}):
        with pytest.raises(ConvertError, match="should be string"):
            convert(value, str)


def test_base64_bytes_validate_as_a_string_argument() -> None:
    config = b"""
pyroscope.write "backend" {
  endpoint {
    url = "http://pyroscope:4040"
  }
  external_labels = {
    "decoded" = encoding.from_base64("aGVsbG8="),
    "big"     = 1e21,
  }
}
"""
    assert alloylite.validate(config, stability_level="public-preview") == []
