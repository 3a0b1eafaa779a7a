"""The pure part of pyroscope.enrich: the target index and the label copy.

Kept apart from the component so the matching rules (spec §4.3) are tested without a
runtime. An `Enrichment` is immutable: an update builds a new one and swaps it in, so a
profile in flight is enriched with one consistent set of targets and settings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from alloylite.components.pyroscope.appendable import Labels

Target = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Enrichment:
    """Which profile label to match, the targets by their match value, what to copy."""

    profiles_match_label: str
    index: Mapping[str, Target]
    labels_to_copy: tuple[str, ...]

    @classmethod
    def build(
        cls,
        targets: Sequence[Target],
        target_match_label: str,
        profiles_match_label: str,
        labels_to_copy: Sequence[str],
    ) -> Enrichment:
        """Index every target with a non-empty match value; a later target with the same
        value replaces an earlier one (Alloy fills a map in input order)."""
        index: dict[str, Target] = {}
        for target in targets:
            value = target.get(target_match_label, "")
            if value:
                index[value] = target
        return cls(
            profiles_match_label=profiles_match_label or target_match_label,
            index=index,
            labels_to_copy=tuple(labels_to_copy),
        )

    def apply(self, labels: Labels) -> Labels:
        """The profile's labels with the matched target's labels laid over them.

        Unmatched (no match label, empty value, or no target with that value) returns the
        very same tuple, so callers can tell nothing changed.
        """
        value = _get(labels, self.profiles_match_label)
        if not value:
            return labels
        target = self.index.get(value)
        if target is None:
            return labels
        merged = dict(labels)
        if not self.labels_to_copy:
            for name, copied in target.items():
                # Prometheus' label builder: setting an empty value deletes the label.
                if copied:
                    merged[name] = copied
                else:
                    merged.pop(name, None)
        else:
            for name in self.labels_to_copy:
                copied = target.get(name, "")
                if copied:
                    merged[name] = copied
        return tuple(sorted(merged.items()))


def _get(labels: Labels, name: str) -> str:
    for label, value in labels:
        if label == name:
            return value
    return ""
