"""Forwarding one profile to every `forward_to` receiver, as Alloy's pyroscope Fanout does.

Children are called one after another (not concurrently); every child is called even when
an earlier one failed, and the failures are joined into one error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from alloylite.components.pyroscope.appendable import Appendable
from alloylite.eval.values import Capsule


class ForwardError(Exception):
    """Several `forward_to` receivers failed; the message joins their errors, one a line."""


async def fan_out(
    targets: Sequence[Appendable], call: Callable[[Appendable], Awaitable[None]]
) -> None:
    """Alloy's Fanout: children called one after another; their errors joined."""
    errors: list[BaseException] = []
    for target in targets:
        try:
            await call(target)
        except Exception as err:  # noqa: BLE001 - every child's failure is reported
            errors.append(err)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ForwardError("\n".join(str(e) for e in errors))


def as_appendable(target: object) -> Appendable:
    """A `forward_to` entry as the Appendable it holds.

    TODO(runtime merge): the decoder hands over plain Appendables once capsule types are
    decoded by annotation; until then a receiver may arrive as a Capsule.
    """
    payload = target.payload if isinstance(target, Capsule) else target
    if not isinstance(payload, Appendable):
        raise TypeError(f"forward_to entry is not a profiles receiver: {type(payload).__name__}")
    return payload
