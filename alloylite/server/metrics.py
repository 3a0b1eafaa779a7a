"""`/metrics`: the agent's own metrics plus every component's, labelled by component.

Each component registers its metrics in its own CollectorRegistry; this
collector merges them into one exposition, adding Alloy's `component_id` and
`component_path` labels, and merging families of the same name so that two
pyroscope.write components do not print two HELP/TYPE headers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from alloylite.runtime.controller import Controller, Health


class ComponentCollector(Collector):
    def __init__(self, controller: Controller) -> None:
        self.controller = controller

    def collect(self) -> Iterator[Metric]:
        families: dict[str, Metric] = {}
        # The root's components, then those of every running module (custom component
        # instances, foreach pipelines), whose `component_path` names the module.
        for ctl in [self.controller, *list(self.controller.modules.values())]:
            path = ctl.component_path
            for cid, state in list(ctl.components.items()):
                if state.metrics is None:
                    continue
                for metric in state.metrics.collect():
                    merged = families.get(metric.name)
                    if merged is None:
                        merged = Metric(metric.name, metric.documentation, metric.type, metric.unit)
                        families[metric.name] = merged
                    for s in metric.samples:
                        labels = {**s.labels, "component_id": cid, "component_path": path}
                        merged.add_sample(s.name, labels, s.value, s.timestamp, s.exemplar)
        yield from families.values()


class ControllerCollector(Collector):
    """Alloy's controller metrics, read from the controller's state at scrape time."""

    def __init__(self, controller: Controller) -> None:
        self.controller = controller

    def collect(self) -> Iterator[Metric]:
        ctl = self.controller
        ok = GaugeMetricFamily("alloy_config_last_load_successful", "Config loaded successfully.")
        ok.add_metric([], 1.0 if ctl.last_load_ok else 0.0)
        yield ok
        failures = CounterMetricFamily("alloy_config_load_failures", "Config failed to load.")
        failures.add_metric([], float(ctl.load_failures))
        yield failures
        running = GaugeMetricFamily(
            "alloy_component_controller_running_components",
            "Total number of running components.",
            labels=["health_type"],
        )
        counts = {h.value: 0 for h in Health}
        for state in ctl.components.values():
            counts[state.health.value] += 1
        for health, count in counts.items():
            running.add_metric([health], float(count))
        yield running


def build_registry(controller: Controller, with_process: bool = True) -> CollectorRegistry:
    from prometheus_client import GCCollector, PlatformCollector, ProcessCollector

    registry = CollectorRegistry(auto_describe=False)
    if with_process:
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)
    registry.register(ControllerCollector(controller))
    registry.register(ComponentCollector(controller))
    return registry


def exposition(registry: Any) -> bytes:
    return generate_latest(registry)
