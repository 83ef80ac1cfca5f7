"""Connecting to the team hub's NATS, and checking that the hub made the team calls' stream."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import nats
import nats.js.errors
from nats.aio.client import Client
from nats.js import JetStreamContext

from desktop.core.team.subjects import STREAM
from desktop.nats_options import servers

_log = logging.getLogger("linkdesk.team")


# Why the team hub cannot be used, in the words the status bar uses (``desktop.core.live``).
NOT_REACHABLE = "the team hub is not reachable"
TIMED_OUT = "the team hub did not answer in time"


class TeamHubUnreachable(Exception):
    """The team hub's NATS could not be reached, or JetStream did not answer in time.

    ``str()`` is the technical detail (for the log); ``problem`` is the agent's line."""

    def __init__(self, detail: str, problem: str | None = None) -> None:
        super().__init__(detail)
        self._problem = problem

    @property
    def problem(self) -> str:
        """Why, as the status bar says it: the credentials refused, the certificate not trusted
        (``desktop.core.live.feed.connect_problem``), no answer in time, or not reachable; or
        the line given when raised (a CA file, the stream). Never holds a URL or a secret."""
        return self._problem or hub_problem(self)


class TeamStreamMissing(TeamHubUnreachable):
    """NATS answered, but the team calls' stream is not there: the team hub makes it (with the
    operator's replicas), a desktop never does. Calls wait in the outbox until it is there."""

    def __init__(self) -> None:
        words = f"the team hub has not made the stream {STREAM} yet"
        super().__init__(words, words)


def hub_problem(exc: BaseException) -> str:
    """The status bar's words for why ``exc`` (and what caused it) kept the team hub from use."""
    from desktop.core.live.feed import connect_problem

    known = connect_problem(exc)
    if known is not None:
        return known
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, TimeoutError):  # nats-py's own TimeoutError is one too
            return TIMED_OUT
        cause = cause.__cause__ or cause.__context__
    return NOT_REACHABLE


async def connect(url: str, options: dict[str, Any]) -> Client:
    """A nats-py client for the hub's URL (comma-separated for several servers), for one batch of
    work: each server is tried twice, and a connection lost is not made again (the caller's next
    batch connects afresh).

    ``options`` are ``desktop.core.live.connect_options`` (the keyring's credential). Raises
    ``TeamHubUnreachable``.
    """
    try:
        return await nats.connect(
            servers=servers(url),
            name="linkdesk-team-calls",
            allow_reconnect=False,
            max_reconnect_attempts=1,  # 0 would mean "for ever" to nats-py's first connect
            reconnect_time_wait=0.25,
            connect_timeout=2,
            error_cb=_error,
            disconnected_cb=_disconnected,
            **options,
        )
    except Exception as exc:  # nats-py raises several kinds; all mean "not reachable now"
        raise TeamHubUnreachable(f"{type(exc).__name__}: {exc}"[:200]) from exc


# How long (seconds) a cancelled caller still waits for its connection to close.
CLOSE_WAIT = 2.0


async def close_quietly(nc: Client) -> None:
    """Close ``nc``; a failure to close is no error here (the connection is dropped anyway).

    Cancelled while it closes (``aclose`` at that moment), it still lets the close finish, for up
    to ``CLOSE_WAIT`` seconds, then raises ``CancelledError``: nats-py's ``Client._close`` yields
    to the loop before it closes the socket, so a close cut short there leaves the socket open
    (and Python's "unclosed transport" warning for whoever runs when it is collected).
    """
    closing = asyncio.ensure_future(nc.close())
    # A failure is only logged at INFO; retrieved here so asyncio never reports it either.
    closing.add_done_callback(_closed)
    try:
        await asyncio.shield(closing)
    except asyncio.CancelledError:
        try:
            await asyncio.wait([closing], timeout=CLOSE_WAIT)
        finally:
            closing.cancel()  # past the wait (or cancelled again): stop it rather than leave it
        raise
    except Exception:
        pass  # already said by _closed


def _closed(closing: asyncio.Future[None]) -> None:
    if not closing.cancelled() and closing.exception() is not None:
        _log.info("team hub connection not closed cleanly: %r", closing.exception())


async def _error(exc: Exception) -> None:
    # nats-py logs these at ERROR itself without a callback; a hub that is down is no error here:
    # the caller says what it means (a status, a queued call).
    _log.info("team hub connection: %s", type(exc).__name__)


async def _disconnected() -> None:
    _log.info("team hub connection lost")


async def require_stream(js: JetStreamContext) -> None:
    """Check that the team calls' stream is there; a desktop never makes it.

    The team hub (``linkdesk hub``) makes it with the operator's replicas, and an operator may
    have set its limits on purpose: the first desktop to publish would otherwise decide its shape
    (one replica, on a 3-node cluster). Raises ``TeamStreamMissing`` when it is not there yet,
    ``TeamHubUnreachable`` when JetStream does not answer.
    """
    try:
        await js.stream_info(STREAM)
    except nats.js.errors.NotFoundError as exc:
        raise TeamStreamMissing() from exc
    except Exception as exc:
        raise TeamHubUnreachable(f"stream {STREAM}: {type(exc).__name__}") from exc
