"""The catalogue's Go types that decode values themselves, with their words for bad ones.

The catalogue records a field's Go type name (`Action`, `discovery.Target`) but not
what the type's `UnmarshalText` / `ConvertFrom` accepts, and the same short name means
different types in different packages. So the allowed values live here, one entry per
Go type, and `USES` says which component fields have that type; `compile` writes the
entry's key into the compact schema as `text(<key>)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from alloylite.gocompat import go_quote
from alloylite.relabel_actions import ACTIONS
from alloylite.runtime.catalogue.go_url import url_parse_error
from alloylite.runtime.catalogue.units import base2bytes_error
from alloylite.runtime.schema import convert
from alloylite.runtime.schema.target import Target
from alloylite.runtime.schema.text import TextError, TextValue


def _text(value: Any, path: str) -> str:
    """The string Alloy hands `UnmarshalText`: the value decoded into a Go string first
    (so a number is its text, `1` -> "1"), as Alloy's decoder does."""
    text: str = convert(value, str, path)
    return text


class _Enum(TextValue):
    """A Go string type whose `UnmarshalText` accepts a fixed set of values."""

    zero = ""
    values: frozenset[str] = frozenset()
    fold_case = False
    # Formatted with the (folded) text as {text} and Go's %q of it as {quoted}.
    message = ""

    @classmethod
    def from_alloy(cls, value: Any, path: str) -> Any:
        text = _text(value, path)
        text = text.lower() if cls.fold_case else text
        if text not in cls.values:
            raise TextError(path, cls.message.format(text=text, quoted=go_quote(text)))
        return text


def _enum(key: str, values: Iterable[str], message: str, *, fold_case: bool = False) -> type[_Enum]:
    attrs = {"values": frozenset(values), "message": message, "fold_case": fold_case}
    return type(key.replace(".", "_"), (_Enum,), {"__doc__": f"`{key}`'s UnmarshalText", **attrs})


_SEVERITIES = [
    f"{s}{n}"
    for s in ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
    for n in ("", "2", "3", "4")
]
# Go key -> (accepted values, the error of its UnmarshalText, whether it folds case first).
# Each is checked against the Go source named in the key (Alloy at spec/components' commit).
_ENUMS: dict[str, tuple[Iterable[str], str, bool]] = {
    # otelcol.auth.headers (headers.go)
    "headers.Action": (("insert", "update", "upsert", "delete"), "unknown action {text}", True),
    # Alloy's copy of Prometheus' relabel config
    "relabel.Action": (ACTIONS, 'unrecognized action type "{text}"', False),
    # component/common/config (Prometheus' config.TLSVersions)
    "config.TLSVersion": (
        ("TLS10", "TLS11", "TLS12", "TLS13"),
        "unknown TLS version: {text}",
        False,
    ),
    "config.SysLogFormat": (("rfc5424", "rfc3164"), "unknown syslog format: {text}", False),
    # otelcol/config/config_debug_metrics.go
    "otelcol.Level": (
        ("none", "basic", "normal", "detailed"),
        "unrecognized debug level {quoted}",
        False,
    ),
    # otelcol/config_compression.go
    "otelcol.CompressionType": (
        ("gzip", "zlib", "deflate", "snappy", "zstd", "none", ""),
        "unrecognized compression type {quoted}",
        False,
    ),
    # otelcol/config_filter.go
    "otelcol.SeverityLevel": (_SEVERITIES, "unrecognized severity level {quoted}", False),
    # OTel contrib pkg/ottl config.go; tail_sampling's own ErrorMode (types.go) has the same
    # values and words.
    "ottl.ErrorMode": (
        ("ignore", "propagate", "silent"),
        "unknown error mode {text}",
        True,
    ),
    "transform.ContextID": (
        ("resource", "scope", "span", "spanevent", "metric", "datapoint", "log"),
        "unknown context {text}",
        True,
    ),
    "splunkhec.SplittingStrategy": (("none", "line"), "unknown splitting strategy: {text}", False),
    "syslog.FramingTrailer": (("NUL", "LF"), "unknown syslog format: {text}", False),
    # loki/process/stages/types.go
    "stages.SourceType": (
        ("line", "label", "structured_metadata", "extracted"),
        "unknown source_type: {text}",
        False,
    ),
    "scrapeconfig.SyslogFormat": (
        ("rfc5424", "rfc3164", "raw"),
        "unknown syslog format: {text}",
        False,
    ),
    "cloudflare.FieldsType": (
        ("default", "minimal", "extended", "all", "custom"),
        "unknown fields type: {text}",
        False,
    ),
    "file.OnPositionsFileError": (
        ("skip", "restart_from_end", "restart_from_beginning"),
        "unknown OnPositionsFileError value: {text}",
        False,
    ),
    # faro/receiver/arguments.go
    "faro.LogFormat": (("", "logfmt", "json"), "unrecognized log format {quoted}", False),
    "faro.RateLimitingStrategy": (
        ("", "global", "per_app"),
        "unrecognized rate limiting strategy {quoted}",
        False,
    ),
    "scaleway.Role": (("baremetal", "instance"), "invalid role {quoted}", False),
}


class Regexp(TextValue):
    """Prometheus' relabel `Regexp` (Alloy's copy, common/relabel): `UnmarshalText` compiles
    `^(?s:<text>)$` with Go's regexp, and a refusal is Go's error text alone
    (`error parsing regexp: missing closing ): `^(?s:()$``)."""

    zero = ""  # a nil Regexp prints as ""

    @classmethod
    def from_alloy(cls, value: Any, path: str) -> Any:
        text = _text(value, path)
        # Loaded here: google-re2 costs every `validate` start-up, and only configs with a
        # relabel rule need it.
        from alloylite.eval.goregexp import RegexError, RegexTooLarge, compile_regex

        try:
            compile_regex(text)
        except RegexTooLarge:
            pass  # Go may well compile it: left to `run`
        except RegexError as err:
            raise TextError(path, str(err)) from None
        return text


class _Parsed(TextValue):
    """A Go type whose `UnmarshalText` runs a parser and returns its error as it is."""

    zero = ""

    @staticmethod
    def error(text: str) -> str | None:
        """The parser's error for `text`, or None when it parses."""
        raise NotImplementedError

    @classmethod
    def from_alloy(cls, value: Any, path: str) -> Any:
        text = _text(value, path)
        error = cls.error(text)
        if error is not None:
            raise TextError(path, error)
        return text


class Base2Bytes(_Parsed):
    """alecthomas/units' `Base2Bytes`: a byte size as text (`"5MiB"`, `"1KB"`); a number
    reaches `UnmarshalText` as its text and has no unit, so only `0` passes."""

    error = staticmethod(base2bytes_error)


class URL(_Parsed):
    """Alloy's `config.URL` (component/common/config): `UnmarshalText` is Go's `url.Parse`,
    its error returned as it is (`parse "http://a:b": invalid port ":b" after host`)."""

    error = staticmethod(url_parse_error)


class Source(_Parsed):
    """loki.process' `Source` (stages/types.go): any non-empty key of the extracted map."""

    @staticmethod
    def error(text: str) -> str | None:
        return None if text else "source cannot be empty"


TYPES: dict[str, type[TextValue]] = {
    "discovery.Target": Target,
    "stages.Source": Source,
    "relabel.Regexp": Regexp,
    "units.Base2Bytes": Base2Bytes,
    "config.URL": URL,
    **{key: _enum(key, values, msg, fold_case=fold) for key, (values, msg, fold) in _ENUMS.items()},
}
# (component, block path, field) -> key of TYPES, for Go type names that are ambiguous
# (`Action` is also the relabel rule's type); unambiguous ones are mapped in `types`.
USES: dict[tuple[str, str, str], str] = {
    ("otelcol.auth.headers", "header", "action"): "headers.Action",
    **{
        (component, path, "action"): "relabel.Action"
        for component, path in (
            ("discovery.relabel", "rule"),
            ("loki.relabel", "rule"),
            ("prometheus.operator.podmonitors", "rule"),
            ("prometheus.operator.probes", "rule"),
            ("prometheus.operator.scrapeconfigs", "rule"),
            ("prometheus.operator.servicemonitors", "rule"),
            ("prometheus.relabel", "rule"),
            ("prometheus.remote_write", "endpoint > write_relabel_config"),
            ("pyroscope.relabel", "rule"),
        )
    },
}


def text_type(key: str) -> type[TextValue]:
    """The class of `text(<key>)` in a compact schema."""
    return TYPES[key]
