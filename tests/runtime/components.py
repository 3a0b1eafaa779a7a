"""Small real components for runtime tests: they record what the runtime does to them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from alloylite.eval.values import Secret
from alloylite.runtime.component import ComponentOptions, Registration, Stability
from alloylite.runtime.registry import Registry
from alloylite.runtime.schema import attr


class Journal:
    """Ordered record of lifecycle events across components."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def add(self, what: str, cid: str) -> None:
        self.events.append((what, cid))

    def of(self, what: str) -> list[str]:
        return [cid for w, cid in self.events if w == what]


JOURNAL = Journal()


@dataclass
class WriterArgs:
    name: str = attr(default="")
    token: Secret | None = attr(default=None)


class Sink:
    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.items: list[Any] = []


class Writer:
    def __init__(self, opts: ComponentOptions, args: WriterArgs) -> None:
        self.opts, self.args = opts, args
        self.sink = Sink(opts.id)
        from prometheus_client import Counter

        self.updates = Counter("test_writer_updates", "updates", registry=opts.registry)
        opts.on_state_change({"receiver": self.sink, "name": args.name})
        JOURNAL.add("build", opts.id)

    async def run(self) -> None:
        JOURNAL.add("start", self.opts.id)
        try:
            await asyncio.Event().wait()
        finally:
            JOURNAL.add("stop", self.opts.id)

    async def update(self, args: WriterArgs) -> None:
        self.args = args
        self.updates.inc()
        JOURNAL.add("update", self.opts.id)
        self.opts.on_state_change({"receiver": self.sink, "name": args.name})


@dataclass
class ReceiverArgs:
    forward_to: list[Any] = attr(required=True)
    label: str = attr(default="")

    def validate(self) -> None:
        if self.label == "bad":
            raise ValueError('label must not be "bad"')


class Receiver:
    def __init__(self, opts: ComponentOptions, args: ReceiverArgs) -> None:
        self.opts, self.args = opts, args
        JOURNAL.add("build", opts.id)

    async def run(self) -> None:
        JOURNAL.add("start", self.opts.id)
        try:
            for sink in self.args.forward_to:
                sink.items.append(self.opts.id)
            await asyncio.Event().wait()
        finally:
            JOURNAL.add("stop", self.opts.id)

    async def update(self, args: ReceiverArgs) -> None:
        self.args = args
        JOURNAL.add("update", self.opts.id)


@dataclass
class LateArgs:
    value: str = attr(default="late")


class Late:
    """Exports `value` only once it runs, so its dependants get re-evaluated."""

    def __init__(self, opts: ComponentOptions, args: LateArgs) -> None:
        self.opts, self.args = opts, args
        opts.on_state_change({"value": "early"})

    async def run(self) -> None:
        await asyncio.sleep(0)
        self.opts.on_state_change({"value": self.args.value})
        await asyncio.Event().wait()

    async def update(self, args: LateArgs) -> None:
        self.args = args


class Failing:
    def __init__(self, opts: ComponentOptions, args: LateArgs) -> None:
        raise ValueError(f"cannot use {args.value}")


def make_registry() -> Registry:
    registry = Registry(modules={})
    registry.register(
        Registration("test.writer", Stability.GENERALLY_AVAILABLE, WriterArgs, Writer)
    )
    registry.register(
        Registration("test.receiver", Stability.PUBLIC_PREVIEW, ReceiverArgs, Receiver)
    )
    registry.register(Registration("test.late", Stability.EXPERIMENTAL, LateArgs, Late))
    registry.register(
        Registration("test.failing", Stability.GENERALLY_AVAILABLE, LateArgs, Failing)
    )
    return registry
