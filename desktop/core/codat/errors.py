"""The one exception the Codat client raises, with a message an agent can read aloud."""

from __future__ import annotations

import time
from datetime import UTC
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any

from desktop.core.codat.models import RateLimit


class ErrorKind(StrEnum):
    HTTP = "http"  # Codat answered with a status >= 400
    TIMEOUT = "timeout"  # no answer in time
    CONNECT = "connect"  # refused or unreachable
    DROPPED = "dropped"  # connection closed mid-way
    MALFORMED = "malformed"  # a success answer that is not the JSON expected
    TOO_LARGE = "too_large"  # an answer larger than the client reads (never read in full)
    REFUSED_URL = "refused_url"  # an API base the key must not be sent to (see codat/urls.py)


_TRANSPORT = frozenset({ErrorKind.TIMEOUT, ErrorKind.CONNECT, ErrorKind.DROPPED})


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; None if unreadable."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if seconds == seconds else None  # NaN guard
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" means UTC with no stated zone
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(when.timestamp() - current, 0.0)


def _wait_words(seconds: float) -> str:
    whole = round(seconds)
    if whole <= 1:
        return "right away"
    if whole < 120:
        return f"in {whole} seconds"
    minutes = (whole + 59) // 60
    if minutes < 120:
        return f"in about {minutes} minutes"
    hours = (minutes + 59) // 60
    return f"in about {hours} hours"


class CodatError(Exception):
    """Every failure of a Codat call: an HTTP error status, a transport failure, or a bad body."""

    def __init__(
        self,
        kind: ErrorKind,
        *,
        status_code: int | None = None,
        service: str | None = None,
        error: str | None = None,
        correlation_id: str | None = None,
        can_be_retried: str | None = None,
        validation: dict[str, Any] | None = None,
        detailed_error_code: int | None = None,
        retry_after: float | None = None,
        rate_limit: RateLimit | None = None,
        resource: str | None = None,
        detail: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.kind = kind
        self.status_code = status_code
        self.service = service
        self.error = error
        self.correlation_id = correlation_id
        self.can_be_retried = can_be_retried
        self.validation = validation
        self.detailed_error_code = detailed_error_code
        self.retry_after = retry_after
        self.rate_limit = rate_limit
        # What the call was about ("company 1234…"), so a 404 can say what was not found.
        self.resource = resource
        # Technical detail for logs (the transport exception text, the JSON problem).
        self.detail = detail
        self.timeout = timeout
        super().__init__(self.plain_message)

    def __repr__(self) -> str:
        return (
            f"CodatError(kind={self.kind.value!r}, status_code={self.status_code!r}, "
            f"error={self.error!r}, correlation_id={self.correlation_id!r})"
        )

    @property
    def retryable(self) -> bool:
        if self.kind in _TRANSPORT:
            return True
        if self.kind is ErrorKind.HTTP and self.status_code is not None:
            return self.status_code in (408, 429) or self.status_code >= 500
        return False

    @property
    def validation_messages(self) -> tuple[str, ...]:
        """The ``message`` of each validation error, in order (warnings are left out)."""
        if not isinstance(self.validation, dict):
            return ()
        errors = self.validation.get("errors")
        if not isinstance(errors, list):
            return ()
        return tuple(
            str(item["message"])
            for item in errors
            if isinstance(item, dict) and isinstance(item.get("message"), str) and item["message"]
        )

    @property
    def plain_message(self) -> str:
        text = self._core_message()
        if self.correlation_id:
            text += (
                f" Correlation ID {self.correlation_id}: quote it to Codat support"
                " if this keeps happening."
            )
        return text

    def _codat_said(self) -> str:
        parts = [p for p in (self.error, *self.validation_messages) if p]
        if not parts:
            return ""
        unique = list(dict.fromkeys(p.strip().rstrip(".") for p in parts))
        return " Codat said: " + "; ".join(unique) + "."

    def _core_message(self) -> str:
        if self.kind is ErrorKind.TIMEOUT:
            within = f" within {self.timeout:g} seconds" if self.timeout else " in time"
            return (
                f"Codat did not answer{within}. The network or Codat may be slow; "
                "try again in a moment."
            )
        if self.kind is ErrorKind.CONNECT:
            return (
                "LinkDesk could not reach Codat. Check the internet connection, any proxy or "
                "VPN, and the API address in Settings."
            )
        if self.kind is ErrorKind.DROPPED:
            return (
                "The connection to Codat was cut off before the answer arrived. "
                "Try again in a moment."
            )
        if self.kind is ErrorKind.TOO_LARGE:
            return (
                f"Codat's answer about {self.resource or 'this request'} was too large to read "
                f"({self.detail}), so LinkDesk stopped reading it. If it keeps happening, the API "
                "address may be wrong or something between here and Codat is changing answers."
            )
        if self.kind is ErrorKind.REFUSED_URL:
            return self.detail or "LinkDesk will not use this API address."
        if self.kind is ErrorKind.MALFORMED:
            return (
                "Codat sent an answer LinkDesk could not read. Try again; if it keeps happening, "
                "the API address may be wrong or something between here and Codat is "
                "changing the answers."
            )
        return self._http_message()

    def _http_message(self) -> str:
        status = self.status_code
        what = self.resource or "what was asked for"
        if status == 400:
            return "Codat refused the request as invalid (400)." + self._codat_said()
        if status == 401:
            return (
                "Codat rejected the API key (401). It may be mistyped, deleted or from another "
                "Codat account; check the key in Settings."
            )
        if status == 402:
            return (
                "The Codat account has reached a plan limit (402), for example the number of "
                "companies a Free plan allows. Delete unused companies or upgrade the plan."
                + self._codat_said()
            )
        if status == 403:
            return (
                f"Codat says this API key is not allowed to use {what} (403). The key may be "
                "outdated or belong to a different Codat account."
            )
        if status == 404:
            if self.resource:
                return (
                    f"Codat could not find {self.resource} (404). It may have been deleted, "
                    "or the ID is wrong." + self._codat_said()
                )
            return "Codat could not find what was asked for (404)." + self._codat_said()
        if status == 409:
            return (
                f"Codat says {what} is not ready yet (409). Wait a moment, then try again."
                + self._codat_said()
            )
        if status == 429:
            if self.retry_after is not None:
                when = _wait_words(self.retry_after)
            else:
                when = "later (the daily quota resets at midnight UTC)"
            return f"Codat's request quota for this account is used up (429). Try again {when}."
        if status == 451:
            return (
                f"Codat says {what} is not available for compliance reasons (451)."
                + self._codat_said()
            )
        if status is not None and status == 503:
            return (
                "Codat is unavailable, probably for maintenance (503). Try again in a few minutes."
            )
        if status is not None and status >= 500:
            return (
                f"Codat is having trouble on its side ({status}). Nothing is wrong with what "
                "you did; try again in a few minutes."
            )
        shown = f" ({status})" if status is not None else ""
        return f"Codat refused the request{shown}." + self._codat_said()
