"""The relabel engine against Prometheus' test table and Alloy's rules (spec §3).

Every vector of ../shared/conformance/relabel-vectors.json runs; the figure is printed with
the other conformance figures and fails only below its baseline (all 52 pass today, and
each vector is also asserted on its own).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from typing import Any

import pytest

from alloylite.components.common.relabel import (
    LEGACY,
    UTF8,
    CompiledRule,
    NameValidation,
    RelabelConfigError,
    Rule,
    compile_rule,
    compile_rules,
    go_lower,
    go_upper,
    hashmod,
    is_valid_label_name,
    process,
    relabel,
    validate_rule,
)
from alloylite.eval.goregexp import RegexError, compile_regex, expand
from tests.conformance.corpus import CORPUS_DIR
from tests.conftest import report_conformance

VECTORS_PATH = CORPUS_DIR / "relabel-vectors.json"
VECTORS_BASELINE = 52
REJECTED_PREFIX = "config rejected: "


def _load_vectors() -> list[dict[str, Any]]:
    if not VECTORS_PATH.exists():
        return []
    vectors: list[dict[str, Any]] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
    return vectors


VECTORS = _load_vectors()
needs_vectors = pytest.mark.skipif(
    not VECTORS, reason=f"relabel vectors not present ({VECTORS_PATH}; ../shared is absent)"
)


def _rules(vector: dict[str, Any]) -> list[Rule]:
    return [Rule(**rule) for rule in vector["rules"]]


def _scheme(vector: dict[str, Any]) -> NameValidation:
    return LEGACY if vector.get("scheme") == "legacy" else UTF8


def _rejection(vector: dict[str, Any]) -> str | None:
    """Alloy's decode-time message when the vector's rules are refused (P31)."""
    note = vector.get("alloy", {}).get("all", "")
    return note[len(REJECTED_PREFIX) :] if note.startswith(REJECTED_PREFIX) else None


def _vector_failures(vector: dict[str, Any]) -> list[str]:
    """What differs from the vector: the engine's output, and Alloy's verdict on the rules."""
    rules = _rules(vector)
    failures: list[str] = []
    # The engine as Prometheus' test table runs it (no block validation).
    unchecked = [compile_rule(rule, check=False) for rule in rules]
    got = process(vector["input"], unchecked, validation=_scheme(vector))
    if got != vector["expected"]:
        failures.append(f"output {got!r} != {vector['expected']!r}")
    messages = [m for m in map(validate_rule, rules) if m is not None]
    wanted = _rejection(vector)
    if messages[:1] != ([wanted] if wanted else []):
        failures.append(f"validation {messages!r}, Alloy says {wanted!r}")
    if "pyroscope.relabel/prometheus.relabel" in vector.get("alloy", {}):
        # A silent no-op under the legacy runtime name check (P30).
        legacy = process(vector["input"], unchecked, validation=LEGACY)
        if legacy != vector["input"]:
            failures.append(f"legacy output {legacy!r} != input")
    return failures


@needs_vectors
def test_relabel_vectors_conformance() -> None:
    failing = {v["id"]: f for v in VECTORS if (f := _vector_failures(v))}
    matched = len(VECTORS) - len(failing)
    report_conformance("relabel vectors", matched, len(VECTORS), VECTORS_BASELINE)
    assert matched >= VECTORS_BASELINE, f"relabel regressed: {failing}"


@needs_vectors
@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_relabel_vector(vector: dict[str, Any]) -> None:
    assert _vector_failures(vector) == []


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        # decode errors come first: the regex, then the action name
        (
            Rule(regex="(abc", action="nope"),
            "error parsing regexp: missing closing ): `^(?s:(abc)$`",
        ),
        (Rule(action="Replace"), 'unrecognized action type "Replace"'),
        (Rule(action="nope", target_label="x"), 'unrecognized action type "nope"'),
        # Validate, in Alloy's order (spec §3.5)
        (Rule(action=""), "relabel action cannot be empty"),
        (
            Rule(action="hashmod"),
            "relabel configuration for hashmod requires non-zero modulus",
        ),
        (Rule(), "relabel configuration for replace action requires 'target_label' value"),
        (
            Rule(action="hashmod", modulus=10),
            "relabel configuration for hashmod action requires 'target_label' value",
        ),
        (
            Rule(action="keepequal", replacement="x"),
            "relabel configuration for keepequal action requires 'target_label' value",
        ),
        (
            Rule(target_label="bad\xff\udcff"),
            "\"bad\xff\\xff\" is invalid 'target_label' for replace action",
        ),
        (Rule(target_label="-a${1}"), "\"-a${1}\" is invalid 'target_label' for replace action"),
        (
            Rule(target_label="utf-8.label${1}"),
            "\"utf-8.label${1}\" is invalid 'target_label' for replace action",
        ),
        (
            Rule(action="uppercase", target_label="\udc80"),
            "\"\\x80\" is invalid 'target_label' for uppercase action",
        ),
        (
            Rule(action="lowercase", target_label="x", replacement="y"),
            "'replacement' can not be set for lowercase action",
        ),
        (
            Rule(action="dropequal", target_label="x", replacement=""),
            "'replacement' can not be set for dropequal action",
        ),
        (
            Rule(action="labelmap", replacement="a.b"),
            "\"a.b\" is invalid 'replacement' for labelmap action",
        ),
        (
            Rule(action="labelmap", replacement='x"\n'),
            '"x\\"\\n" is invalid \'replacement\' for labelmap action',
        ),
        (
            Rule(action="hashmod", modulus=3, target_label="\udcff"),
            "\"\\xff\" is invalid 'target_label' for hashmod action",
        ),
        (
            Rule(action="labeldrop", source_labels=[]),
            "labeldrop action requires only 'regex', and no other fields",
        ),
        (
            Rule(action="labelkeep", separator=","),
            "labelkeep action requires only 'regex', and no other fields",
        ),
        (
            Rule(action="labelkeep", modulus=1),
            "labelkeep action requires only 'regex', and no other fields",
        ),
        (
            Rule(action="keepequal", target_label="x", regex="(.+)"),
            "keepequal action requires only 'source_labels' and 'target_label', "
            "and no other fields",
        ),
        (
            Rule(action="dropequal", target_label="x", separator=""),
            "dropequal action requires only 'source_labels' and 'target_label', "
            "and no other fields",
        ),
    ],
)
def test_validation_messages(rule: Rule, message: str) -> None:
    assert validate_rule(rule) == message
    with pytest.raises(RelabelConfigError, match=None) as caught:
        compile_rule(rule)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "rule",
    [
        Rule(target_label="service.name"),  # UTF-8 is the global scheme at validation
        Rule(target_label="${1}", replacement=""),
        Rule(action="labeldrop", regex="__meta_.*"),
        Rule(action="keepequal", source_labels=["a"], target_label="b"),
        Rule(action="hashmod", modulus=8, target_label="__tmp_hash"),
        Rule(action="labelmap", regex="__meta_(.*)", replacement="meta_${1}"),
        Rule(action="drop", source_labels=["a"], regex=""),
    ],
)
def test_valid_rules(rule: Rule) -> None:
    assert validate_rule(rule) is None


def test_target_label_template_validity() -> None:
    """Alloy's TestTargetLabelValidity table (spec §3.5), through labelmap's replacement check.

    A replace target without `$` is checked as a UTF-8 name instead (`-label` passes there).
    """
    valid = ["label", "label${1}", "${1}label", "${1}", "$1", "asd$2asd", "_${1}_", "foo${bar}foo"]
    invalid = ["-label", "${", "$", "${}", "foo${", "-foo${1}bar-", "bar.foo${1}bar"]
    for text in valid:
        assert validate_rule(Rule(action="labelmap", replacement=text)) is None, text
    for text in invalid:
        assert validate_rule(Rule(action="labelmap", replacement=text)) is not None, text
    assert validate_rule(Rule(target_label="-label")) is None


def test_compile_rules_names_the_bad_rule() -> None:
    rules = [Rule(target_label="a"), Rule(action="drop", regex="a{1001}")]
    with pytest.raises(RelabelConfigError) as caught:
        compile_rules(rules)
    assert caught.value.index == 1
    assert caught.value.message == "error parsing regexp: invalid repeat count: `{1001}`"


def test_rule_is_frozen_and_hashable() -> None:
    rule = Rule(source_labels=["a", "b"])
    assert rule.source_labels == ("a", "b")
    assert hash(rule) == hash(Rule(source_labels=("a", "b")))
    with pytest.raises(AttributeError):
        rule.action = "drop"  # type: ignore[misc]


# --------------------------------------------------------------------------- regexes


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(abc", "missing closing ): `^(?s:(abc)$`"),
        ("a)", "unexpected ): `^(?s:a))$`"),
        ("[a", "missing closing ]: `[a)$`"),
        (r"\Z", r"invalid escape sequence: `\Z`"),
        (r"\1", r"invalid escape sequence: `\1`"),
        (r"\C", r"invalid escape sequence: `\C`"),  # RE2 accepts \C, Go does not
        (r"[\C]", r"invalid escape sequence: `\C`"),
        (r"(\C", r"invalid escape sequence: `\C`"),  # Go stops at \C before the missing )
        (r"a**\C", "invalid nested repetition operator: `**`"),  # the earlier error wins
        ("(?P=n)", "invalid or unsupported Perl syntax: `(?P`"),
        ("(?=a)", "invalid or unsupported Perl syntax: `(?=`"),
        ("(?!a)", "invalid or unsupported Perl syntax: `(?!`"),
        ("(?>a)", "invalid or unsupported Perl syntax: `(?>`"),
        ("(?x)a", "invalid or unsupported Perl syntax: `(?x`"),
        ("(?-)", "invalid or unsupported Perl syntax: `(?-)`"),
        # Go >= 1.22 reads `(?<` as a named group up to the first `>`
        ("(?<=a)", "invalid named capture: `(?<=a))$`"),
        ("(?<!a)b>", "invalid named capture: `(?<!a)b>`"),
        ("(?P<é>x)", "invalid named capture: `(?P<é>`"),
        ("(?P<>x)", "invalid named capture: `(?P<>`"),
        ("(?P<n", "invalid named capture: `(?P<n)$`"),
        ("a++", "invalid nested repetition operator: `++`"),
        ("x**", "invalid nested repetition operator: `**`"),
        ("a{2}{3}", "invalid nested repetition operator: `{2}{3}`"),
        ("**", "missing argument to repetition operator: `*`"),
        ("a{1001}", "invalid repeat count: `{1001}`"),
        ("(a{500}){3}", "invalid repeat count: `{3}`"),
        ("[z-a]", "invalid character class range: `z-a`"),
        (r"\p{Foo}", r"invalid character class range: `\p{Foo}`"),
        ("[[:foo:]]", "invalid character class range: `[:foo:]`"),
    ],
)
def test_regex_errors_use_go_text(pattern: str, message: str) -> None:
    with pytest.raises(RegexError) as caught:
        compile_regex(pattern)
    assert str(caught.value) == "error parsing regexp: " + message


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("f|o", "foo", False),  # anchored as a whole
        ("a|ab", "ab", True),
        ("line1.*line2", "line1\nline2", True),  # (?s): . matches \n
        ("foo$", "foo\n", False),  # $ is end of text
        ("foo", "foo\n", False),
        (r"foo\z", "foo", True),
        ("^foo$", "foo", True),  # user anchors are harmless
        (r"\d", "٣", False),  # ASCII \d
        (r"\w+", "é", False),
        (r"\s", "\v", False),  # Go's \s has no \v
        (r"\s", "\f", True),
        ("(?i)foo", "FOO", True),
        ("a(?i)b", "aB", True),  # mid-pattern flags apply to the rest
        ("a(?i)b", "AB", False),
        ("(?i:a)b", "AB", False),
        ("(?i)k", "\u212a", True),  # simple folding: KELVIN SIGN
        ("(?U)(a+)", "aaa", True),
        (r"\Qa.b\E", "a.b", True),
        (r"\Qa.b\E", "axb", False),
        ("[[:alpha:]]+", "abc", True),
        (r"\pL+", "héllo", True),
        (r"\p{Greek}", "λ", True),
        ("", "", True),
        ("", "x", False),
        (".", "\udcff", True),  # an undecodable byte is one rune, as in Go
    ],
)
def test_regex_semantics(pattern: str, text: str, matches: bool) -> None:
    assert compile_regex(pattern).matches(text) is matches


def test_regex_groups_and_names() -> None:
    regex = compile_regex(r"(?P<a>x)?[(](?<a>y)\Q(\E(?:z)(?i:(w))(?P<1x>v)")
    assert regex.group_names == (None, "a", "a", None, "1x")
    assert regex.match("(y(zWv") == ("(y(zWv", None, "y", "W", "v")
    assert regex.match("xy") is None


def test_captures_keep_undecodable_bytes() -> None:
    assert compile_regex("(.)é(.*)").match("\udcffé\udc80z") == (
        "\udcffé\udc80z",
        "\udcff",
        "\udc80z",
    )


def test_large_unicode_repeat_compiles_as_in_go() -> None:
    assert compile_regex(r"\pL{1000}").matches("é" * 1000)


# --------------------------------------------------------------------------- Go's Expand


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("$1x", "X"),  # the group named 1x
        ("${1}x", "fx"),
        ("$1-$2", "f-o"),
        ("$$1", "$1"),
        ("$$", "$"),
        ("$", "$"),
        ("a$", "a$"),
        ("${1", "${1"),
        ("${}", "${}"),
        ("$-1", "$-1"),
        ("${", "${"),
        ("$0", "foo"),
        ("$01", ""),  # a name, not a number
        ("$9", ""),  # out of range
        ("$3", ""),  # did not take part
        ("$n", "o"),  # the first participating group named n
        ("${n}!", "o!"),
        ("$missing", ""),
        ("$é", ""),  # a Unicode letter continues a name
        ("$1é", ""),
        ("$١", ""),  # an Arabic-Indic digit is part of a name, never a number
        ("$100000000", ""),
        ("<${1}>", "<f>"),
    ],
)
def test_go_expand(template: str, expected: str) -> None:
    regex = compile_regex("(f)(o)(?P<n>x)?(?P<n>o)(?P<1x>)")
    groups = regex.match("foo")
    assert groups is not None
    named = tuple(
        "X" if name == "1x" else value
        for name, value in zip(regex.group_names, groups, strict=True)
    )
    assert expand(template, named, regex.group_names) == expected


# --------------------------------------------------------------------------- case mapping


@pytest.mark.parametrize(
    ("text", "upper", "lower"),
    [
        ("bAr123Foo", "BAR123FOO", "bar123foo"),
        ("straße", "STRAßE", "straße"),  # Python: STRASSE
        ("İ", "İ", "i"),  # Python lower: i̇ (two runes)
        ("ΑΣ", "ΑΣ", "ασ"),  # no final-sigma context rule
        ("ᾀ", "ᾈ", "ᾀ"),  # simple uppercase (Python: ἈΙ)
        ("ﬀ", "ﬀ", "ﬀ"),  # no simple uppercase (Python: FF)
        ("ŉ", "ŉ", "ŉ"),
        ("\u212a", "\u212a", "k"),  # KELVIN SIGN
        ("ǅ", "Ǆ", "ǆ"),
        ("ı", "I", "ı"),
        ("a\udcffb", "A\ufffdB", "a\ufffdb"),  # Go maps invalid bytes to U+FFFD
        ("", "", ""),
    ],
)
def test_go_case_mapping(text: str, upper: str, lower: str) -> None:
    assert go_upper(text) == upper
    assert go_lower(text) == lower


def test_case_actions_use_go_mapping() -> None:
    rules = [
        Rule(source_labels=["a"], action="uppercase", target_label="up"),
        Rule(source_labels=["a"], action="lowercase", target_label="low"),
    ]
    assert process({"a": "Straße İ"}, rules) == {
        "a": "Straße İ",
        "low": "straße i",
        "up": "STRAßE İ",
    }


# --------------------------------------------------------------------------- hashmod


@pytest.mark.parametrize(
    ("value", "modulus", "expected"),
    [
        ("baz", 1000, 976),  # Prometheus TestRelabel (vector P12)
        ("foo\nbar", 1000, 734),  # P13
        ("", 1000, 958),  # A10
    ],
)
def test_hashmod_known_values(value: str, modulus: int, expected: int) -> None:
    assert hashmod(value, modulus) == expected


def test_hashmod_is_last_eight_md5_bytes_big_endian() -> None:
    digest = hashlib.md5(b"some-target:9090").digest()
    assert hashmod("some-target:9090", 1 << 64) == int.from_bytes(digest[8:], "big")
    assert hashmod("\udcff", 1 << 64) == int.from_bytes(hashlib.md5(b"\xff").digest()[8:], "big")


# --------------------------------------------------------------------------- label sets, engines


def test_label_names_per_scheme() -> None:
    assert is_valid_label_name("service.name", UTF8)
    assert not is_valid_label_name("service.name", LEGACY)
    assert is_valid_label_name("_a1", LEGACY)
    assert not is_valid_label_name("1a", LEGACY)
    assert not is_valid_label_name("a\n", LEGACY)
    assert not is_valid_label_name("", UTF8)
    assert not is_valid_label_name("\udcff", UTF8)


def test_input_semantics_empty_values_duplicates_and_order() -> None:
    pairs = [("b", "1"), ("a", "x"), ("b", "2"), ("empty", "")]
    assert list(process(pairs, []) or {}) == ["a", "b"]
    assert process(pairs, []) == {"a": "x", "b": "2"}
    # an empty value is an absent label for source_labels and keepequal
    rules = [Rule(source_labels=["empty"], action="keepequal", target_label="missing")]
    assert process({"a": "1", "empty": ""}, rules) == {"a": "1"}


def test_output_is_sorted_by_name() -> None:
    rules = [Rule(target_label="0", replacement="z"), Rule(target_label="B", replacement="y")]
    assert list(process({"b": "1", "a": "2"}, rules) or {}) == ["0", "B", "a", "b"]


def test_dropped_by_names_the_rule() -> None:
    rules = [
        Rule(target_label="env", replacement="prod"),
        Rule(source_labels=["env"], regex="dev", action="keep"),
        Rule(action="drop"),
    ]
    assert relabel({"a": "1"}, rules) == (None, 1)
    assert relabel({"a": "1"}, rules[:1]) == ({"a": "1", "env": "prod"}, None)


def test_labelmap_walks_a_snapshot_in_builder_order() -> None:
    """Untouched labels sorted, then labels set earlier in set order; later wins (spec §3.2)."""
    rules = [
        Rule(target_label="z_k", replacement="from-rule"),
        Rule(action="labelmap", regex="[az]_(k)", replacement="$1"),
    ]
    assert process({"a_k": "from-input"}, rules) == {
        "a_k": "from-input",
        "k": "from-rule",
        "z_k": "from-rule",
    }
    # a label added by labelmap itself is not revisited in the same rule
    again = [Rule(action="labelmap", regex="(.*)", replacement="x${1}")]
    assert process({"a": "1"}, again) == {"a": "1", "xa": "1"}


def test_legacy_engine_skips_dotted_targets_only_at_runtime() -> None:
    rules = [Rule(source_labels=["service_name"], target_label="service.name")]
    assert validate_rule(rules[0]) is None
    assert process({"service_name": "svc"}, rules, validation=LEGACY) == {"service_name": "svc"}
    assert process({"service_name": "svc"}, rules, validation=UTF8) == {
        "service_name": "svc",
        "service.name": "svc",
    }


def test_process_refuses_rules_alloy_refuses() -> None:
    with pytest.raises(RelabelConfigError):
        process({"a": "1"}, [Rule(action="hashmod", target_label="h")])


def test_compiled_rules_are_reused() -> None:
    compiled = compile_rules([Rule(target_label="x", replacement="y"), Rule(action="drop")])
    assert all(isinstance(rule, CompiledRule) for rule in compiled)
    assert compile_rules(compiled) == compiled
    assert relabel({"a": "1"}, compiled).dropped_by == 1


def test_engine_stays_pure() -> None:
    """The engine loads without the runtime, the server or any HTTP stack."""
    code = (
        "import sys\nimport alloylite.components.common.relabel\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'starlette', 'uvicorn', 'httpx', 'httpcore', 'h2', 'anyio'} "
        "or m.startswith(('alloylite.runtime', 'alloylite.server'))))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "[]", proc.stderr
