"""The argument schema of `pyroscope.enrich`."""

from __future__ import annotations

from dataclasses import dataclass

from alloylite.components.pyroscope.appendable import Appendable
from alloylite.runtime.schema import attr
from alloylite.runtime.schema.target import Target


@dataclass
class Arguments:
    targets: list[Target] = attr(
        required=True,
        doc="Targets whose labels are added to matching profiles, for example a discovery "
        "component's `targets`.",
    )
    target_match_label: str = attr(
        required=True,
        doc="Label of the targets whose value is matched; a later target with the same value wins.",
    )
    # Empty means "use target_match_label" (Alloy resolves it at match time, as here).
    profiles_match_label: str = attr(
        default="",
        doc="Label of the profiles compared with the targets' `target_match_label`; empty means "
        "the same name as `target_match_label`.",
    )
    # Empty means "copy every label of the matched target".
    labels_to_copy: list[str] = attr(
        default_factory=list,
        doc="Labels copied from the matched target, overwriting the profile's; empty means every "
        "label of the target.",
    )
    forward_to: list[Appendable] = attr(
        required=True,
        doc="Receivers every profile is forwarded to, enriched or not, one after another.",
    )
