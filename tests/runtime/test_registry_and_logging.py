"""The registry's checks; logfmt/JSON log lines."""

from __future__ import annotations

import io
import json
import logging

import pytest

from alloylite.runtime import logging as alloy_logging
from alloylite.runtime.component import Registration, Stability
from alloylite.runtime.registry import Registry, RegistryError
from tests.runtime.components import Writer, WriterArgs


def test_registration_mistakes_are_refused() -> None:
    registry = Registry(modules={})
    registry.register(Registration("x.y", Stability.GENERALLY_AVAILABLE, WriterArgs, Writer))
    with pytest.raises(RegistryError):
        registry.register(Registration("x.y", Stability.GENERALLY_AVAILABLE, WriterArgs, Writer))
    with pytest.raises(RegistryError):
        registry.register(Registration("x.y.z", Stability.GENERALLY_AVAILABLE, WriterArgs, Writer))
    with pytest.raises(RegistryError):
        registry.register(
            Registration("bad name", Stability.GENERALLY_AVAILABLE, WriterArgs, Writer)
        )
    assert registry.get("x.z") is None


def record(msg: str, **kv: object) -> logging.LogRecord:
    rec = logging.LogRecord("alloylite", logging.INFO, __file__, 1, msg, None, None)
    rec.kv = kv  # type: ignore[attr-defined]
    return rec


def test_logfmt_quoting() -> None:
    line = alloy_logging.AlloyFormatter().format(
        record("now listening", addr="127.0.0.1:1", err='bad "x"', empty="")
    )
    assert line.startswith("ts=")
    assert line.endswith(
        ' level=info msg="now listening" addr=127.0.0.1:1 err="bad \\"x\\"" empty=""'
    )


def test_json_format_and_level_from_the_logging_block() -> None:
    stream = io.StringIO()
    alloy_logging.setup(stream)
    handler = logging.getLogger(alloy_logging.ROOT_LOGGER).handlers[-1]
    old_stream = handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        alloy_logging.apply("warn", "json")
        log = alloy_logging.get_logger(component_id="a.b.c")
        log.info("hidden")
        log.warning("shown", kv={"n": 1})
        (line,) = stream.getvalue().splitlines()
        assert json.loads(line) | {"ts": ""} == {
            "ts": "",
            "level": "warn",
            "msg": "shown",
            "component_id": "a.b.c",
            "n": 1,
        }
    finally:
        alloy_logging.apply("info", "logfmt")
        handler.setStream(old_stream)  # type: ignore[attr-defined]
