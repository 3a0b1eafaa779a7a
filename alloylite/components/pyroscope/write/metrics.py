"""pyroscope.write's metrics (spec alloy-pyroscope.md §2.6).

The `endpoint` label is the endpoint URL (with any password redacted), as in
Alloy, not the endpoint's `name`. Registration reuses a collector already in
the registry, so re-creating the component on a reload does not fail on
duplicates (Alloy's "register or reuse").
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

from alloylite.components.common.metrics import register_or_reuse

# Latency `type` values; the *_total types use endpoint="-".
PUSH_TOTAL, PUSH_ENDPOINT, PUSH_DOWNSTREAM = "push_total", "push_endpoint", "push_downstream"
INGEST_TOTAL, INGEST_ENDPOINT, INGEST_DOWNSTREAM = (
    "ingest_total",
    "ingest_endpoint",
    "ingest_downstream",
)


class EndpointMetrics:
    """One endpoint's labelled children, looked up once instead of per request."""

    def __init__(self, m: WriteMetrics, endpoint: str) -> None:
        self.sent_bytes = m.sent_bytes.labels(endpoint)
        self.sent_profiles = m.sent_profiles.labels(endpoint)
        self.dropped_bytes = m.dropped_bytes.labels(endpoint)
        self.dropped_profiles = m.dropped_profiles.labels(endpoint)
        self.retries = m.retries.labels(endpoint)
        self.latency = {
            t: m.latency.labels(endpoint, t)
            for t in (PUSH_ENDPOINT, PUSH_DOWNSTREAM, INGEST_ENDPOINT, INGEST_DOWNSTREAM)
        }


class WriteMetrics:
    def __init__(self, registry: CollectorRegistry | None) -> None:
        def counter(name: str, doc: str) -> Counter:
            return register_or_reuse(registry, Counter(name, doc, ["endpoint"], registry=None))

        self.sent_bytes = counter(
            "pyroscope_write_sent_bytes_total",
            "Total number of compressed bytes sent to Pyroscope.",
        )
        self.dropped_bytes = counter(
            "pyroscope_write_dropped_bytes_total",
            "Total number of compressed bytes dropped by Pyroscope.",
        )
        self.sent_profiles = counter(
            "pyroscope_write_sent_profiles_total", "Total number of profiles sent to Pyroscope."
        )
        self.dropped_profiles = counter(
            "pyroscope_write_dropped_profiles_total",
            "Total number of profiles dropped by Pyroscope.",
        )
        self.retries = counter(
            "pyroscope_write_retries_total", "Total number of retries to Pyroscope."
        )
        self.latency = register_or_reuse(
            registry,
            Histogram(
                "pyroscope_write_latency",
                "Write latency for sending profiles to Pyroscope",
                ["endpoint", "type"],
                registry=None,
            ),
        )

    def for_endpoint(self, endpoint: str) -> EndpointMetrics:
        return EndpointMetrics(self, endpoint)
