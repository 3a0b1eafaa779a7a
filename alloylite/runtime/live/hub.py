"""The live-debugging hub: one channel per component, switched by the `livedebugging` block.

The controller owns one hub for the process and hands each component its channel
as `options.live`; the server reads the same channels to stream them. Channels
survive reloads (a component keeps its ID), so a viewer keeps its history.
"""

from __future__ import annotations

from dataclasses import dataclass

from alloylite.runtime.live.channel import LiveChannel


@dataclass(frozen=True)
class Limits:
    """The fixed budget of one component's buffers."""

    lines: int = 1000  # recent lines kept for a viewer who connects later
    line_bytes: int = 512 * 1024
    profiles: int = 200  # recent profile bodies kept for flame graphs
    profile_bytes: int = 16 * 1024 * 1024
    viewer_queue: int = 2000  # lines queued for one viewer before they are dropped for it
    errors: int = 20


class LiveHub:
    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.enabled = False
        self._channels: dict[str, LiveChannel] = {}

    def channel(self, component_id: str) -> LiveChannel:
        found = self._channels.get(component_id)
        if found is None:
            found = LiveChannel(component_id, self.limits)
            found.set_enabled(self.enabled)
            self._channels[component_id] = found
        return found

    def find(self, component_id: str) -> LiveChannel | None:
        return self._channels.get(component_id)

    def forget(self, module_id: str) -> None:
        """Drop the channels of a module's components (`<module ID>/...`): a stopped
        module's, whose IDs (a foreach item's) may never come back."""
        prefix = module_id + "/"
        for cid in [c for c in self._channels if c.startswith(prefix)]:
            self._channels.pop(cid).set_enabled(False)

    def set_enabled(self, enabled: bool) -> None:
        if enabled == self.enabled:
            return
        self.enabled = enabled
        for channel in self._channels.values():
            channel.set_enabled(enabled)

    def memory(self) -> int:
        return sum(c.memory() for c in self._channels.values())
