"""Merging discovered processes with targets of other discovery components by container.

This is how a process inherits, say, its pod's Kubernetes labels: a `join` target and a
process that share a container id become one target (spec §4.2, Alloy's `join.go`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

CONTAINER_ID = "__container_id__"
_K8S_CONTAINER_ID = "__meta_kubernetes_pod_container_id"
_DOCKER_CONTAINER_ID = "__meta_docker_container_id"
_K8S_PREFIXES = ("docker://", "containerd://", "cri-o://")

Target = dict[str, str]


def container_id_of(target: Mapping[str, str]) -> str:
    """The container a target is about: its own `__container_id__`, else the Kubernetes
    container id without its runtime prefix (unknown prefixes give none), else Docker's."""
    own = target.get(CONTAINER_ID, "")
    if own:
        return own
    k8s = target.get(_K8S_CONTAINER_ID, "")
    if k8s:
        for prefix in _K8S_PREFIXES:
            if k8s.startswith(prefix):
                return k8s[len(prefix) :]
        return ""
    return target.get(_DOCKER_CONTAINER_ID, "")


def join(processes: Sequence[Target], targets: Sequence[Target]) -> list[Target]:
    """Alloy's output order: join targets without a container id as given; then every
    process, merged with the join target of its container (the join target's labels win);
    then every join target that has an id, matched or not (the last of equal ids)."""
    out: list[Target] = []
    by_id: dict[str, Target] = {}
    for target in targets:
        cid = container_id_of(target)
        if cid:
            by_id[cid] = target
        else:
            out.append(dict(target))
    for process in processes:
        cid = container_id_of(process)
        joined = by_id.get(cid) if cid else None
        out.append({**process, **joined} if joined is not None else dict(process))
    out.extend(dict(target) for target in by_id.values())
    return out
