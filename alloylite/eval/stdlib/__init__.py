"""Alloy's standard library as one object tree, looked up after every scope.

Namespaces are ordinary objects (`string["to_upper"]("x")` works). The
deprecated top-level names of Alloy < 1.4 stay callable; the validator warns
about them (DEPRECATED), and the experimental ones are gated by the runtime
(EXPERIMENTAL).
"""

from __future__ import annotations

from typing import Any

from alloylite.eval.stdlib import arrays, encoding, misc, strings, system

STDLIB: dict[str, Any] = {
    "constants": system.constants(),
    "coalesce": misc.COALESCE,
    "json_path": misc.JSON_PATH,
    "sys": system.SYS,
    "convert": misc.CONVERT,
    "array": arrays.FUNCTIONS,
    "encoding": encoding.FUNCTIONS,
    "string": strings.FUNCTIONS,
    "file": system.FILE,
}

DEPRECATED: dict[str, str] = {
    "env": "sys.env",
    "nonsensitive": "convert.nonsensitive",
    "concat": "array.concat",
    "json_decode": "encoding.from_json",
    "yaml_decode": "encoding.from_yaml",
    "base64_decode": "encoding.from_base64",
    "format": "string.format",
    "join": "string.join",
    "replace": "string.replace",
    "split": "string.split",
    "to_lower": "string.to_lower",
    "to_upper": "string.to_upper",
    "trim": "string.trim",
    "trim_prefix": "string.trim_prefix",
    "trim_suffix": "string.trim_suffix",
    "trim_space": "string.trim_space",
}

# Functions below generally-available (spec §4.5): the loader refuses them unless
# `--stability.level=experimental`.
EXPERIMENTAL: frozenset[str] = frozenset({"array.combine_maps", "array.group_by"})


def _resolve(dotted: str) -> Any:
    value: Any = STDLIB
    for part in dotted.split("."):
        value = value[part]
    return value


for _old, _new in DEPRECATED.items():
    STDLIB[_old] = _resolve(_new)
