"""`discovery.Target`: a target's labels, converted as Alloy's `Target.ConvertFrom` does.

Every component that takes `targets` (discovery.relabel, pyroscope.scrape, pyroscope.enrich,
discovery.process's `join`, and the catalogue's components) decodes them through this type,
so a hand-written `{"__address__" = "host", "port" = 8080}` gives the label `port="8080"`
(Go's `%v`) as in Alloy, and anything that is not an object is refused in Alloy's words.
"""

from __future__ import annotations

from typing import Any

from alloylite.eval.stdlib.gofmt import format_v
from alloylite.eval.values import Secret, type_name
from alloylite.runtime.schema.convert import ConvertError
from alloylite.runtime.schema.text import TextError, TextValue, go_type_name

_PREFIX = "target::ConvertFrom: "


class Target(dict[str, str], TextValue):
    """A target's labels (a plain `dict[str, str]` to the component that receives it)."""

    alloy_name = "map(string)"  # as Alloy's docs name it

    @classmethod
    def zero_value(cls) -> Target:
        """`null` in a list of targets is an empty target, as Go's zero `Target`."""
        return cls()

    @classmethod
    def from_alloy(cls, value: Any, path: str) -> Target:
        if not isinstance(value, dict):
            go = go_type_name(value)
            if go is None:
                raise ConvertError(path, f"should be object, got {type_name(value)}")
            raise TextError(path, f"{_PREFIX}conversion from '{go}' is not supported")
        return cls({str(k): _label_value(v, f"{path}.{k}") for k, v in value.items()})


def _label_value(value: Any, path: str) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        # Alloy refuses a null in an object literal ("cannot convert a nil value") but
        # prints a JSON/YAML-decoded one (`encoding.from_json`) with %v; both reach here
        # alike, and refusing targets read from JSON would refuse configs Alloy runs.
        return "<nil>"
    if isinstance(value, Secret):
        raise TextError(path, f"{_PREFIX}cannot use a secret as a target value")
    return format_v(value)
