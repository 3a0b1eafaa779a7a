"""A small application instrumented with the real Pyroscope Python SDK (pyroscope-io).

Run as a subprocess by test_sdk_python.py: profiles CPU work for a couple of
seconds, partly under a dynamic tag, then shuts the SDK down (which flushes).
argv: server_address application_name seconds [tenant_id]
"""

from __future__ import annotations

import sys
import time

import pyroscope


def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def main() -> None:
    server, app, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    tenant = sys.argv[4] if len(sys.argv) > 4 else "sdk-tenant"
    pyroscope.configure(
        application_name=app,
        server_address=server,
        tags={"region": "us-east", "env": "sdk"},
        tenant_id=tenant,
        basic_auth_username="sdk-user",
        basic_auth_password="sdk-password",
        upload_interval=10,
    )
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with pyroscope.tag_wrapper({"handler": "a"}):
            fib(20)
        sum(range(20000))
    pyroscope.shutdown()


if __name__ == "__main__":
    main()
