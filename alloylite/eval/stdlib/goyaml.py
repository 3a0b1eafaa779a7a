"""YAML decoding with Go `gopkg.in/yaml.v3` behaviour for `encoding.from_yaml`.

PyYAML (libyaml when available, whose messages yaml.v3 shares) parses; the
resolvers follow YAML 1.2's core schema as yaml.v3 does (`yes` stays a
string, `010` is decimal, timestamps stay strings). A mapping with a
non-string key decodes in Go to `map[interface {}]interface {}`, which Alloy
can only hold as a capsule.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from alloylite.eval import numbers as num
from alloylite.eval.values import Capsule

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YAMLError(Exception):
    pass


class _Loader(_Base):  # type: ignore[misc,valid-type]
    yaml_implicit_resolvers: dict[Any, Any] = {}


def _resolver(tag: str, pattern: str, first: str) -> None:
    _Loader.add_implicit_resolver(tag, re.compile(pattern, re.X), list(first))


_resolver("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_resolver(
    "tag:yaml.org,2002:int",
    r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?0b[01]+)$",
    "-+0123456789",
)
_resolver(
    "tag:yaml.org,2002:float",
    r"""^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""",
    "-+0123456789.",
)
_resolver("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""])  # type: ignore[arg-type]


def _int(loader: Any, node: Any) -> int | float:
    text = loader.construct_scalar(node).replace("_", "")
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    if body.startswith("0o"):
        n = int(body[2:], 8)
    elif body.startswith("0x"):
        n = int(body[2:], 16)
    elif body.startswith("0b"):
        n = int(body[2:], 2)
    else:
        n = int(body, 10)
    n *= sign
    if num.INT64_MIN <= n <= num.INT64_MAX:
        return n
    if 0 <= n <= num.UINT64_MAX:
        return num.UInt(n)
    return float(n)


def _float(loader: Any, node: Any) -> float:
    text = loader.construct_scalar(node).lower()
    if text.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text.endswith(".nan"):
        return float("nan")
    return float(text)


_Loader.add_constructor("tag:yaml.org,2002:int", _int)
_Loader.add_constructor("tag:yaml.org,2002:float", _float)
_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def _convert(value: Any) -> Any:
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _convert(v) for k, v in value.items()}
        return Capsule({k: _convert(v) for k, v in value.items()}, "map[interface {}]interface {}")
    if isinstance(value, list):
        return [_convert(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return value


def go_yaml_decode(text: str) -> Any:
    try:
        for document in yaml.load_all(text, Loader=_Loader):
            return _convert(document)
        return None
    except yaml.MarkedYAMLError as err:
        # yaml.v3's wording: the 0-based line of the context mark (else of the
        # problem mark) when it is not 0, one more for scanner errors.
        line = 0
        for mark in (err.context_mark, err.problem_mark):
            if mark is not None and mark.line != 0:
                line = mark.line + (1 if isinstance(err, yaml.scanner.ScannerError) else 0)
                break
        where = f"line {line}: " if line else ""
        problem = err.problem or "unknown problem parsing YAML content"
        raise YAMLError(f"yaml: {where}{problem}") from None
    except yaml.YAMLError as err:
        raise YAMLError(f"yaml: {err}") from None
