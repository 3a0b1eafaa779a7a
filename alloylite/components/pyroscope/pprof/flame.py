"""A pprof profile as flame-graph trees, one per sample type, for the live-debugging UI.

Frames are function names, root first (pprof lists a sample's locations leaf first, and
a location's inlined lines callee first). Small subtrees are folded into their parent
so the JSON the browser receives stays bounded however big the profile is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alloylite.components.pyroscope.pprof.profile import Profile, decode, gunzip
from alloylite.components.pyroscope.pprof.wire import fields

# A frame narrower than this share of the total is not sent (its value stays in its parent).
MIN_SHARE = 1 / 2000
MAX_TOP = 30


@dataclass
class Node:
    value: int = 0
    children: dict[str, Node] = field(default_factory=dict)

    def json(self, name: str, floor: int) -> dict[str, Any]:
        kids = [
            child.json(child_name, floor)
            for child_name, child in sorted(self.children.items(), key=lambda kv: -kv[1].value)
            if child.value >= floor
        ]
        return {"n": name, "v": self.value, "c": kids}


def _function_names(profile: Profile) -> dict[int, str]:
    names: dict[int, str] = {}
    for function_id, raw in profile.functions.items():
        name_index = 0
        for number, _, value in fields(raw):
            if number == 2 and isinstance(value, int):
                name_index = value
        names[function_id] = profile.string(name_index) or f"0x{function_id:x}"
    return names


def _stack(profile: Profile, names: dict[int, str], location_ids: list[int]) -> list[str]:
    frames: list[str] = []
    for location_id in reversed(location_ids):
        location = profile.locations.get(location_id)
        if location is None:
            frames.append(f"location {location_id}")
            continue
        if not location.function_ids:
            frames.append(f"0x{location.address:x}")
        frames.extend(names.get(f, f"function {f}") for f in reversed(location.function_ids))
    return frames


def flame_graphs(data: bytes) -> list[dict[str, Any]]:
    """Per sample type: its name and unit, the tree, and the top functions by self value.

    `data` is a pprof, gzip'd or not; raises WireError (a ValueError) when it is not one.
    """
    profile = decode(gunzip(data))
    names = _function_names(profile)
    types = [(profile.string(t), profile.string(u)) for t, u in profile.sample_types]
    roots = [Node() for _ in types]
    selfs: list[dict[str, int]] = [{} for _ in types]
    for sample in profile.samples:
        stack = _stack(profile, names, sample.location_ids)
        for index, value in enumerate(sample.values[: len(types)]):
            if value == 0:
                continue
            node = roots[index]
            node.value += value
            for frame in stack:
                node = node.children.setdefault(frame, Node())
                node.value += value
            leaf = stack[-1] if stack else "(no stack)"
            selfs[index][leaf] = selfs[index].get(leaf, 0) + value
    out = []
    for (type_name, unit), root, self_values in zip(types, roots, selfs, strict=True):
        top = sorted(self_values.items(), key=lambda kv: -kv[1])[:MAX_TOP]
        out.append(
            {
                "type": type_name,
                "unit": unit,
                "total": root.value,
                "root": root.json("total", max(1, int(root.value * MIN_SHARE))),
                "top": [{"name": n, "self": v} for n, v in top],
            }
        )
    return out
