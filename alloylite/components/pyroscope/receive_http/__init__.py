"""`pyroscope.receive_http`: accept profiles from Pyroscope SDKs and fan them out.

This module is what the registry imports, also for `alloylite validate`, so it
holds only the registration and the argument schema; the HTTP stack (uvicorn,
prometheus_client) is imported when a component is actually built. The
behaviour lives in app.py.
"""

from __future__ import annotations

from typing import Any

from alloylite.components.pyroscope.receive_http.arguments import (
    Arguments,
    GRPCArguments,
    HTTP2Arguments,
    HTTPArguments,
    TLSArguments,
)
from alloylite.runtime.component import Component, ComponentOptions, Registration, Stability

__all__ = [
    "REGISTRATION",
    "Arguments",
    "GRPCArguments",
    "HTTP2Arguments",
    "HTTPArguments",
    "TLSArguments",
]


def _build(opts: ComponentOptions, args: Any) -> Component:
    from alloylite.components.pyroscope.receive_http.app import ReceiveHTTP

    return ReceiveHTTP(opts, args)


REGISTRATION = Registration(
    name="pyroscope.receive_http",
    # Public preview as in the seed guide; Alloy made it generally available in v1.10.
    stability=Stability.PUBLIC_PREVIEW,
    arguments=Arguments,
    build=_build,
    exports=None,
)
