"""Read the followed companies' events from the hub's JetStream stream (nats-py, no Qt).

Each followed company gets an ordered push consumer on ``codat.<companyId>.>`` that starts
``lookback`` seconds before the call began (``DeliverPolicy.BY_START_TIME``), so nothing between
the start of the call and the subscription is missed, and a desktop that was offline catches up
from the stream. If the subscription breaks it is made again from the last stream sequence seen,
or from the call's start when the stream itself was made again (its sequences restart at 1).

The hub is *live* while NATS is connected and the hub's heartbeat (core NATS,
``codat-hub.heartbeat``, every few seconds) came within ``stale_after`` seconds; the feed says
when that changes (``on_live``), so the tracker can slow down or speed up its polling.
A hub that beats but refuses Codat's webhooks (``webhooks_refused``: its heartbeats report
refusals and no webhook accepted since the first of them, ``hub_health``) is not live: no event
would come, so the tracker polls at its usual pace until the hub accepts webhooks again.

Times: ``since``, ``stale_after`` and the heartbeats' freshness are on the desktop's clock
(``wall``, injected); the stream's start times are on the hub's. Each heartbeat carries the hub's
time, so the feed knows how far the two differ and asks the stream for the right moment even when
the desktop's clock is off (a laptop minutes fast would otherwise skip a call's first events).

When NATS refuses the credentials or its TLS certificate cannot be verified, ``problem`` says so
in a line for the agent (``on_problem``); the credential itself is never logged nor shown. A
refusal makes the feed read the credentials again (``prepare``) before its next try, so a keyring
that was locked at start, or a credential typed in Settings since, is used without a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import nats
import nats.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy

from desktop.core.live.contract import HEARTBEAT_SUBJECT, STREAM, company_subject, event_type_of
from desktop.core.live.hub_health import HubHealth
from desktop.core.tasks import BackgroundTasks
from desktop.nats_options import staying_connected

_log = logging.getLogger("linkdesk.live")
REFUSED = "the team hub refused the credentials: check Settings › Team hub"


@dataclass(frozen=True)
class HubEvent:
    company_id: str
    event_type: str  # Codat's event type, or "unknown"
    seq: int  # the stream sequence
    stored_at: float  # when the hub stored it (epoch seconds, JetStream's timestamp)
    msg_id: str | None  # the svix-id
    body: bytes  # Codat's event envelope, as received


EventCallback = Callable[[HubEvent], None]
LiveCallback = Callable[[bool], None]
ProblemCallback = Callable[[str | None], None]
# How long (seconds, real) a new subscription waits for the hub's first heartbeat, which tells the
# hub's time; without one it trusts the desktop's clock.
FIRST_BEAT_WAIT = 6.0


def connect_problem(exc: BaseException) -> str | None:
    """Why a connection failed, for the agent, when it is something only they can fix; None for
    "not reachable (yet)". nats-py: an ``-ERR 'Authorization Violation'`` from the server
    becomes ``AuthorizationError``; a certificate the CA does not vouch for fails the handshake
    with ``ssl.SSLCertVerificationError``."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if (
            isinstance(cause, nats.errors.AuthorizationError)
            or "authorization" in str(cause).lower()
        ):
            return REFUSED
        if isinstance(cause, ssl.SSLCertVerificationError):
            return "the team hub's TLS certificate is not trusted"
        cause = cause.__cause__ or cause.__context__
    return None


def is_heartbeat(msg: Msg) -> bool:
    """The hub's heartbeat, not a stored event delivered onto its subject.

    The hub publishes it on core NATS: the heartbeat subject, no reply subject. Anyone allowed to
    make a consumer on the stream (every agent, deploy/nats-cluster.conf) can name the heartbeat
    subject as its deliver subject; JetStream then delivers the stored events there, each with
    its own subject (``codat.<companyId>.<eventType>``) and a ``$JS.ACK.`` reply. Such a message
    says nothing of the hub and must not keep the feed live."""
    return msg.subject == HEARTBEAT_SUBJECT and not msg.reply


class _ConcealedOptions:
    """Connect options that say nothing of themselves when printed or logged."""

    __slots__ = ("value",)

    def __init__(self, value: dict[str, Any]) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<concealed connect options>"


def _concealed(prepare: Callable[[], dict[str, Any]]) -> _ConcealedOptions:
    return _ConcealedOptions(prepare())


class HubFeed:
    def __init__(
        self,
        url: str,
        *,
        on_event: EventCallback,
        on_live: LiveCallback | None = None,
        on_problem: ProblemCallback | None = None,
        stale_after: float = 15.0,
        lookback: float = 120.0,
        connect_options: dict[str, Any] | None = None,
        prepare: Callable[[], dict[str, Any]] | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.on_event = on_event
        self.on_live = on_live
        self.on_problem = on_problem
        # Told when ``webhooks_refused`` changes while ``live`` does not (e.g. a refusing hub
        # that stops beating: still not live, but no longer for that reason).
        self.on_refused: LiveCallback | None = None
        self.problem: str | None = None
        self.stale_after = stale_after
        self.lookback = lookback
        self.connect_options = dict(connect_options or {})
        self._given_options = dict(self.connect_options)
        # More connect options made in a worker thread before the first connection (a keyring
        # read may block, a CA file is read from disk): never on the loop's (the GUI's) thread.
        # It raises OSError when they cannot be made (e.g. a CA file that is gone or not PEM);
        # the feed then says so and tries again, as for a server that is not reachable.
        # It runs again after NATS refused the credentials (nats-py would retry the same ones for
        # ever): a keyring locked when it first ran gave none.
        self.prepare = prepare
        self._prepare_due = prepare is not None
        self._refused = asyncio.Event()
        self.wall = wall
        self.check_every = 2.0  # seconds without a message before checking the consumer is there
        self.events_seen = 0
        self.last_beat: float | None = None
        # The hub's clock minus the desktop's (seconds), from the latest heartbeat.
        self.hub_offset: float | None = None
        self.health = HubHealth()  # the webhook figures of the latest beat of each hub worker
        self._beat_seen = asyncio.Event()
        self._nc: Client | None = None
        self._connected = asyncio.Event()
        # When the stream whose sequences ``_last_seq`` holds was made (JetStream's ``created``):
        # a stream deleted and made again (the hub's ``_ensure_stream``) numbers from 1 again.
        self._stream_created: datetime | None = None
        self._stream_made = 0  # how many times the stream was seen made again
        self._live = False
        self._told_refused = False  # what on_refused / on_live last told of webhooks_refused
        self._follows: dict[str, asyncio.Task[Any]] = {}
        self._subscribed: set[str] = set()
        self._last_seq: dict[str, int] = {}
        self._tasks = BackgroundTasks()
        self._closed = False

    # -- public ---------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    @property
    def beating(self) -> bool:
        """NATS connected and the hub's heartbeat fresh: the hub is up."""
        beat = self.last_beat
        return self.connected and beat is not None and self.wall() - beat <= self.stale_after

    @property
    def webhooks_refused(self) -> bool:
        """The hub is up but its heartbeats say it refused Codat's webhooks lately and accepted
        none since (a wrong signing secret, a clock off): events cannot be relied on."""
        return self.beating and self.health.refusing(self.wall(), self.stale_after)

    @property
    def live(self) -> bool:
        """The hub is up (``beating``) and not refusing Codat's webhooks."""
        return self.beating and not self.health.refusing(self.wall(), self.stale_after)

    @property
    def announced_live(self) -> bool:
        """What ``on_live`` was last told (``live`` re-judged only every quarter second)."""
        return self._live

    @property
    def announced_refused(self) -> bool:
        """``webhooks_refused`` as last announced (with ``on_live``, or ``on_refused`` when
        only it changed)."""
        return self._told_refused

    def covers(self, company_id: str, now: float) -> bool:
        """The tracker's question: are this company's events arriving live? (``now`` is the
        tracker's clock; freshness is judged on the wall clock the heartbeats carry.)"""
        return self._live and company_id in self._subscribed

    def start(self) -> None:
        """Connect in the background (retried until ``aclose``). Raises ``RuntimeError`` after
        ``aclose``."""
        self._tasks.spawn(self._connect_loop(), "live:connect")
        self._tasks.spawn(self._watch(), "live:watch")

    def follow(self, company_id: str, since: float) -> None:
        """Read this company's events stored from ``since - lookback`` (epoch seconds) on."""
        company_subject(company_id)  # raises ValueError early for an unusable id
        if company_id in self._follows or self._closed:
            return
        self._follows[company_id] = self._tasks.spawn(
            self._follow(company_id, since), f"live:{company_id}"
        )

    def unfollow(self, company_id: str) -> None:
        task = self._follows.pop(company_id, None)
        self._subscribed.discard(company_id)
        if task is not None:
            task.cancel()

    @property
    def tasks(self) -> tuple[asyncio.Task[Any], ...]:
        return tuple(self._tasks.running)

    async def aclose(self) -> None:
        """Cancel and await every task of the feed, then close its connection."""
        self._closed = True
        await self._tasks.cancel_all()
        nc, self._nc = self._nc, None
        if nc is not None:
            with contextlib.suppress(Exception):
                await nc.close()
        self._set_live(False)

    # -- the connection -------------------------------------------------------------------

    async def _connect_loop(self) -> None:
        pause = 0.25
        while not self._closed:
            if self.prepare is not None and self._prepare_due:
                prepare = self.prepare
                try:
                    # Concealed: the options hold the credential, and qasync's executor logs
                    # what a worker thread returns, at DEBUG.
                    made = await asyncio.to_thread(_concealed, prepare)
                    self.connect_options = {**self._given_options, **made.value}
                    self._prepare_due = False
                except OSError as exc:
                    self._set_problem(str(exc))
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, 5.0)
                    continue
            try:
                options = {
                    **staying_connected(self.url, "linkdesk-desktop"),
                    **self.connect_options,
                }
                nc = await self._connect(options)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # nats-py raises several kinds; all mean "not yet"
                problem = connect_problem(exc)
                if problem is not None:
                    self._set_problem(problem)
                _log.info(
                    "team hub not reachable (%s); retrying in %.1f s", type(exc).__name__, pause
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)
                continue
            if nc is None:  # refused: read the credentials again, then try again
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)
                continue
            self._set_problem(None)
            self._nc = nc
            await nc.subscribe(HEARTBEAT_SUBJECT, cb=self._beat)
            self._connected.set()
            if self.prepare is None:
                return
            # Refused on a reconnect (the credential changed on the server): start again.
            self._refused.clear()  # a refusal that raced the successful connect is old news
            await self._refused.wait()
            self._nc = None
            self._connected.clear()
            self._set_live(False)
            with contextlib.suppress(Exception):
                await nc.close()
            pause = 0.25

    async def _connect(self, options: dict[str, Any]) -> Client | None:
        """nats-py's connect; None when NATS refused the credentials and ``prepare`` can read
        them again (the attempt, which nats-py would repeat for ever, is given up). Raises what
        nats-py raises."""
        nc = Client()
        self._refused.clear()
        connecting = asyncio.ensure_future(
            nc.connect(
                **options,
                disconnected_cb=self._disconnected,
                reconnected_cb=self._reconnected,
                error_cb=self._error,
            )
        )
        refused = asyncio.ensure_future(self._refused.wait())
        try:
            await asyncio.wait((connecting, refused), return_when=asyncio.FIRST_COMPLETED)
        finally:  # also when this task is cancelled: nothing is left connecting
            refused.cancel()
            if not connecting.done():
                connecting.cancel()
            await asyncio.gather(refused, connecting, return_exceptions=True)
            failed = connecting.cancelled() or connecting.exception() is not None
            if failed:
                with contextlib.suppress(Exception):
                    await nc.close()
        if connecting.cancelled():
            return None
        error = connecting.exception()
        if error is not None:
            raise error
        return nc

    async def _beat(self, msg: Msg) -> None:
        if not is_heartbeat(msg):
            return
        self.last_beat = self.wall()
        try:
            payload = json.loads(msg.data)
        except ValueError:
            payload = None
        try:
            hub_at = float(payload["at"])
        except (ValueError, KeyError, TypeError):
            hub_at = None  # a heartbeat without the hub's time: keep the last offset
        if hub_at is not None:
            self.hub_offset = hub_at - self.last_beat
        self.health.beat(payload, self.last_beat)
        self._beat_seen.set()
        self._set_live(self.live)

    async def _disconnected(self) -> None:
        self._connected.clear()
        self._set_live(False)

    async def _reconnected(self) -> None:
        self._set_problem(None)
        self._connected.set()

    async def _error(self, exc: Exception) -> None:
        # nats-py retries a refused connect for ever inside connect(): the server's -ERR and
        # TLS failures reach the agent only through here.
        problem = connect_problem(exc)
        if problem is not None:
            self._set_problem(problem)
        if problem == REFUSED and self.prepare is not None:
            self._prepare_due = True
            self._refused.set()
        _log.info("team hub connection: %s", type(exc).__name__)

    def _set_problem(self, problem: str | None) -> None:
        if problem == self.problem:
            return
        self.problem = problem
        if problem is not None:
            _log.warning("team hub: %s", problem)
        if self.on_problem is not None:
            self.on_problem(problem)

    async def _watch(self) -> None:
        """Notice a hub that went quiet (no heartbeat) even while NATS itself is fine."""
        while not self._closed:
            await asyncio.sleep(0.25)
            self._set_live(self.live)

    def _set_live(self, live: bool) -> None:
        refused = not live and self.webhooks_refused
        if refused != self._told_refused:
            self._told_refused = refused
            if refused:
                _log.info("team hub up but refusing Codat's webhooks")
            if self.on_refused is not None and live == self._live:
                self.on_refused(refused)  # otherwise on_live below tells the change
        if live == self._live:
            return
        self._live = live
        _log.info("team hub %s", "live" if live else "not live: polling")
        if self.on_live is not None:
            self.on_live(live)

    # -- one company ----------------------------------------------------------------------

    async def _follow(self, company_id: str, since: float) -> None:
        subject = company_subject(company_id)
        pause = 0.25
        while not self._closed:
            await self._connected.wait()
            nc = self._nc
            if nc is None:
                continue
            with contextlib.suppress(Exception):  # no stream yet: the subscription says so
                await self._notice_new_stream(nc)
            last = self._last_seq.get(company_id)
            if last is None:
                if self.hub_offset is None:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._beat_seen.wait(), FIRST_BEAT_WAIT)
                # ``since`` is on the desktop's clock; the stream's times are on the hub's.
                offset = self.hub_offset or 0.0
                start = datetime.fromtimestamp(since + offset - self.lookback, UTC)
                config = ConsumerConfig(
                    deliver_policy=DeliverPolicy.BY_START_TIME, opt_start_time=start
                )
            else:
                config = ConsumerConfig(
                    deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=last + 1
                )
            try:
                sub = await nc.jetstream().subscribe(
                    subject, stream=STREAM, config=config, ordered_consumer=True, idle_heartbeat=1.0
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # no stream yet, JetStream electing a leader, ...
                _log.info("cannot read %s yet (%s); retrying", subject, type(exc).__name__)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)
                continue
            pause = 0.25
            self._subscribed.add(company_id)
            self._set_live(self.live)
            try:
                await self._read(company_id, sub)
            finally:
                self._subscribed.discard(company_id)
                with contextlib.suppress(Exception):
                    await sub.unsubscribe()
            await asyncio.sleep(pause)

    async def _read(self, company_id: str, sub: Any) -> None:
        """Deliver messages until the consumer is found gone (a node lost, NATS restarted):
        nats-py's ordered consumer mends small gaps itself; when it cannot, this returns and the
        caller subscribes again from the last sequence seen."""
        missing = 0
        made = self._stream_made
        while not self._closed:
            try:
                msg = await sub.next_msg(timeout=self.check_every)
            except asyncio.CancelledError:
                raise
            except nats.errors.TimeoutError:
                try:
                    await sub.consumer_info()
                    missing = 0
                    if self._nc is not None:
                        await self._notice_new_stream(self._nc)
                    if self._stream_made != made:
                        return  # subscribe again, from the call's start on the new stream
                except asyncio.CancelledError:
                    raise
                except Exception:
                    missing += 1
                    if missing >= 2:
                        _log.info("the consumer for %s is gone; subscribing again", company_id)
                        return
                continue
            except Exception as exc:
                _log.info(
                    "reading %s stopped (%s); subscribing again", company_id, type(exc).__name__
                )
                return
            self._deliver(company_id, msg)

    async def _notice_new_stream(self, nc: Client) -> bool:
        """True when the stream was made again since the sequences in ``_last_seq`` were seen
        (another ``created`` time, or a last sequence below one seen): they are forgotten, so
        every company is read again from its call's start, not from a sequence the new stream
        may not reach for a long time. Raises what ``stream_info`` raises (no stream, NATS
        down)."""
        info = await nc.jetstream().stream_info(STREAM)
        seen = max(self._last_seq.values(), default=0)
        made_again = (
            self._stream_created is not None
            and info.created is not None
            and info.created != self._stream_created
        ) or info.state.last_seq < seen
        if info.created is not None:
            self._stream_created = info.created
        if made_again:
            _log.info("the stream %s was made again; reading from the calls' start", STREAM)
            self._last_seq.clear()
            self._stream_made += 1
        return made_again

    def _deliver(self, company_id: str, msg: Msg) -> None:
        meta = msg.metadata
        seq = meta.sequence.stream
        if seq <= self._last_seq.get(company_id, 0):
            return  # seen already (a consumer made again from an earlier point)
        self._last_seq[company_id] = seq
        headers = msg.headers or {}
        event = HubEvent(
            company_id=company_id,
            event_type=event_type_of(msg.subject, company_id),
            seq=seq,
            stored_at=meta.timestamp.timestamp(),
            msg_id=headers.get("Nats-Msg-Id"),
            body=msg.data,
        )
        self.events_seen += 1
        try:
            self.on_event(event)
        except Exception:  # a listener's bug must not stop the feed
            _log.exception("a live event listener failed")
