"""Live debugging: what each component saw, kept in small bounded buffers for the UI and API.

`LiveHub` (hub.py) owns one `LiveChannel` (channel.py) per component; a component
publishes through `options.live`, which does nothing while the `livedebugging` block
is absent or disabled. Buffers are rings bounded by entries and bytes (ring.py).
"""
