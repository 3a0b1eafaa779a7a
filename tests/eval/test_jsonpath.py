"""json_path: ojg's path syntax, its error wording and its result order."""

from __future__ import annotations

import re

import pytest

from alloylite.eval.stdlib.gojson import go_json_decode
from alloylite.eval.stdlib.jsonpath import PathError, compile_path, run_path
from alloylite.eval.stdlib.ojson import OJError, oj_parse

PATH_ERRORS = [
    ("$[1,'a']  ", "parse error at 9"),
    ("abc.", "not terminated at 5"),
    ("abc.+", "an expression fragment can not start with a '+' at 6"),
    ("abc..+", "parse error at 6"),
    ("[", "not terminated at 2"),
    ("]", "parse error at 1"),
    ("[]", "parse error at 2"),
    ("['x'z]", "invalid bracket fragment at 6"),
    ("[-x]", "expected a number at 4"),
    ("[x]", "parse error at 2"),
    ("[1", "expected a number at 3"),
    ("[1,", "not terminated at 4"),
    ("[1:2:", "not terminated at 6"),
    ("[2,x", "invalid union syntax at 5"),
    ("[?x", "expected a '(' in filter at 4"),
    ("[?(@.x == 3)", "not terminated at 13"),
    ("$[", "not terminated at 3"),
]


@pytest.mark.parametrize(("path", "message"), PATH_ERRORS)
def test_path_errors(path: str, message: str) -> None:
    with pytest.raises(PathError) as info:
        compile_path(path)
    assert str(info.value) == f"{message} in {path}"


RESULTS = [
    ('{"a": [1, 2, 3]}', "$.a[0,2]", [1, 3]),
    ('{"a": [1, 2, 3]}', "a[-1]", [3]),
    ('{"a": [1, 2, 3, 4]}', "$.a[1:3]", [2, 3]),
    ('{"a": [1, 2, 3, 4]}', "$.a[::2]", [1, 3]),
    ('{"a b": 1}', "$['a b']", [1]),
    ('[{"n": 1}, {"n": 5}]', "$[?(@.n > 2)].n", [5]),
    ('[{"n": "x"}, {"m": 1}]', "$[?(@.n == 'x')]", [{"n": "x"}]),
    # ojg visits children before their parent
    ('{"b": 1, "c": {"b": 2}}', "$..b", [2, 1]),
    ('{"a": 1.5, "b": 2}', "$.*", [1.5, 2]),
    ('{"a": 1}', "$.nope", []),
]


@pytest.mark.parametrize(("document", "path", "expected"), RESULTS)
def test_results(document: str, path: str, expected: list[object]) -> None:
    assert run_path(compile_path(path), go_json_decode(document, ints=True)) == expected


OJ_DOCUMENTS = [
    ('{"a": 1,}', {"a": 1}),  # ojg accepts a trailing comma
    ("[1,]", [1]),
    ("", None),
    ("// note\n[1]", [1]),
    ("[1, 2.5, -3e2]", [1, 2.5, -300.0]),
]

OJ_ERRORS = [
    ("{", "incomplete JSON at 1:2"),
    ("[1 x]", "expected a comma or close, not 'x' at 1:4"),
    ('{"a" 1}', "expected a colon, not '1' at 1:6"),
    ("nux", "expected null at 1:3"),
    ("1 2", "extra characters after close, '2' at 1:3"),
    ("[1,\n}", "unexpected object close at 2:1"),
]


@pytest.mark.parametrize(("text", "expected"), OJ_DOCUMENTS)
def test_oj_documents(text: str, expected: object) -> None:
    assert oj_parse(text) == expected


@pytest.mark.parametrize(("text", "message"), OJ_ERRORS)
def test_oj_errors(text: str, message: str) -> None:
    with pytest.raises(OJError, match=f"^{re.escape(message)}$"):
        oj_parse(text)
