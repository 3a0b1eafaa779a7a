"""The relabel engine shared by discovery.relabel, pyroscope.relabel and prometheus.relabel.

One pure module (no runtime, no HTTP) so that every relabel component gives byte-identical
results to Alloy: the `rule` block and its validation messages, Go's simple case mapping,
Prometheus' MD5 hashmod and the engine-dependent check of expanded target names. The regexes
(RE2 anchored the way Alloy anchors them, Go's errors and `$` expansion) are Go's regexp,
in `alloylite.eval.goregexp`, which the catalogue's `Regexp` type shares.
Facts: spec alloy-profiling-components.md §3.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from alloylite.eval.goregexp import Regex, RegexError, compile_regex, expand
from alloylite.gocompat import go_quote
from alloylite.relabel_actions import ACTIONS

__all__ = [
    "ACTIONS",
    "DEFAULT_REGEX",
    "DEFAULT_REPLACEMENT",
    "DEFAULT_SEPARATOR",
    "LEGACY",
    "UTF8",
    "CompiledRule",
    "NameValidation",
    "RelabelConfigError",
    "RelabelResult",
    "Rule",
    "compile_rule",
    "compile_rules",
    "go_lower",
    "go_upper",
    "hashmod",
    "is_valid_label_name",
    "process",
    "relabel",
    "validate_rule",
]


class NameValidation(enum.Enum):
    """How an expanded `replace` target name is checked at runtime (spec §3.6)."""

    UTF8 = "utf8"  # discovery.relabel: any non-empty valid UTF-8
    LEGACY = "legacy"  # pyroscope.relabel, prometheus.relabel: [a-zA-Z_][a-zA-Z0-9_]*


UTF8 = NameValidation.UTF8
LEGACY = NameValidation.LEGACY

DEFAULT_SEPARATOR = ";"
DEFAULT_REGEX = "(.*)"
DEFAULT_REPLACEMENT = "$1"

Labels = Mapping[str, str] | Iterable[tuple[str, str]]


# --------------------------------------------------------------------------- the rule block


@dataclass(frozen=True)
class Rule:
    """Alloy's `rule` block with Alloy's defaults (spec §3.1).

    `source_labels` stays None when unset: Alloy tells an explicit empty list from an
    absent one (labeldrop/labelkeep reject any non-nil list).
    """

    source_labels: Sequence[str] | None = None
    separator: str = DEFAULT_SEPARATOR
    regex: str = DEFAULT_REGEX
    modulus: int = 0
    target_label: str = ""
    replacement: str = DEFAULT_REPLACEMENT
    action: str = "replace"

    def __post_init__(self) -> None:
        if self.source_labels is not None and not isinstance(self.source_labels, tuple):
            object.__setattr__(self, "source_labels", tuple(self.source_labels))


class RelabelConfigError(ValueError):
    """A rule Alloy rejects at decode; str() is Alloy's message, `index` the rule's position."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.index = index


# --------------------------------------------------------------------------- case mapping


def go_lower(text: str) -> str:
    """Go's strings.ToLower: per-rune simple mapping (`İ` -> `i`), bad bytes -> U+FFFD."""
    if text.isascii():
        return text.lower()
    return "".join(_lower_rune(ch) for ch in text)


def go_upper(text: str) -> str:
    """Go's strings.ToUpper: per-rune simple mapping (`ß` stays `ß`), bad bytes -> U+FFFD."""
    if text.isascii():
        return text.upper()
    return "".join(_upper_rune(ch) for ch in text)


@functools.lru_cache(maxsize=4096)
def _lower_rune(ch: str) -> str:
    if "\ud800" <= ch <= "\udfff":
        return "\ufffd"
    lowered = ch.lower()
    if len(lowered) == 1:
        return lowered
    # Only U+0130 has a multi-rune full lowercase; its simple lowercase is U+0069.
    return lowered[0] if ch == "\u0130" else ch


@functools.lru_cache(maxsize=4096)
def _upper_rune(ch: str) -> str:
    if "\ud800" <= ch <= "\udfff":
        return "\ufffd"
    upper = ch.upper()
    if len(upper) == 1:
        return upper
    # Full uppercase is several runes (SpecialCasing): the simple uppercase, where one
    # exists (U+1F80 -> U+1F88), equals the one-rune titlecase; otherwise the rune stays.
    title = ch.title()
    return title if len(title) == 1 else ch


# --------------------------------------------------------------------------- names, hashmod

_LEGACY_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def is_valid_label_name(name: str, validation: NameValidation = UTF8) -> bool:
    """Prometheus' label name check under the given scheme."""
    if validation is LEGACY:
        return _LEGACY_NAME.fullmatch(name) is not None
    return name != "" and _is_utf8(name)


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _raw_bytes(text: str) -> bytes:
    """The bytes Go would hold for `text` (undecodable input bytes restored)."""
    return text.encode("utf-8", "surrogateescape")


def hashmod(value: str, modulus: int) -> int:
    """Prometheus' hashmod: big-endian uint64 of MD5 bytes 8..15, modulo `modulus`."""
    digest = hashlib.md5(_raw_bytes(value), usedforsecurity=False).digest()
    return int.from_bytes(digest[8:], "big") % modulus


# --------------------------------------------------------------------------- validation

# Alloy's check for `$` templates in target_label (replace) and replacement (labelmap).
_TEMPLATE_PATTERN = r"(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+"
_EQUAL_ACTIONS = ("lowercase", "uppercase", "keepequal", "dropequal")
_TARGET_ACTIONS = ("replace", "hashmod", *_EQUAL_ACTIONS)


def _is_template(text: str) -> bool:
    return compile_regex(_TEMPLATE_PATTERN).matches(text)


def validate_rule(rule: Rule) -> str | None:
    """Alloy's first complaint about `rule` (decode errors, then `Validate` in order), or None."""
    return _decode_error(rule) or _validate(rule)


def _decode_error(rule: Rule) -> str | None:
    """What fails while decoding the block: the regex (field order: it comes first), the action."""
    try:
        compile_regex(rule.regex)
    except RegexError as exc:
        return str(exc)
    if rule.action not in ACTIONS and rule.action != "":
        return f'unrecognized action type "{rule.action}"'
    return None


def _validate(rule: Rule) -> str | None:
    """Alloy's `Config.Validate`, each check in its order (spec §3.5)."""
    for check in _CHECKS:
        message = check(rule)
        if message is not None:
            return message
    return None


def _check_action(rule: Rule) -> str | None:
    return "relabel action cannot be empty" if rule.action == "" else None


def _check_modulus(rule: Rule) -> str | None:
    if rule.action == "hashmod" and rule.modulus == 0:
        return "relabel configuration for hashmod requires non-zero modulus"
    return None


def _check_target_present(rule: Rule) -> str | None:
    if rule.action in _TARGET_ACTIONS and rule.target_label == "":
        return f"relabel configuration for {rule.action} action requires 'target_label' value"
    return None


def _check_target_name(rule: Rule) -> str | None:
    target = rule.target_label
    if rule.action == "replace":
        valid = _is_template(target) if "$" in target else is_valid_label_name(target)
    elif rule.action in _EQUAL_ACTIONS:
        valid = is_valid_label_name(target)
    else:
        return None
    return None if valid else _invalid_target(rule)


def _check_replacement_unset(rule: Rule) -> str | None:
    if rule.action in _EQUAL_ACTIONS and rule.replacement != DEFAULT_REPLACEMENT:
        return f"'replacement' can not be set for {rule.action} action"
    return None


def _check_labelmap(rule: Rule) -> str | None:
    if rule.action == "labelmap" and not _is_template(rule.replacement):
        return f"{go_quote(rule.replacement)} is invalid 'replacement' for labelmap action"
    return None


def _check_hashmod_target(rule: Rule) -> str | None:
    if rule.action == "hashmod" and not is_valid_label_name(rule.target_label):
        return _invalid_target(rule)
    return None


def _check_label_filters(rule: Rule) -> str | None:
    if rule.action not in ("labeldrop", "labelkeep"):
        return None
    if (
        rule.source_labels is not None
        or rule.target_label != ""
        or rule.modulus != 0
        or rule.separator != DEFAULT_SEPARATOR
        or rule.replacement != DEFAULT_REPLACEMENT
    ):
        return f"{rule.action} action requires only 'regex', and no other fields"
    return None


def _check_equal_actions(rule: Rule) -> str | None:
    if rule.action not in ("keepequal", "dropequal"):
        return None
    if (
        rule.regex != DEFAULT_REGEX
        or rule.modulus != 0
        or rule.separator != DEFAULT_SEPARATOR
        or rule.replacement != DEFAULT_REPLACEMENT
    ):
        return (
            f"{rule.action} action requires only 'source_labels' and 'target_label', "
            "and no other fields"
        )
    return None


_CHECKS = (
    _check_action,
    _check_modulus,
    _check_target_present,
    _check_target_name,
    _check_replacement_unset,
    _check_labelmap,
    _check_hashmod_target,
    _check_label_filters,
    _check_equal_actions,
)


def _invalid_target(rule: Rule) -> str:
    return f"{go_quote(rule.target_label)} is invalid 'target_label' for {rule.action} action"


# --------------------------------------------------------------------------- compiled rules


@dataclass(frozen=True)
class CompiledRule:
    """A rule with its regex compiled: what the engine runs."""

    rule: Rule
    regex: Regex = field(compare=False)


def compile_rule(rule: Rule, *, check: bool = True) -> CompiledRule:
    """Compile one rule; with `check`, reject it exactly as Alloy's decoder would.

    `check=False` keeps only the regex compilation: Prometheus' own test table runs rules
    Alloy's block validation would refuse (vector P31).
    """
    if check:
        message = validate_rule(rule)
        if message is not None:
            raise RelabelConfigError(message)
    try:
        return CompiledRule(rule, compile_regex(rule.regex))
    except RegexError as exc:
        raise RelabelConfigError(str(exc)) from None


def compile_rules(rules: Iterable[Rule | CompiledRule]) -> tuple[CompiledRule, ...]:
    """Compile and validate a rule list; the error carries the index of the first bad rule."""
    compiled: list[CompiledRule] = []
    for index, rule in enumerate(rules):
        if isinstance(rule, CompiledRule):
            compiled.append(rule)
            continue
        try:
            compiled.append(compile_rule(rule))
        except RelabelConfigError as exc:
            raise RelabelConfigError(exc.message, index) from None
    return tuple(compiled)


# --------------------------------------------------------------------------- the engine


class _Builder:
    """Prometheus' labels.Builder: base labels plus ordered additions and deletions.

    The order matters: labelmap/labeldrop/labelkeep walk a snapshot of untouched base
    labels (sorted) followed by labels set by earlier rules, in the order they were set.
    """

    __slots__ = ("base", "added", "deleted")

    def __init__(self, base: dict[str, str]) -> None:
        self.base = base
        self.added: dict[str, str] = {}
        self.deleted: set[str] = set()

    def get(self, name: str) -> str:
        value = self.added.get(name)
        if value is not None:
            return value
        if name in self.deleted:
            return ""
        return self.base.get(name, "")

    def set(self, name: str, value: str) -> None:
        if value == "":
            self.delete(name)
        else:
            self.added[name] = value

    def delete(self, name: str) -> None:
        self.added.pop(name, None)
        self.deleted.add(name)

    def snapshot(self) -> list[tuple[str, str]]:
        items = [
            (name, value)
            for name, value in self.base.items()
            if name not in self.deleted and name not in self.added
        ]
        items.extend(self.added.items())
        return items

    def labels(self) -> dict[str, str]:
        return dict(sorted(self.snapshot()))


def _base_labels(labels: Labels) -> dict[str, str]:
    """Input labels sorted by name; later duplicates win, empty values are absent."""
    pairs = labels.items() if isinstance(labels, Mapping) else labels
    merged: dict[str, str] = {}
    for name, value in pairs:
        merged[name] = value
    return {name: merged[name] for name in sorted(merged) if merged[name] != ""}


class RelabelResult(NamedTuple):
    """The outcome of one run: labels (None when dropped) and the index of the dropping rule."""

    labels: dict[str, str] | None
    dropped_by: int | None


def relabel(
    labels: Labels,
    rules: Sequence[Rule | CompiledRule],
    *,
    validation: NameValidation = UTF8,
) -> RelabelResult:
    """Run `rules` top-down over `labels`; the first rule that drops ends processing."""
    builder = _Builder(_base_labels(labels))
    for index, rule in enumerate(rules):
        compiled = rule if isinstance(rule, CompiledRule) else compile_rule(rule)
        if not _apply(compiled, builder, validation):
            return RelabelResult(None, index)
    return RelabelResult(builder.labels(), None)


def process(
    labels: Labels,
    rules: Sequence[Rule | CompiledRule],
    *,
    validation: NameValidation = UTF8,
) -> dict[str, str] | None:
    """The relabelled label set, sorted by name, or None when a rule dropped it."""
    return relabel(labels, rules, validation=validation).labels


def _apply(compiled: CompiledRule, builder: _Builder, validation: NameValidation) -> bool:
    """One rule (Prometheus' relabel()); False means drop."""
    rule, regex = compiled.rule, compiled.regex
    action = rule.action
    if action in _LABEL_ACTIONS:
        _LABEL_ACTIONS[action](rule, regex, builder)
        return True
    value = rule.separator.join(builder.get(name) for name in rule.source_labels or ())
    if action == "replace":
        _replace(rule, regex, builder, value, validation)
    elif action in _DROP_ACTIONS:
        return _DROP_ACTIONS[action](rule, regex, builder, value)
    elif action == "lowercase":
        builder.set(rule.target_label, go_lower(value))
    elif action == "uppercase":
        builder.set(rule.target_label, go_upper(value))
    elif action == "hashmod":
        builder.set(rule.target_label, str(hashmod(value, rule.modulus)))
    else:
        raise RelabelConfigError(f'unrecognized action type "{action}"')
    return True


def _replace(
    rule: Rule, regex: Regex, builder: _Builder, value: str, validation: NameValidation
) -> None:
    groups = regex.match(value)
    if groups is None:
        return
    target = expand(rule.target_label, groups, regex.group_names)
    if not is_valid_label_name(target, validation):
        return
    builder.set(target, expand(rule.replacement, groups, regex.group_names))


def _labelmap(rule: Rule, regex: Regex, builder: _Builder) -> None:
    for name, value in builder.snapshot():
        groups = regex.match(name)
        if groups is not None:
            builder.set(expand(rule.replacement, groups, regex.group_names), value)


def _labeldrop(rule: Rule, regex: Regex, builder: _Builder) -> None:
    for name, _ in builder.snapshot():
        if regex.matches(name):
            builder.delete(name)


def _labelkeep(rule: Rule, regex: Regex, builder: _Builder) -> None:
    for name, _ in builder.snapshot():
        if not regex.matches(name):
            builder.delete(name)


_LABEL_ACTIONS = {"labelmap": _labelmap, "labeldrop": _labeldrop, "labelkeep": _labelkeep}


def _keep(rule: Rule, regex: Regex, builder: _Builder, value: str) -> bool:
    return regex.matches(value)


def _drop(rule: Rule, regex: Regex, builder: _Builder, value: str) -> bool:
    return not regex.matches(value)


def _keepequal(rule: Rule, regex: Regex, builder: _Builder, value: str) -> bool:
    return builder.get(rule.target_label) == value


def _dropequal(rule: Rule, regex: Regex, builder: _Builder, value: str) -> bool:
    return builder.get(rule.target_label) != value


_DROP_ACTIONS = {"keep": _keep, "drop": _drop, "keepequal": _keepequal, "dropequal": _dropequal}
