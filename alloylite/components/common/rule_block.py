"""Alloy's `rule` block as a schema: what every relabel component declares.

The engine (alloylite.components.common.relabel) is pure; this module is the bridge to the
decoder: the block's attributes with Alloy's defaults, and its checks in Alloy's order, so
a bad regex or action reads exactly as Alloy prints it (spec alloy-profiling-components.md
§3.1 and §3.5). `regex` and `action` decode through the catalogue's Go types, as in every
component with a `rule` block: a bad literal is reported at the value, by `validate` too;
`validate()` holds the block-level checks Alloy runs only when it builds the component.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from alloylite.components.common.relabel import (
    DEFAULT_REGEX,
    DEFAULT_REPLACEMENT,
    DEFAULT_SEPARATOR,
    CompiledRule,
    Rule,
    compile_rule,
)
from alloylite.eval.values import Capsule
from alloylite.runtime.catalogue.text_types import Regexp, text_type
from alloylite.runtime.schema import attr

# The Go type of the `rules` export relabel components share (other components accept it).
RULES_TYPE = "relabel.Rules"


@dataclass
class RuleBlock:
    """One `rule { ... }` block."""

    source_labels: list[str] | None = attr(
        default=None,
        doc="Labels whose values, joined with `separator`, are the value the rule matches; a "
        "missing label contributes an empty string.",
    )
    separator: str = attr(
        default=DEFAULT_SEPARATOR,
        doc="Text put between the `source_labels` values; may be empty.",
    )
    regex: Annotated[str, Regexp] = attr(
        default=DEFAULT_REGEX,
        doc="RE2 regular expression that must match the whole value (or, for `labelmap`, "
        "`labeldrop` and `labelkeep`, the whole label name); its groups feed `replacement`.",
    )
    modulus: int = attr(
        default=0,
        doc="Divisor of the hash for `hashmod`; must be greater than 0 there.",
    )
    target_label: str = attr(
        default="",
        doc="Label the result is written to (`replace`, `hashmod`, `lowercase`, `uppercase`) or "
        "compared with (`keepequal`, `dropequal`); `$1`-style references allowed for `replace`.",
    )
    replacement: str = attr(
        default=DEFAULT_REPLACEMENT,
        doc="Value written by `replace` (or new name by `labelmap`), with `$1`-style references "
        "to the groups of `regex`; an empty result deletes the target label.",
    )
    action: Annotated[str, text_type("relabel.Action")] = attr(
        default="replace",
        doc="What the rule does: `replace`, `keep`, `drop`, `keepequal`, `dropequal`, `hashmod`, "
        "`labelmap`, `labeldrop`, `labelkeep`, `lowercase` or `uppercase`.",
    )

    def to_rule(self) -> Rule:
        return Rule(
            source_labels=self.source_labels,
            separator=self.separator,
            regex=self.regex,
            modulus=self.modulus,
            target_label=self.target_label,
            replacement=self.replacement,
            action=self.action,
        )

    def validate(self) -> None:
        if self.modulus < 0:
            # Alloy decodes modulus into a uint64.
            raise ValueError(f"cannot convert {self.modulus} to uint64")
        compile_rule(self.to_rule())  # RelabelConfigError is a ValueError with Alloy's text


def compile_blocks(blocks: list[RuleBlock]) -> tuple[CompiledRule, ...]:
    """The blocks as engine rules (already validated when they were decoded)."""
    return tuple(compile_rule(block.to_rule(), check=False) for block in blocks)


def export_rules(blocks: list[RuleBlock]) -> Capsule:
    """The `rules` export: the rule list, opaque to Alloy code, for reuse by other components."""
    return Capsule(_rule_values(blocks), RULES_TYPE)


def _rule_values(blocks: list[RuleBlock]) -> list[dict[str, Any]]:
    return [
        {
            "source_labels": list(block.source_labels or []),
            "separator": block.separator,
            "regex": block.regex,
            "modulus": block.modulus,
            "target_label": block.target_label,
            "replacement": block.replacement,
            "action": block.action,
        }
        for block in blocks
    ]
