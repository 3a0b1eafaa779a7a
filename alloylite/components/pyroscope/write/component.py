"""`pyroscope.write`: forward profiles to Pyroscope servers (spec alloy-pyroscope.md §2).

The component exports `receiver`, an Appendable. Each append goes to every
endpoint at once, each endpoint with its own retry loop (endpoint.py); the call
fails if any endpoint finally fails. Two ways alloylite does better than Alloy:
a `Retry-After` on 429/503 is honoured (capped at `max_backoff_period`), and no
retry sleep starts that would end past the caller's deadline, so a chained
receive_http still has time to answer.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable

from alloylite.components.pyroscope import forward_headers, tenant
from alloylite.components.pyroscope import labels as lbl
from alloylite.components.pyroscope.appendable import (
    IncomingProfile,
    Labels,
    RawSample,
    WriteStatusError,
)
from alloylite.components.pyroscope.memo import Memo, pairs_bytes
from alloylite.components.pyroscope.push import encode_single_series
from alloylite.components.pyroscope.write.arguments import Arguments
from alloylite.components.pyroscope.write.endpoint import Attempt, Delivery, EndpointRuntime
from alloylite.components.pyroscope.write.metrics import INGEST_TOTAL, PUSH_TOTAL, WriteMetrics
from alloylite.runtime.component import ComponentLogger, ComponentOptions
from alloylite.runtime.live.channel import LiveChannel

__all__ = ["Arguments", "PyroscopeWrite", "WriteError", "WriteReceiver"]

# One identity per process when the runtime gives none (Alloy's seed UID).
_PROCESS_ID = str(uuid.uuid4())


class WriteError(Exception):
    """Some endpoint finally failed for a reason other than an ingest status."""


class WriteReceiver:
    """The exported Appendable. One instance per configuration: an update makes a
    new one and retires this one once its calls in flight have finished."""

    def __init__(
        self,
        args: Arguments,
        metrics: WriteMetrics,
        logger: ComponentLogger,
        alloy_id: str,
        live: LiveChannel,
    ) -> None:
        self._live = live
        self._external = dict(args.external_labels)
        self._endpoints = [EndpointRuntime(ep, alloy_id, metrics, logger) for ep in args.endpoints]
        self._push_total = metrics.latency.labels("-", PUSH_TOTAL)
        self._ingest_total = metrics.latency.labels("-", INGEST_TOTAL)
        # Label sets that passed validation, with what they become upstream (the
        # ingest name, the push series labels). SDKs send the same few sets again
        # and again; external labels are fixed for this receiver's life. Sets that
        # fail validation are not cached, so every failure is counted as a drop.
        # Memos within a byte budget (memo.py): the label values come from requests.
        self._ingest_names: Memo[Labels, str] = Memo()
        self._push_labels: Memo[Labels, Labels] = Memo()
        # Per-profile tenants (tenant.py) only when some endpoint asks for them.
        self._tenants = any(ep.tenant_from_label for ep in args.endpoints)
        # Opt-in forwarded headers (forward_headers.py) likewise.
        self._headers = any(ep.forward_headers for ep in args.endpoints)

    def __repr__(self) -> str:
        return f"pyroscope.write receiver ({len(self._endpoints)} endpoints)"

    async def close(self) -> None:
        for ep in self._endpoints:
            await ep.client.close()

    async def append(
        self, labels: Labels, samples: list[RawSample], deadline: float | None = None
    ) -> None:
        start = time.monotonic()
        try:
            if not self._endpoints:
                return
            size = sum(len(s.raw_profile) for s in samples)
            labels, tenant_id, carried = self._take_carried(labels)
            series = self._push_labels.get(labels)
            if series is None:
                self._check_labels(labels, "push", size, len(samples))
                series = lbl.push_series_labels(labels, self._external)
                self._push_labels.put(labels, series, 2 * pairs_bytes(labels))
            if not samples:
                return  # Pyroscope rejects a push without profiles; there is nothing to send
            body = encode_single_series(series, samples)

            def attempt(ep: EndpointRuntime) -> Attempt:
                return lambda budget: ep.push_once(body, budget, tenant_id, carried)

            def publish(outcome: str) -> None:
                self._live.samples("out", series, samples, outcome=outcome)

            await self._fan_out("push", attempt, size, len(samples), deadline, publish)
        finally:
            self._push_total.observe(time.monotonic() - start)

    def _take_carried(self, labels: Labels) -> tuple[Labels, str | None, dict[str, str]]:
        """The labels without what travels as request headers: the tenant (`__tenant_id__`)
        and forwarded headers (`__header_*__`), split off only when an endpoint wants them."""
        tenant_id = None
        if self._tenants:
            labels, tenant_id = tenant.split(labels)
        carried: dict[str, str] = {}
        if self._headers:
            labels, carried = forward_headers.split(labels)
        return labels, tenant_id, carried

    async def append_ingest(self, profile: IncomingProfile, deadline: float | None = None) -> None:
        start = time.monotonic()
        try:
            if not self._endpoints:
                return
            key, tenant_id, carried = self._take_carried(profile.labels)
            name = self._ingest_names.get(key)
            if name is None:
                labels = lbl.ingest_labels(key)
                self._check_labels(labels, "ingest", len(profile.raw_body), 1)
                name = lbl.build_ingest_name(labels, self._external)
                self._ingest_names.put(key, name, 2 * len(name))
            body = profile.raw_body

            def attempt(ep: EndpointRuntime) -> Attempt:
                target = ep.ingest_target(profile.url, name)
                headers = ep.ingest_headers(profile.content_type)
                return lambda budget: ep.ingest_once(
                    target, headers, body, budget, tenant_id, carried
                )

            def publish(outcome: str) -> None:
                self._live.ingest("out", profile, outcome=outcome)

            await self._fan_out("ingest", attempt, len(body), 1, deadline, publish)
        finally:
            self._ingest_total.observe(time.monotonic() - start)

    def _check_labels(self, labels: Labels, kind: str, size: int, profiles: int) -> None:
        """Validate before sending; a rejected profile is a drop at every endpoint."""
        try:
            lbl.validate_labels(labels)
        except lbl.LabelError as err:
            for ep in self._endpoints:
                ep.drop(kind, size, profiles, 0, 0, str(err))
            self._live.error("(every endpoint)", "invalid labels", str(err))
            raise

    async def _fan_out(
        self,
        kind: str,
        attempt_for: Callable[[EndpointRuntime], Attempt],
        size: int,
        profiles: int,
        deadline: float | None,
        publish: Callable[[str], None],
    ) -> None:
        if len(self._endpoints) == 1:
            ep = self._endpoints[0]
            deliveries = [await ep.deliver(kind, attempt_for(ep), size, profiles, deadline)]
        else:
            deliveries = await asyncio.gather(
                *(
                    ep.deliver(kind, attempt_for(ep), size, profiles, deadline)
                    for ep in self._endpoints
                )
            )
        if self._live.enabled:
            publish("; ".join(_outcome(d) for d in deliveries))
        failed = [d for d in deliveries if d.text is not None]
        if not failed:
            return
        for d in failed:
            self._live.error(d.endpoint, d.status, d.text or "")
        text = "\n".join(d.text or "" for d in failed)
        for d in failed:
            if d.status is not None:
                raise WriteStatusError(d.status, text)
        raise WriteError(text)


def _outcome(delivery: Delivery) -> str:
    """Live debugging's words for one endpoint's result."""
    if delivery.text is None:
        text = f"forwarded to {delivery.endpoint}"
    elif delivery.status is not None:
        text = f"refused by {delivery.endpoint} with status {delivery.status}"
    else:
        text = f"failed at {delivery.endpoint}"
    return text + (f" (retried {delivery.retries})" if delivery.retries else "")


class PyroscopeWrite:
    """The running component: owns the current receiver and retires old ones."""

    def __init__(self, options: ComponentOptions, args: Arguments) -> None:
        self._options = options
        self._metrics = WriteMetrics(options.registry)
        self._alloy_id = str(options.extra.get("alloy_id") or _PROCESS_ID)
        self._retired: set[asyncio.Task[None]] = set()
        self._receiver = self._build(args)
        options.on_state_change({"receiver": self._receiver})

    @property
    def receiver(self) -> WriteReceiver:
        return self._receiver

    def _build(self, args: Arguments) -> WriteReceiver:
        options = self._options
        return WriteReceiver(args, self._metrics, options.logger, self._alloy_id, options.live)

    async def run(self) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            await self._receiver.close()

    async def update(self, arguments: Arguments) -> None:
        """Alloy builds new clients and exports a new receiver on every update; calls
        already running on the old one finish on its connections."""
        old = self._receiver
        self._receiver = self._build(arguments)
        self._options.on_state_change({"receiver": self._receiver})
        task = asyncio.get_running_loop().create_task(old.close())
        self._retired.add(task)
        task.add_done_callback(self._retired.discard)
