"""`pyroscope.receive_http`: accept profiles from Pyroscope SDKs and fan them out.

This module is what the registry imports, also for `alloylite validate`, so it
holds only the registration and the argument schema; the HTTP stack (uvicorn,
prometheus_client) is imported when a component is actually built. The
behaviour lives in app.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from alloylite.components.doc_texts import IGNORED
from alloylite.components.pyroscope.receive_http.arguments import (
    Arguments,
    GRPCArguments,
    HTTP2Arguments,
    HTTPArguments,
    TLSArguments,
)
from alloylite.runtime.component import (
    Component,
    ComponentDocs,
    ComponentOptions,
    CounterRule,
    Registration,
    Stability,
)
from alloylite.runtime.schema import fields_of

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

__all__ = [
    "REGISTRATION",
    "Arguments",
    "GRPCArguments",
    "HTTP2Arguments",
    "HTTPArguments",
    "TLSArguments",
]


def _build(opts: ComponentOptions, args: Arguments) -> Component:
    from alloylite.components.pyroscope.receive_http.component import ReceiveHTTP

    return ReceiveHTTP(opts, args)


def _metrics(registry: CollectorRegistry) -> object:
    from alloylite.components.pyroscope.receive_http.metrics import ReceiveMetrics

    return ReceiveMetrics(registry)


# A request on /ingest carries one profile; a push request may carry several
# series, so the counters count requests (from dskit's request duration histogram).
_PROFILE_ROUTES = ("route", ("ingest", "push_v1_pusherservice"))
_REQUESTS = "pyroscope_receive_http_request_duration_seconds_count"

REGISTRATION = Registration(
    name="pyroscope.receive_http",
    # Public preview as in the seed guide; Alloy made it generally available in v1.10.
    stability=Stability.GENERALLY_AVAILABLE,
    arguments=Arguments,
    build=_build,
    exports=None,
    ui_counters=(
        CounterRule(
            "received",
            _REQUESTS,
            (_PROFILE_ROUTES,),
            description="profile requests received on /ingest and the push API",
        ),
        CounterRule(
            "accepted",
            _REQUESTS,
            (_PROFILE_ROUTES,),
            status_class="2",
            description="profile requests answered with a 2xx status",
        ),
        CounterRule(
            "rejected",
            _REQUESTS,
            (_PROFILE_ROUTES,),
            status_class="2",
            negate=True,
            description="profile requests answered with an error status",
        ),
    ),
    docs=ComponentDocs(
        type_names={"forward_to": "list(ProfilesReceiver)"},
        # The `grpc` block reuses the `http` block's TLS schema, but nothing reads it.
        overrides={f"grpc.tls.{name}": IGNORED for name in fields_of(TLSArguments)},
        metrics=_metrics,
    ),
)
