"""Relabel throughput: label sets per second through pyroscope.relabel's receiver logic.

A 10-rule set (the actions real configs use) on 20-label sets, measured side by side in one
run: cache miss (every set new), cache hit (one set again and again), and the same two with
no rules (the pass-through floor: cache lookup, metrics, no engine); plus the engine alone
(`relabel()`, no cache) and the cost of each rule on its own, to find the expensive actions.

    python -m bench.relabel [--sets 20000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from collections.abc import Callable

from alloylite.components.common.relabel import LEGACY, compile_rules, relabel
from alloylite.components.common.rule_block import RuleBlock, compile_blocks
from alloylite.components.pyroscope.appendable import Labels
from alloylite.components.pyroscope.relabel import Arguments
from alloylite.components.pyroscope.relabel.component import PyroscopeRelabel
from alloylite.runtime.component import ComponentOptions

RULES = [
    RuleBlock(source_labels=["service_name"], regex="noisy-.*", action="drop"),
    RuleBlock(source_labels=["env"], regex="prod|staging|dev", action="keep"),
    RuleBlock(
        source_labels=["service_name"],
        regex="(.*)-svc",
        target_label="service_name",
        replacement="$1",
    ),
    RuleBlock(source_labels=["region"], target_label="zone"),
    RuleBlock(regex="__meta_kubernetes_pod_label_(.+)", action="labelmap"),
    RuleBlock(regex="__meta_kubernetes_pod_annotation_.*", action="labeldrop"),
    RuleBlock(source_labels=["team"], target_label="team", action="lowercase"),
    RuleBlock(source_labels=["instance"], target_label="shard", modulus=8, action="hashmod"),
    RuleBlock(source_labels=["namespace", "pod"], separator="/", target_label="workload"),
    RuleBlock(regex="tmp_.*", action="labeldrop"),
]


def label_set(i: int) -> Labels:
    """20 labels, as a Kubernetes-discovered profile carries; `i` makes the set unique."""
    pairs = {
        "__name__": "process_cpu",
        "service_name": f"checkout-{i % 50}-svc",
        "env": "prod",
        "region": "us-east-1",
        "team": "Payments",
        "instance": f"10.0.{i % 250}.{i % 199}:6060",
        "namespace": "shop",
        "pod": f"checkout-{i}",
        "container": "app",
        "node": f"node-{i % 40}",
        "version": "1.2.3",
        "pyroscope_spy": "gospy",
        "__meta_kubernetes_pod_label_app": "checkout",
        "__meta_kubernetes_pod_label_tier": "backend",
        "__meta_kubernetes_pod_label_release": "stable",
        "__meta_kubernetes_pod_annotation_a": "x",
        "__meta_kubernetes_pod_annotation_b": "y",
        "tmp_build": "42",
        "tmp_trace": "off",
        "cluster": "eu-1",
    }
    return tuple(sorted(pairs.items()))


def component(rules: list[RuleBlock], cache: int) -> PyroscopeRelabel:
    options = ComponentOptions(
        id="pyroscope.relabel.bench",
        logger=logging.getLogger("bench"),
        on_state_change=lambda _: None,
    )
    return PyroscopeRelabel(options, Arguments(forward_to=[], rule=rules, max_cache_size=cache))


def rate(run: Callable[[], int], rounds: int) -> float:
    """Median label sets per second over `rounds` runs."""
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        count = run()
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sets = [label_set(i) for i in range(args.sets)]
    one = sets[0]

    def miss(rules: list[RuleBlock]) -> Callable[[], int]:
        def run() -> int:
            c = component(rules, len(sets))  # fresh cache: every set is a miss
            for labels in sets:
                c.relabelled(labels)
            return len(sets)

        return run

    def hit(rules: list[RuleBlock]) -> Callable[[], int]:
        c = component(rules, 10_000)
        c.relabelled(one)

        def run() -> int:
            for _ in range(len(sets)):
                c.relabelled(one)
            return len(sets)

        return run

    compiled = compile_blocks(RULES)

    def engine() -> int:
        for labels in sets:
            relabel(labels, compiled, validation=LEGACY)
        return len(sets)

    rows = [
        ("10 rules, cache miss", rate(miss(RULES), args.rounds)),
        ("10 rules, cache hit", rate(hit(RULES), args.rounds)),
        ("no rules, cache miss", rate(miss([]), args.rounds)),
        ("no rules, cache hit", rate(hit([]), args.rounds)),
        ("engine only (10 rules, no cache)", rate(engine, args.rounds)),
    ]
    print(f"{args.sets} label sets of 20 labels, median of {args.rounds} rounds\n")
    print("| case | label sets/s | µs per set |\n|---|---:|---:|")
    for name, value in rows:
        print(f"| {name} | {value:,.0f} | {1e6 / value:.1f} |")

    print("\nCost of each rule alone (engine, µs per set):\n")
    print("| rule | action | µs per set |\n|---|---|---:|")
    for index, block in enumerate(RULES):
        alone = compile_rules([compiled[index]])

        def single(alone: tuple[object, ...] = alone) -> int:
            for labels in sets:
                relabel(labels, alone, validation=LEGACY)  # type: ignore[arg-type]
            return len(sets)

        print(f"| {index} | {block.action} | {1e6 / rate(single, args.rounds):.1f} |")


if __name__ == "__main__":
    main()
