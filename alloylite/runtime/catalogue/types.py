"""Alloy type names for the catalogue's Go field types, and the Python annotations for them.

The catalogue records each field's Go type (`[]storage.Appendable`, `*time.Duration`,
`map[string][]alloytypes.Secret`) and the docs' spelling (46 of them: `int`, `number`,
`list(string)`, `[]string`, `Duration`...). `alloy_type` maps both to one of Alloy's type
names; a Go type it does not know (a struct, a custom text unmarshaler) becomes `any`
unless the docs call it a plain scalar, so the checker never rejects a value Alloy
would accept. `annotation` turns the name into what `runtime.schema` converts by.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cache
from typing import Any

from alloylite.eval.values import Secret
from alloylite.runtime.catalogue.text_types import text_type
from alloylite.runtime.schema import capsule_type

_SCALARS = {
    "string": "string",
    "bool": "bool",
    "time.Duration": "duration",
    "alloytypes.Secret": "secret",
    "alloytypes.OptionalSecret": "secret",
    "any": "any",
    "interface{}": "any",
    # One Go type under three names: Alloy's component/common/config `URL` (`commoncfg` is
    # Alloy's alias of that package in common/kubernetes, not Prometheus' config.URL).
    "URL": "text(config.URL)",
    "commoncfg.URL": "text(config.URL)",
    "config.URL": "text(config.URL)",
    "units.Base2Bytes": "text(units.Base2Bytes)",
    "flagext.StringSlice": "list(string)",
    "url.Values": "map(list(string))",
    "discovery.Target": "text(discovery.Target)",
    "Target": "text(discovery.Target)",
    # Every `Regexp` of the catalogue is a relabel rule's `regex`.
    "Regexp": "text(relabel.Regexp)",
    # Go string types whose UnmarshalText takes a fixed set of values (text_types._ENUMS);
    # each short name is one Go type throughout the catalogue.
    "TLSVersion": "text(config.TLSVersion)",
    "config.SysLogFormat": "text(config.SysLogFormat)",
    "Level": "text(otelcol.Level)",
    "CompressionType": "text(otelcol.CompressionType)",
    "otelcol.CompressionType": "text(otelcol.CompressionType)",
    "SeverityLevel": "text(otelcol.SeverityLevel)",
    "ErrorMode": "text(ottl.ErrorMode)",  # tail_sampling's, the same values as OTTL's
    "ottl.ErrorMode": "text(ottl.ErrorMode)",
    "ContextID": "text(transform.ContextID)",
    "SplittingStrategy": "text(splunkhec.SplittingStrategy)",
    "FramingTrailer": "text(syslog.FramingTrailer)",
    "SourceType": "text(stages.SourceType)",
    "Source": "text(stages.Source)",
    "scrapeconfig.SyslogFormat": "text(scrapeconfig.SyslogFormat)",
    "FieldsType": "text(cloudflare.FieldsType)",
    "OnPositionsFileError": "text(file.OnPositionsFileError)",
    "LogFormat": "text(faro.LogFormat)",
    "RateLimitingStrategy": "text(faro.RateLimitingStrategy)",
    "Role": "text(scaleway.Role)",
}
_NUMBERS = re.compile(r"^u?int(8|16|32|64)?$|^float(32|64)$")
# Capsules: values components hand each other (receivers, consumers, handlers).
_CAPSULES = {
    "storage.Appendable": "storage.Appendable",
    "pyroscope.Appendable": "pyroscope.Appendable",
    "loki.LogsReceiver": "loki.LogsReceiver",
    "Consumer": "otelcol.Consumer",
    "otelcol.Consumer": "otelcol.Consumer",
}
_DOC_SCALARS = {
    "string": "string",
    "bool": "bool",
    "boolean": "bool",
    "number": "number",
    "int": "number",
    "integer": "number",
    "uint": "number",
    "float": "number",
    "duration": "duration",
    "Duration": "duration",
    "secret": "secret",
}


def alloy_type(go_type: str, doc_type: str | None = None, text: str | None = None) -> str:
    """Alloy's name for a field's type (`list(secret)`, `capsule(otelcol.Consumer)`);
    `text` names the `text_types` entry of a Go type that decodes itself."""
    if text is not None:
        return f"text({text})"
    found = _from_go(go_type.lstrip("*"))
    if found == "any" and doc_type is not None:
        return _DOC_SCALARS.get(doc_type.strip(), "any")
    return found


def _from_go(go: str) -> str:
    if go in _SCALARS:
        return _SCALARS[go]
    if _NUMBERS.match(go):
        return "number"
    if go in _CAPSULES:
        return f"capsule({_CAPSULES[go]})"
    if go.startswith("[]"):
        inner = _from_go(go[2:].lstrip("*"))
        return f"list({inner})"
    if go.startswith("map[string]"):
        inner = _from_go(go[len("map[string]") :].lstrip("*"))
        return f"map({inner})"
    return "any"


def annotation(name: str) -> Any:
    """The Python type `runtime.schema` converts a value of Alloy type `name` into."""
    if name.startswith("list(") and name.endswith(")"):
        return list[annotation(name[5:-1])]  # type: ignore[misc]
    if name.startswith("map(") and name.endswith(")"):
        return dict[str, annotation(name[4:-1])]  # type: ignore[misc]
    if name.startswith("capsule(") and name.endswith(")"):
        return capsule_class(name[8:-1])
    if name.startswith("text(") and name.endswith(")"):
        return text_type(name[5:-1])
    return _BASIC.get(name, Any)


_BASIC: dict[str, Any] = {
    "string": str,
    "bool": bool,
    "number": float,
    "duration": timedelta,
    "secret": Secret,
}


class CatalogueCapsule:
    """Base of the stand-in classes for capsule types no running component defines."""


@cache
def capsule_class(name: str) -> type:
    """One stand-in class per capsule name, named as Alloy names the type."""
    cls = type(name.replace(".", "_"), (CatalogueCapsule,), {"__doc__": f"capsule({name})"})
    return capsule_type(name)(cls)
