"""CodatError: retry hints, and messages an agent can read aloud."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from desktop.core.codat.errors import CodatError, ErrorKind, parse_retry_after
from desktop.core.codat.models import RateLimit

NOW = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC).timestamp()


def test_retry_after_seconds_and_date() -> None:
    assert parse_retry_after("120", now=NOW) == 120.0
    assert parse_retry_after(" 7 ", now=NOW) == 7.0
    date = format_datetime(datetime(2026, 3, 2, 12, 1, 30, tzinfo=UTC), usegmt=True)
    assert date == "Mon, 02 Mar 2026 12:01:30 GMT"
    assert parse_retry_after(date, now=NOW) == 90.0
    # A date already past means "now", never a negative wait.
    assert parse_retry_after("Mon, 02 Mar 2026 11:00:00 GMT", now=NOW) == 0.0
    assert parse_retry_after("soon", now=NOW) is None
    assert parse_retry_after("", now=NOW) is None
    assert parse_retry_after(None, now=NOW) is None


@pytest.mark.parametrize(
    ("kind", "status", "expected"),
    [
        (ErrorKind.TIMEOUT, None, True),
        (ErrorKind.CONNECT, None, True),
        (ErrorKind.DROPPED, None, True),
        (ErrorKind.MALFORMED, None, False),
        (ErrorKind.HTTP, 400, False),
        (ErrorKind.HTTP, 401, False),
        (ErrorKind.HTTP, 404, False),
        (ErrorKind.HTTP, 408, True),
        (ErrorKind.HTTP, 429, True),
        (ErrorKind.HTTP, 451, False),
        (ErrorKind.HTTP, 500, True),
        (ErrorKind.HTTP, 503, True),
    ],
)
def test_retryable(kind: ErrorKind, status: int | None, expected: bool) -> None:
    assert CodatError(kind, status_code=status).retryable is expected


def test_correlation_id_ends_every_message() -> None:
    for status in (400, 401, 402, 403, 404, 409, 418, 429, 451, 500, 503):
        err = CodatError(ErrorKind.HTTP, status_code=status, correlation_id="abc123")
        assert err.plain_message.endswith(
            "Correlation ID abc123: quote it to Codat support if this keeps happening."
        )
        assert f"({status})" in err.plain_message
    assert "Correlation" not in CodatError(ErrorKind.HTTP, status_code=401).plain_message


def test_messages_say_what_happened() -> None:
    def msg(status: int, **kw: object) -> str:
        return CodatError(ErrorKind.HTTP, status_code=status, **kw).plain_message  # type: ignore[arg-type]

    assert "rejected the API key" in msg(401)
    assert "not allowed to use company 42" in msg(403, resource="company 42")
    assert "could not find connection 7 of company 42" in msg(
        404, resource="connection 7 of company 42"
    )
    assert "Data connection x not found" in msg(404, error="Data connection x not found")
    assert "plan limit" in msg(402)
    assert "not ready" in msg(409)
    assert "quota" in msg(429) and "midnight UTC" in msg(429)
    assert "in 30 seconds" in msg(429, retry_after=30.0)
    assert "in about 5 minutes" in msg(429, retry_after=290.0)
    assert "compliance" in msg(451, error="Platform 'qudb' is not currently available")
    assert "Platform 'qudb' is not currently available" in msg(
        451, error="Platform 'qudb' is not currently available"
    )
    assert "trouble on its side (500)" in msg(500)
    assert "maintenance (503)" in msg(503)
    assert "Codat refused the request (418)" in msg(418)


def test_validation_messages_are_read_out() -> None:
    err = CodatError(
        ErrorKind.HTTP,
        status_code=400,
        error="Validation failed.",
        validation={
            "errors": [{"itemId": "name", "message": "Name is required", "validatorName": "x"}],
            "warnings": [{"message": "just a warning"}],
        },
    )
    assert err.validation_messages == ("Name is required",)
    assert "Validation failed; Name is required." in err.plain_message
    assert "just a warning" not in err.plain_message


def test_transport_messages() -> None:
    assert "within 10 seconds" in CodatError(ErrorKind.TIMEOUT, timeout=10.0).plain_message
    assert "could not reach Codat" in CodatError(ErrorKind.CONNECT).plain_message
    assert "cut off" in CodatError(ErrorKind.DROPPED).plain_message
    assert "could not read" in CodatError(ErrorKind.MALFORMED, detail="bad json").plain_message


def test_str_is_plain_message_and_attributes_kept() -> None:
    rl = RateLimit(limit=10, remaining=0, reset="later")
    err = CodatError(
        ErrorKind.HTTP, status_code=429, retry_after=3.0, rate_limit=rl, service="PublicApi"
    )
    assert str(err) == err.plain_message
    assert err.rate_limit is rl
    assert err.service == "PublicApi"
    assert "429" in repr(err)
