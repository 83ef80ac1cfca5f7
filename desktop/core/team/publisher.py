"""Publishing each finished call's summary to the team hub, off the GUI thread, never lost.

``call_finished(call_id)`` puts the call in the outbox of the team file (``local_file``) and wakes
the publishing task; that task reads each queued call from the call database (read-only, in a
worker thread), publishes its summary to ``linkdesk.calls.<agent>`` with ``Nats-Msg-Id`` = the
call's team id, and takes it out of the outbox once JetStream acknowledged it. While the hub is
down, or has not made the stream yet (the hub makes it; a desktop never does), the calls stay
queued, in the file, across restarts; the task tries again every ``retry_every`` seconds. A call is kept in memory until it is in the outbox: a team file met busy
is tried again by the publishing task, and ``aclose`` writes what is left. A failure is a log
line and a status (``on_status``), never an error dialog. ``aclose`` leaves no task running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nats.js import JetStreamContext

from desktop.core.tasks import BackgroundTasks
from desktop.core.team.connection import (
    TeamHubUnreachable,
    TeamStreamMissing,
    close_quietly,
    connect,
    require_stream,
)
from desktop.core.team.local_file import TeamFile
from desktop.core.team.subjects import STREAM, call_subject
from desktop.core.team.summary import build_summary, encode

_log = logging.getLogger("linkdesk.team")

StatusCallback = Callable[[str], None]
_GONE = object()  # a queued call the database no longer has


class TeamPublisher:
    def __init__(
        self,
        url: str,
        *,
        database: Path,
        team_file: Path,
        credential: Callable[[], str | None] = lambda: None,
        tls_ca: str | None = None,
        share_company_names: Callable[[], bool] = lambda: False,
        on_status: StatusCallback | None = None,
        retry_every: float = 5.0,
        ack_timeout: float = 5.0,
    ) -> None:
        """``credential`` reads the hub's credential from the keyring: it runs in a worker
        thread. ``tls_ca``: the PEM file of the CA that signed the team NATS's certificate (None: the
        system's CAs), read in that thread too. ``share_company_names`` is read at each publish
        (Settings can change it)."""
        self.url = url
        self.database = database
        self.team_file = team_file
        self.credential = credential
        self.tls_ca = tls_ca
        self.share_company_names = share_company_names
        self.on_status = on_status
        self.retry_every = retry_every
        self.ack_timeout = ack_timeout
        self.published = 0  # summaries JetStream acknowledged (a duplicate counts too)
        self.status = "Team hub: nothing to publish yet."
        self._options: dict[str, Any] | None = None
        self._wake = asyncio.Event()
        self._tasks = BackgroundTasks()
        self._closed = False
        # Finished calls (call id, when it finished) not yet written to the outbox: kept here from
        # ``call_finished`` on until a write succeeds, so a busy team file or a quit loses none.
        self._finishing: list[tuple[int, float]] = []
        # One worker thread at a time in the team file: two first openings at once (the outbox
        # read and a call's queueing) met it busy while SQLite was making it.
        self._file_lock = asyncio.Lock()

    # -- public ----------------------------------------------------------------------------

    def start(self) -> asyncio.Task[Any]:
        """Publish what is queued (from an earlier run too), then whatever finishes. Raises
        ``RuntimeError`` after ``aclose``."""
        return self._tasks.spawn(self._run(), "team calls: publish")

    def call_finished(self, call_id: int) -> None:
        """Queue a finished call (the call manager's close); returns at once. The call is kept
        in memory until it is in the outbox: a busy team file is tried again by the publishing
        task, and ``aclose`` writes what is still kept."""
        if self._closed:
            return
        self._finishing.append((call_id, time.time()))
        self._tasks.spawn(self._queue_finished(), f"team calls: queue {call_id}")

    async def queue(self, call_id: int) -> None:
        """Queue a finished call and wait until it is in the outbox (tests; the CLI). Raises
        ``StoreError`` when the team file cannot be written."""
        at = time.time()
        await self._file(TeamFile.queue, call_id, at)
        self._wake.set()

    async def flush(self) -> int:
        """Publish every queued call now; returns how many were acknowledged. Raises
        ``TeamHubUnreachable`` when the hub cannot be reached, ``TeamStreamMissing`` when the hub
        has not made the team calls' stream yet (all stay queued either way)."""
        queued = await self._file(TeamFile.queued)
        if not queued:
            return 0
        if self._options is None:
            from desktop.core.live.credentials import connect_options

            try:
                self._options = await asyncio.to_thread(
                    lambda: connect_options(self.credential(), self.tls_ca)
                )
            except OSError as exc:  # the CA file is gone or not PEM: stays queued, says why
                raise TeamHubUnreachable(
                    f"the team hub's CA file cannot be read: {self.tls_ca}"
                ) from exc
        # One connection per batch: calls end minutes apart, and a connection that is not kept
        # cannot be found half-broken by the next call.
        nc = await connect(self.url, self._options)
        try:
            await require_stream(nc.jetstream())
            return await self._publish(nc.jetstream(), queued)
        finally:
            await close_quietly(nc)  # closed even when aclose cancels us while it closes

    async def _publish(self, js: JetStreamContext, queued: list[int]) -> int:
        sent = 0
        for call_id in queued:
            try:
                share = self.share_company_names()  # the setting, read on the loop's thread
                found = await asyncio.to_thread(self._summary, call_id, share)
            except Exception as exc:  # the call database cannot be read now: keep it queued
                _log.info("call %d not published yet: %s", call_id, exc)
                continue
            if found is _GONE:  # no longer in the database: nothing to publish
                await self._file(TeamFile.published, call_id)
                continue
            if not isinstance(found, dict):
                continue  # still open in the database (its closing not written yet)
            try:
                await js.publish(
                    call_subject(found.get("agent")),
                    encode(found),
                    timeout=self.ack_timeout,
                    stream=STREAM,
                    headers={"Nats-Msg-Id": str(found["callId"])},
                )
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"[:200]
                await self._file(TeamFile.failed, call_id, error)
                raise TeamHubUnreachable(error) from exc
            await self._file(TeamFile.published, call_id)
            sent += 1
            self.published += 1
        return sent

    @property
    def tasks(self) -> tuple[asyncio.Task[Any], ...]:
        return tuple(self._tasks.running)

    async def aclose(self) -> None:
        """Stop publishing: every task this publisher started is cancelled and awaited (a batch's
        connection is closed first, a team file write under way ends first), then the finished
        calls not yet in the outbox are written to it. Nothing of it is left running."""
        self._closed = True
        await self._tasks.cancel_all()
        if not self._finishing:
            return
        try:
            await self._write_finished()
        except Exception as exc:  # the call is lost for the team's reports: a real error
            _log.warning(
                "%d finished call(s) not queued for the team: %s", len(self._finishing), exc
            )

    # -- inside ----------------------------------------------------------------------------

    async def _file(self, work: Callable[..., Any], *args: Any) -> Any:
        """``work(team_file, *args)`` in a worker thread, one at a time. Cancelled meanwhile, it
        still waits for the thread (which cannot be stopped) before giving the file up."""
        async with self._file_lock:
            job = asyncio.get_running_loop().run_in_executor(None, self._in_file, work, *args)
            try:
                return await asyncio.shield(job)
            except asyncio.CancelledError:
                await asyncio.wait([job])
                raise

    def _in_file(self, work: Callable[..., Any], *args: Any) -> Any:
        """Runs in a worker thread: open the team file, do ``work``, close it."""
        with TeamFile(self.team_file) as team:
            return work(team, *args)

    async def _write_finished(self) -> None:
        """Write the finished calls kept in memory to the outbox (raises ``StoreError``)."""
        kept = list(self._finishing)
        if not kept:
            return

        def write(team: TeamFile) -> None:
            for call_id, at in kept:
                team.queue(call_id, at)  # once however often: a second write changes nothing

        await self._file(write)
        self._finishing = [c for c in self._finishing if c not in kept]

    async def _queue_finished(self) -> None:
        try:
            await self._write_finished()
        except Exception as exc:  # e.g. busy: the publishing task tries again, and says so
            _log.info("finished call(s) not in the team outbox yet: %s", exc)
        self._wake.set()

    def _summary(self, call_id: int, share: bool) -> dict[str, Any] | object | None:
        """The summary (worker thread); None while still open; ``_GONE`` for an unknown call."""
        from desktop.core.store import CallStore, UnknownCallError

        with CallStore(self.database, read_only=True) as store:
            try:
                return build_summary(store, call_id, share_company_names=share)
            except UnknownCallError:
                return _GONE

    def _say(self, status: str) -> None:
        self.status = status
        if self.on_status is not None:
            self.on_status(status)

    async def _run(self) -> None:
        while not self._closed:
            self._wake.clear()
            wait = 3600.0  # until a call finishes
            try:
                try:
                    await self._write_finished()
                    sent = await self.flush()
                    if sent:
                        self._say(f"Team hub: {sent} finished call(s) shared with the team.")
                    if self._finishing or await self._file(TeamFile.queued):
                        wait = self.retry_every  # a closing not written to the database yet
                except TeamStreamMissing as exc:
                    # NATS is there but the hub has not made the stream: a setup step, not an
                    # outage; said as such, and tried again as when the hub is down.
                    waiting = len(await self._file(TeamFile.queued))
                    _log.info("%s; %d call(s) wait to be published", exc, waiting)
                    self._say(
                        f"Team calls not shared yet: {exc} (run linkdesk hub); {waiting} "
                        f"finished call(s) wait; trying again every {self.retry_every:g} s."
                    )
                    wait = self.retry_every
                except TeamHubUnreachable as exc:
                    # The team file met busy here goes to the handler below, as anywhere else:
                    # the task goes on (it ended here before, and nothing was published after).
                    waiting = len(await self._file(TeamFile.queued))
                    _log.info(
                        "team hub unreachable (%s); %d call(s) wait to be published", exc, waiting
                    )
                    self._say(
                        f"Team hub unreachable: {waiting} finished call(s) wait to be shared; "
                        f"trying again every {self.retry_every:g} s."
                    )
                    wait = self.retry_every
            except Exception as exc:  # the team file cannot be written: say so, keep going
                words = getattr(exc, "plain_message", None) or str(exc) or type(exc).__name__
                _log.warning("team calls not published: %s", words)
                self._say(f"Team calls not shared yet: {words}")
                wait = self.retry_every
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)
