"""YAML decoding with Go `gopkg.in/yaml.v3` behaviour for `encoding.from_yaml`.

PyYAML (libyaml when available, whose messages yaml.v3 shares) parses; the
resolvers follow YAML 1.2's core schema as yaml.v3 does (`yes` stays a
string, `010` is decimal, timestamps stay strings). A mapping with a
non-string key decodes in Go to `map[interface {}]interface {}`, which Alloy
can only hold as a capsule.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from alloylite.eval import numbers as num
from alloylite.eval.values import Capsule, UInt
from alloylite.gocompat import go_quote

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YAMLError(Exception):
    pass


class _Loader(_Base):  # type: ignore[misc]
    yaml_implicit_resolvers: dict[Any, Any] = {}


def _resolver(tag: str, pattern: str, first: str) -> None:
    _Loader.add_implicit_resolver(tag, re.compile(pattern, re.X), list(first))


_resolver("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
# yaml.v3 tries Go's ParseInt(base 0), ParseUint, then ParseFloat on any
# plain scalar that starts like a number; `_number` decides, or keeps the text.
_NUMBER_TAG = "tag:alloylite,2026:number"
_resolver(_NUMBER_TAG, r"^[-+.0-9][-+._0-9a-zA-Z]*$", "-+.0123456789")
_resolver("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""])  # type: ignore[arg-type]


_SPECIAL = {
    ".inf": math.inf,
    ".Inf": math.inf,
    ".INF": math.inf,
    "+.inf": math.inf,
    "+.Inf": math.inf,
    "+.INF": math.inf,
    "-.inf": -math.inf,
    "-.Inf": -math.inf,
    "-.INF": -math.inf,
    ".nan": math.nan,
    ".NaN": math.nan,
    ".NAN": math.nan,
    "-0": -0.0,
    "-0.0": -0.0,
}
_GO_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_BASES = {"0x": 16, "0X": 16, "0o": 8, "0O": 8, "0b": 2, "0B": 2}


def _go_int(text: str) -> int | None:
    """Go `strconv.ParseInt(text, 0, 64)` without the range check."""
    sign = -1 if text.startswith("-") else 1
    body = text[1:] if text[:1] in "+-" else text
    base = _BASES.get(body[:2], 0)
    try:
        if base:
            return sign * int(body[2:], base) if body[2:] else None
        if len(body) > 1 and body[0] == "0":
            return sign * int(body, 8)
        return sign * int(body, 10) if body.isdigit() else None
    except ValueError:
        return None


def _number(loader: Any, node: Any) -> Any:
    raw = loader.construct_scalar(node)
    if raw in _SPECIAL:
        return _SPECIAL[raw]
    plain = raw.replace("_", "")
    n = _go_int(plain)
    if n is not None:
        if num.INT64_MIN <= n <= num.INT64_MAX:
            return n
        if 0 <= n <= num.UINT64_MAX:
            return UInt(n)
    if _GO_FLOAT.match(plain):
        f = float(plain)
        if not math.isinf(f):
            return f
    return raw


_Loader.add_constructor(_NUMBER_TAG, _number)
_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


class _DuplicateKey(Exception):
    pass


def _mapping(loader: Any, node: Any) -> dict[Any, Any]:
    """yaml.v3 rejects a repeated key, where PyYAML keeps the last one."""
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            first = seen.get(key)
        except TypeError:  # an unhashable key (a mapping used as a key)
            continue
        if first is not None:
            raise _DuplicateKey(
                f"yaml: unmarshal errors:\n  line {line}: mapping key "
                f"{go_quote(str(key))} already defined at line {first}"
            )
        seen[key] = line
    return loader.construct_mapping(node, deep=True)  # type: ignore[no-any-return]


_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)


def _allowed_alias_ratio(decoded: int) -> float:
    """yaml.v3's allowedAliasRatio: 99% of a small document may come from aliases,
    scaling down to 10% from 400,000 to 4,000,000 decoded nodes."""
    low, high = 400_000, 4_000_000
    if decoded <= low:
        return 0.99
    if decoded >= high:
        return 0.10
    return 0.99 - 0.89 * (decoded - low) / (high - low)


class _Converter:
    """Go values from PyYAML's objects, refusing excessive alias expansion as yaml.v3 does.

    PyYAML shares one object between an anchor and its aliases, so a few hundred bytes
    of nested aliases ("billion laughs") are cheap to parse but would expand into
    gigabytes here. A container met a second time is an alias; the nodes decoded under
    it count as aliased, with yaml.v3's thresholds."""

    def __init__(self) -> None:
        self.decoded = 0
        self.aliased = 0
        self._seen: set[int] = set()

    def convert(self, value: Any, in_alias: bool = False) -> Any:
        self.decoded += 1
        if in_alias:
            self.aliased += 1
            if (
                self.aliased > 100
                and self.decoded > 1000
                and self.aliased / self.decoded > _allowed_alias_ratio(self.decoded)
            ):
                raise YAMLError("yaml: document contains excessive aliasing")
        if isinstance(value, dict | list):
            if id(value) in self._seen:
                in_alias = True
            else:
                self._seen.add(id(value))
        if isinstance(value, dict):
            items = {k: self.convert(v, in_alias) for k, v in value.items()}
            if all(isinstance(k, str) for k in value):
                return items
            return Capsule(items, "map[interface {}]interface {}")
        if isinstance(value, list):
            return [self.convert(v, in_alias) for v in value]
        if isinstance(value, bytes):
            return value.decode("utf-8", "surrogateescape")
        return value


def go_yaml_decode(text: str) -> Any:
    try:
        for document in yaml.load_all(text, Loader=_Loader):
            return _Converter().convert(document)
        return None
    except _DuplicateKey as err:
        raise YAMLError(str(err)) from None
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
