"""Go string types that accept a fixed set of values: every one, at a field that has it.

Data-driven from the compiled catalogue: for each `text(<key>)` type of `text_types`,
the first field found with that type gets a value its Go `UnmarshalText` refuses, and
`validate` reports the type's own words at the literal, as Alloy's does.
"""

from __future__ import annotations

from typing import Any

import pytest

import alloylite
from alloylite.gocompat import go_quote
from alloylite.runtime.catalogue.registration import schemas
from alloylite.runtime.catalogue.text_types import TYPES, text_type
from alloylite.runtime.registry import default_registry
from tests.runtime.test_catalogue import body, sample


def _fields_of_type() -> dict[str, tuple[str, str, str]]:
    """text key -> (component, block path, attribute) of its first use in a component
    alloylite only validates (a running one adds its own checks, e.g. relabel rules')."""
    found: dict[str, tuple[str, str, str]] = {}
    runs = set(default_registry().names())
    for name, schema in sorted(schemas().items()):
        if name in runs:
            continue
        for path, rows in [("", schema["a"]), *sorted(schema["ba"].items())]:
            for attr, type_name, _ in rows:
                recursive = bool(path) and schema["b"][path][3]
                if type_name.startswith("text(") and not recursive:
                    found.setdefault(type_name[5:-1], (name, path, attr))
    return found


FIELDS = _fields_of_type()
# the fixed-value types (`values`; a Target, a dict, has a `values` method instead)
ENUMS = sorted(k for k in TYPES if isinstance(getattr(text_type(k), "values", None), frozenset))


def _chain(
    schema: dict[str, Any], parts: list[str], depth: int, indent: str, line: str
) -> list[str]:
    """The config lines of the block at `parts[:depth]`, with `line` in the innermost one."""
    path = " > ".join(parts[:depth])
    attrs = schema["a"] if not path else schema["ba"].get(path, [])
    out = [f"{indent}{n} = {sample(t)}" for n, t, req in attrs if req and n != line.split()[0]]
    prefix = f"{path} > " if path else ""
    nxt = parts[depth] if depth < len(parts) else None
    for child, (required, _, labeled, _) in schema["b"].items():
        rest = child[len(prefix) :]
        if not child.startswith(prefix) or " > " in rest or not (required or rest == nxt):
            continue
        label = ' "l"' if labeled else ""
        inner = (
            _chain(schema, parts, depth + 1, indent + "  ", line)
            if rest == nxt
            else body(schema, child, indent + "  ")
        )
        out += [f"{indent}{rest}{label} {{", *inner, f"{indent}}}"]
    if nxt is None:
        out.append(indent + line)
    return out


def config_with(component: str, path: str, line: str) -> str:
    parts = path.split(" > ") if path else []
    return "\n".join(
        [f'{component} "x" {{', *_chain(schemas()[component], parts, 0, "  ", line), "}", ""]
    )


def _messages(text: str) -> list[str]:
    diags = alloylite.validate(text, stability_level="experimental", community_components=True)
    return [d.message for d in diags]


def test_every_enum_type_is_used_by_some_catalogue_field() -> None:
    assert set(ENUMS) <= set(FIELDS)


@pytest.mark.parametrize("key", ENUMS)
def test_enum_values_are_accepted_and_others_refused_in_the_types_words(key: str) -> None:
    component, path, attr = FIELDS[key]
    enum = text_type(key)
    for value in sorted(enum.values):  # type: ignore[attr-defined]
        assert _messages(config_with(component, path, f"{attr} = {go_quote(value)}")) == []
    bad = "Zz_bad"
    text = bad.lower() if enum.fold_case else bad  # type: ignore[attr-defined]
    expected = enum.message.format(text=text, quoted=go_quote(text))  # type: ignore[attr-defined]
    assert _messages(config_with(component, path, f'{attr} = "{bad}"')) == [expected]


def test_loki_process_source_refuses_only_the_empty_key() -> None:
    component, path, attr = FIELDS["stages.Source"]
    assert _messages(config_with(component, path, f'{attr} = "k"')) == []
    assert _messages(config_with(component, path, f'{attr} = ""')) == ["source cannot be empty"]


# Relabel `regex`: (literal, Go's error for `^(?s:<literal>)$`, or None when Go compiles it).
# Go's texts from regexp/syntax (parse.go's ErrorCode strings), as Prometheus' test table has them.
REGEXPS = [
    ('"("', "error parsing regexp: missing closing ): `^(?s:()$`"),
    ('"a)"', "error parsing regexp: unexpected ): `^(?s:a))$`"),
    ('"[z-a]"', "error parsing regexp: invalid character class range: `z-a`"),
    ('"a**"', "error parsing regexp: invalid nested repetition operator: `**`"),
    ('"(?=x)"', "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"),
    ('"\\\\C"', "error parsing regexp: invalid escape sequence: `\\C`"),
    ('"x{1001}"', "error parsing regexp: invalid repeat count: `{1001}`"),
    ('"(?P<n>a)|(?<m>b)"', None),  # both spellings of a named group (Go >= 1.22)
    ('"\\\\pL+\\\\Q(\\\\E[[:alpha:]]"', None),
    ('"^foo$"', None),  # the user's anchors inside Alloy's are harmless
    ('""', None),
    ("1", None),  # a number is decoded into its text first
    ("null", None),  # Go's zero Regexp
]


@pytest.mark.parametrize(("literal", "message"), REGEXPS)
def test_a_relabel_regex_literal_is_compiled_as_go_does(literal: str, message: str | None) -> None:
    component, path, attr = FIELDS["relabel.Regexp"]
    config = config_with(component, path, f"{attr} = {literal}")
    diags = alloylite.validate(config)
    assert [d.message for d in diags] == ([message] if message else [])
    if message:  # at the literal, as Alloy's decoder places a text type's error
        line = config.splitlines().index(f"    {attr} = {literal}") + 1
        assert (diags[0].start.line, diags[0].start.col) == (line, len(f"    {attr} = ") + 1)
        assert diags[0].end.col == len(f"    {attr} = {literal}")


def test_every_catalogue_regexp_field_is_a_relabel_rule_regex() -> None:
    uses = [
        (name, path, attr)
        for name, schema in schemas().items()
        for path, rows in schema["ba"].items()
        for attr, type_name, _ in rows
        if type_name == "text(relabel.Regexp)"
    ]
    assert len(uses) == 9
    assert {attr for _, _, attr in uses} == {"regex"}
    assert {path.split(" > ")[-1] for _, path, _ in uses} == {"rule", "write_relabel_config"}


# Byte sizes: (literal, alecthomas/units' error, or None when ParseBase2Bytes accepts it).
BYTE_SIZES = [
    ('"5MiB"', None),
    ('"1KB"', None),  # the old spelling is base 2 too
    ('"1.5GiB"', None),
    ('".5KB"', None),
    ('"1.KB"', None),
    ('"1MiB512KiB"', None),  # a sequence, as in Go durations
    ('"-0"', None),
    ('"8EiB"', None),  # 2^63 itself is not an overflow
    ("0", None),  # the only number: `0` needs no unit
    ("null", None),
    ('"1kB"', "units: unknown unit kB in 1kB"),  # SI's kilo is refused
    ('"1b"', "units: unknown unit b in 1b"),
    ('"5 MiB"', "units: unknown unit  MiB in 5 MiB"),
    ('"1KiB2KB"', "units: unknown unit KiB in 1KiB2KB"),  # the second parse's error
    ('"9EiB"', "units: unknown unit EiB in 9EiB"),  # overflows as KiB, unknown as KB
    ('"9EB"', "units: overflow parsing unit"),
    ('""', "units: invalid "),
    ('"MiB"', "units: invalid MiB"),
    ('".B"', "units: invalid .B"),
    ('"99999999999999999999B"', "units: invalid 99999999999999999999B"),
    ("1024", "units: unknown unit  in 1024"),  # a number reaches UnmarshalText as text
]


@pytest.mark.parametrize(("literal", "message"), BYTE_SIZES)
def test_a_byte_size_literal_is_parsed_as_alecthomas_units_does(
    literal: str, message: str | None
) -> None:
    component, path, attr = FIELDS["units.Base2Bytes"]
    got = _messages(config_with(component, path, f"{attr} = {literal}"))
    assert got == ([message] if message else [])


def test_a_regex_only_re2_finds_too_large_is_left_to_run() -> None:
    """`\\pL{1000}` five times compiles in Go; RE2's program for it is larger than its
    limit. validate cannot tell what Go would say, so it says nothing; run refuses it."""
    from alloylite.eval.goregexp import RegexTooLarge, compile_regex
    from alloylite.runtime.catalogue.text_types import Regexp

    pattern = r"\pL{1000}" * 5
    with pytest.raises(RegexTooLarge):
        compile_regex(pattern)
    assert Regexp.from_alloy(pattern, "") == pattern


def test_every_catalogue_url_field_is_parsed_as_go_parses_urls() -> None:
    uses = [
        (name, path, attr)
        for name, schema in schemas().items()
        for path, rows in [("", schema["a"]), *schema["ba"].items()]
        for attr, type_name, _ in rows
        if type_name == "text(config.URL)"
    ]
    assert len(uses) == 88  # 76 proxy_url, 10 api_server, discovery.http/kubelet url
    assert {attr for _, _, attr in uses} == {"proxy_url", "api_server", "url"}


# URLs: (literal, url.Parse's error as Alloy's UnmarshalText returns it, or None); the
# parser's own cases are tests/runtime/test_go_url.py.
URLS = [
    ('"http://proxy.example:3128"', None),
    ('"https://user:pa%40ss@[2001:db8::1]:8443/p?q=%zz#f"', None),
    ('""', None),  # an empty URL parses
    ("null", None),
    ('"http://proxy:port"', 'parse "http://proxy:port": invalid port ":port" after host'),
    ('"http://[::1"', "parse \"http://[::1\": missing ']' in host"),
    ('"proxy:3128"', None),  # a scheme `proxy` with opaque data: Go accepts it
    ('"10.0.0.1:3128"', 'parse "10.0.0.1:3128": first path segment in URL cannot contain colon'),
    ('"http://a b"', 'parse "http://a b": invalid character " " in host name'),
    ('"http://x/%zz"', 'parse "http://x/%zz": invalid URL escape "%zz"'),
    ('"http://x\\n"', 'parse "http://x\\n": net/url: invalid control character in URL'),
]


@pytest.mark.parametrize(("literal", "message"), URLS)
def test_a_url_literal_is_parsed_as_go_does(literal: str, message: str | None) -> None:
    component, path, attr = FIELDS["config.URL"]
    config = config_with(component, path, f"{attr} = {literal}")
    diags = alloylite.validate(config, stability_level="experimental", community_components=True)
    assert [d.message for d in diags] == ([message] if message else [])
    if message:  # at the literal
        line = next(i for i, text in enumerate(config.splitlines(), 1) if f"{attr} = " in text)
        column = config.splitlines()[line - 1].index(literal) + 1
        assert (diags[0].start.line, diags[0].start.col) == (line, column)
