"""The agent's logs: logfmt (Alloy's default) or JSON lines, set by the `logging` block.

Lines look like Alloy's:
`ts=2026-01-01T00:00:00.000Z level=info msg="now listening" component_id=x`.
Values are quoted only when they need it, as go-kit's logfmt does. Anything
the runtime logs about arguments goes through `schema.encode`, so secrets
print as `(secret)`.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

# The `logging` block's schema lives apart so `validate` need not import `logging`.
from alloylite.runtime.logging_args import LoggingArguments as LoggingArguments

LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "error": logging.ERROR,
}
_LEVEL_NAMES = {
    logging.DEBUG: "debug",
    logging.INFO: "info",
    logging.WARNING: "warn",
    logging.ERROR: "error",
    logging.CRITICAL: "error",
}
ROOT_LOGGER = "alloylite"


def _needs_quotes(text: str) -> bool:
    return text == "" or any(c <= " " or c in '="\\' or c == "\x7f" for c in text)


def _logfmt_value(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    return json.dumps(text, ensure_ascii=False) if _needs_quotes(text) else text


class AlloyFormatter(logging.Formatter):
    """One record -> one logfmt or JSON line; `extra` key/values come after msg."""

    def __init__(self, fmt: str = "logfmt") -> None:
        super().__init__()
        self.kind = fmt

    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, UTC)
        pairs: list[tuple[str, Any]] = [
            ("ts", ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"),
            ("level", _LEVEL_NAMES.get(record.levelno, "info")),
            ("msg", record.getMessage()),
        ]
        pairs.extend(getattr(record, "kv", {}).items())
        if record.exc_info and record.exc_info[1] is not None:
            pairs.append(("err", str(record.exc_info[1])))
        if self.kind == "json":
            return json.dumps(
                {k: v if isinstance(v, int | float | bool) else str(v) for k, v in pairs},
                ensure_ascii=False,
            )
        return " ".join(f"{k}={_logfmt_value(v)}" for k, v in pairs)


class KVAdapter(logging.LoggerAdapter):  # type: ignore[type-arg]
    """A logger bound to key/values (e.g. component_id) that also takes per-call ones."""

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        extra_kv = dict(self.extra or {})
        extra_kv.update(kwargs.pop("extra", None) or {})
        extra_kv.update(kwargs.pop("kv", None) or {})
        kwargs["extra"] = {"kv": extra_kv}
        return msg, kwargs

    def with_values(self, **kv: Any) -> KVAdapter:
        return KVAdapter(self.logger, {**(self.extra or {}), **kv})


_handler: logging.Handler | None = None


def setup(stream: TextIO | None = None, level: str = "info", fmt: str = "logfmt") -> None:
    """Install the one handler of the agent's logger (idempotent)."""
    global _handler
    root = logging.getLogger(ROOT_LOGGER)
    if _handler is None:
        _handler = logging.StreamHandler(stream or sys.stderr)
        root.addHandler(_handler)
        root.propagate = False
    apply(level, fmt)


def apply(level: str, fmt: str) -> None:
    """Apply a (new) `logging` block: its level and format take effect at once."""
    root = logging.getLogger(ROOT_LOGGER)
    root.setLevel(LEVELS.get(level, logging.INFO))
    if _handler is not None:
        _handler.setFormatter(AlloyFormatter(fmt))


_defaults: dict[str, Any] = {}


def bind_defaults(**kv: Any) -> None:
    """Key/values every later logger carries (e.g. `worker=1` in a worker process)."""
    _defaults.update(kv)


def get_logger(**kv: Any) -> KVAdapter:
    kv = {**_defaults, **kv}
    name = ROOT_LOGGER
    if "component_id" in kv:
        name += ".component." + str(kv["component_id"])
    return KVAdapter(logging.getLogger(name), kv)
