"""Forwarding one profile to every `forward_to` receiver, as Alloy's pyroscope Fanout does.

Children are called one after another (not concurrently); every child is called even when
an earlier one failed, and the failures are joined into one error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from alloylite.components.pyroscope.appendable import Appendable


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
