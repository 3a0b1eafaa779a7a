"""Which failed attempts pyroscope.write retries, and the code that names each failure."""

from __future__ import annotations

import httpcore
import pytest

from alloylite.components.pyroscope.write.errors import ClientError
from alloylite.components.pyroscope.write.retry import Verdict, classify, describe

RETRY, NO = True, False


@pytest.mark.parametrize(
    ("failure", "retry_on_429", "expected"),
    [
        # /ingest HTTP statuses
        (400, True, Verdict(NO, "")),
        (404, True, Verdict(NO, "")),
        (408, False, Verdict(RETRY, "")),
        (429, True, Verdict(RETRY, "")),
        (429, False, Verdict(NO, "")),
        (500, False, Verdict(RETRY, "")),
        (503, False, Verdict(RETRY, "")),
        # push Connect codes
        ("deadline_exceeded", False, Verdict(RETRY, "deadline_exceeded")),
        ("unknown", False, Verdict(RETRY, "unknown")),
        ("internal", False, Verdict(RETRY, "internal")),
        ("unavailable", False, Verdict(RETRY, "unavailable")),
        ("data_loss", False, Verdict(RETRY, "data_loss")),
        ("aborted", False, Verdict(RETRY, "aborted")),
        ("resource_exhausted", True, Verdict(RETRY, "resource_exhausted")),
        ("resource_exhausted", False, Verdict(NO, "resource_exhausted")),
        ("invalid_argument", True, Verdict(NO, "invalid_argument")),
        ("unauthenticated", True, Verdict(NO, "unauthenticated")),
        ("permission_denied", True, Verdict(NO, "permission_denied")),
        # what an attempt raised
        (TimeoutError(), False, Verdict(RETRY, "deadline_exceeded")),
        (httpcore.ReadTimeout("slow"), False, Verdict(RETRY, "deadline_exceeded")),
        (httpcore.ConnectError("refused"), False, Verdict(RETRY, "unavailable")),
        (httpcore.RemoteProtocolError("bad"), False, Verdict(RETRY, "unavailable")),
        (ConnectionResetError(), False, Verdict(RETRY, "unavailable")),
        (ClientError("token file unreadable"), False, Verdict(RETRY, "unknown")),
        (ValueError("anything else"), False, Verdict(RETRY, "unknown")),
    ],
)
def test_classify(
    failure: int | str | BaseException, retry_on_429: bool, expected: Verdict
) -> None:
    assert classify(failure, retry_on_429) == expected


@pytest.mark.parametrize(
    ("err", "text"),
    [
        (TimeoutError(), "context deadline exceeded"),
        (httpcore.ConnectError("no route"), "connection failed: no route"),
        (httpcore.ConnectError("connection refused"), "connection refused"),
        (ValueError(), "ValueError"),
    ],
)
def test_describe(err: BaseException, text: str) -> None:
    assert describe(err) == text
