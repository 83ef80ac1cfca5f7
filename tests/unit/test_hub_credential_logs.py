"""The team hub's credential, once read from the keyring, can never reach a log line."""

from __future__ import annotations

import logging

import pytest

from desktop.core.live import connect_options
from desktop.core.live.feed import _ConcealedOptions
from desktop.core.logs import REDACTED, SECRET_FILTER

PASSWORD = "hub-pa55-Lq83-unit"
TOKEN = "hub-token-Zr51-unit"


def _logged(message: str, *args: object) -> str:
    record = logging.LogRecord("linkdesk.live", logging.DEBUG, __file__, 1, message, args, None)
    SECRET_FILTER.filter(record)
    return record.getMessage()


@pytest.mark.parametrize(
    ("credential", "secret"),
    [(f"agent:{PASSWORD}", PASSWORD), (TOKEN, TOKEN)],
    ids=["user-password", "token"],
)
def test_a_credential_read_is_masked_in_any_log_record(credential: str, secret: str) -> None:
    options = connect_options(credential)
    # As qasync's executor would log a worker thread's result, at DEBUG.
    line = _logged("Future %r completed with %r", "prepare", options)
    assert secret not in line and REDACTED in line
    assert secret not in _logged(f"connecting with {credential}")


def test_the_feeds_options_cross_threads_concealed() -> None:
    concealed = _ConcealedOptions({"token": "tok-never-shown-7781"})
    assert "tok-never-shown-7781" not in repr(concealed)
