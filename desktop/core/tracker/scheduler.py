"""Follow the journeys of one or many companies with a single scheduler task.

One request in flight per company, at most ``concurrency`` over all of them, within the budget
(budget.py: a steady rate, a share of Codat's quota). When the budget cannot give every journey the
pace it wants, it is shared by weight (share.py): the call on screen first, then journeys expecting
a change, idle ones last; among the requests that are due, the most urgent go first, then the one
that has waited longest. Every company's share is above zero, so none is starved.
Each company's next request is chosen by its journey: connections while the customer is in Link
or must act on a connection (re-authorize one that lost access, or connect another), data status
(and now and then pull operations) while a connection is Linked, and the data status at once after
a connection's status changes, so that a completed one-time sync is seen before lost access is
reported.

Tracking ends only when the goal is reached (Linked with the first sync complete, unless
``keep_watching``), when the caller untracks the company (the call ended), or when nothing more can
happen: Codat answers 404 (the company was deleted) or 401/403 (our API key is refused). Lost
access, an unlinked connection, a connection error or a failed sync keep the journey open. A
company tracked ``until_seen`` a change that comes after the goal (a practice call whose lesson,
such as access revoked, follows the first sync) is followed past the goal until that change has
been seen once: its connections are read at the pace of an expected change meanwhile.

The tracker reports through plain callbacks and an async iterator; it knows nothing of Qt.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from desktop.core.clock import Clock
from desktop.core.codat.errors import CodatError, ErrorKind
from desktop.core.codat.models import (
    Company,
    Connection,
    DataStatus,
    Page,
    PullOperation,
    RateLimit,
)
from desktop.core.journey import (
    AgentConfirmed,
    CompanySeen,
    ConnectionsSeen,
    DataStatusSeen,
    JourneyConfig,
    JourneyEvent,
    JourneyState,
    Observation,
    Phase,
    PullOperationsSeen,
    RequestFailed,
    Step,
    SyncStatus,
    TimePassed,
    apply,
    start,
)
from desktop.core.tasks import BackgroundTasks
from desktop.core.tracker.budget import Budget, is_loopback
from desktop.core.tracker.pace import Limit, Pace
from desktop.core.tracker.policy import TrackerSettings, backoff, base_interval, weight
from desktop.core.tracker.share import Want, allot

log = logging.getLogger(__name__)

log = logging.getLogger(__name__)


class TrackerClient(Protocol):
    """The questions the tracker asks; CodatClient answers them, and so do the tests' fakes."""

    last_rate_limit: RateLimit | None

    async def get_company(self, company_id: str) -> Company: ...

    async def list_connections(self, company_id: str, *, page_size: int) -> Page[Connection]: ...

    async def get_data_status(self, company_id: str) -> dict[str, DataStatus]: ...

    async def list_pull_operations(
        self, company_id: str, *, page_size: int, order_by: str
    ) -> Page[PullOperation]: ...


class LiveFeed(Protocol):
    """A source of live events (the team hub): while it covers a company, polling is a heartbeat."""

    def covers(self, company_id: str, now: float) -> bool: ...


class Ask(StrEnum):
    """The questions the tracker asks Codat, by the path it asks them on."""

    COMPANY = "company"
    CONNECTIONS = "connections"
    DATA_STATUS = "dataStatus"
    PULL_OPERATIONS = "data/history"


class StopReason(StrEnum):
    """Why the tracker stopped following a company."""

    FINISHED = "finished"
    UNAUTHORIZED = "unauthorized"  # 401
    FORBIDDEN = "forbidden"  # 403
    NOT_FOUND = "not_found"  # 404
    REMOVED = "removed"  # untracked by the caller


@dataclass(frozen=True)
class Stop:
    """The tracker stopped following a company: why, in plain words, and when (epoch seconds)."""

    reason: StopReason
    message: str
    at: float
    error: CodatError | None = None


UpdateCallback = Callable[[str, JourneyState, tuple[JourneyEvent, ...]], None]
RetryCallback = Callable[[str, Exception, float], None]
StopCallback = Callable[[str, Stop], None]
InternalErrorCallback = Callable[[BaseException, str], None]
PaceCallback = Callable[[str, Pace], None]

# The allotment is recomputed at most this often (seconds) unless the followed set changed.
ALLOT_EVERY = 1.0
# Share out a little less than the budget: follow-up questions and first looks need room too.
ALLOT_HEADROOM = 0.9
# The share of a scarce budget the call on screen may take, whatever the number of others.
FOCUS_SHARE = 0.2
# A company stretched beyond this is "slowed": it asks no extra questions (progress, re-reads).
SLOWED = 1.2


@dataclass
class _Tracked:
    company_id: str
    state: JourneyState
    config: JourneyConfig
    keep_watching: bool
    next_at: float
    order: int
    # A change still to come after the goal: set until it returns True once (then None).
    until_seen: Callable[[JourneyState], bool] | None = None
    polls: int = 0
    failures: int = 0
    in_flight: bool = False
    stop: Stop | None = None
    asked: dict[Ask, float] = field(default_factory=dict)  # when each kind was last answered
    history_wanted: bool = False
    data_status_wanted: bool = False  # a connection's status changed: read the data status next
    failed_types_seen: frozenset[str] = frozenset()
    cadence_at: float = float("-inf")  # the last regular (not follow-up) answer
    requests: int = 0
    wanted: set[Ask] = field(default_factory=set)  # targeted reads asked for by live events
    waits_for: Limit | None = None  # an answer from outside set next_at (Retry-After, quota)
    asked_wait: float | None = None  # the wait Codat asked for, before it was bounded
    pace_said: bool = False  # on_pace was last told of a slower pace


def _quota_spent(err: CodatError) -> bool:
    """A 429 for the whole organisation, rather than for this one request.

    Codat answers 429 to every request while its rate limiting is active (Codat docs, "Rate
    limits"): the quota is the client's, so such an answer holds every company. A 429 whose own
    ``X-Rate-Limit-Remaining`` says the daily quota is not spent comes from a narrower limit (the
    concurrent requests allowed per company, or a proxy): only that company waits.
    """
    if err.status_code != 429:
        return False
    quota = err.rate_limit
    return quota is None or quota.remaining is None or quota.remaining <= 0


_STOPPING_STATUS = {
    401: StopReason.UNAUTHORIZED,
    403: StopReason.FORBIDDEN,
    404: StopReason.NOT_FOUND,
}


class Tracker:
    """One scheduler polling many companies through one client, sharing one request budget.

    Each company is asked only what its journey's phase needs (``Ask``), as often as the phase
    deserves (``TrackerSettings``: seconds between questions per phase, a back-off with jitter on
    errors, ``Retry-After`` obeyed), within the hourly budget. Each answer becomes an observation
    for ``journey.apply``; a change calls ``on_update(company_id, state, events)``, a failed
    request ``on_retry(company_id, error, next_try_at)``, the end ``on_stop(company_id, Stop)``.
    A bug in the tracker or a listener goes to ``on_internal_error(exc, where)``. Times are epoch
    seconds from the injected ``clock``. Run it with ``async with`` or close it with ``aclose``.
    """

    def __init__(
        self,
        client: TrackerClient,
        *,
        clock: Clock,
        settings: TrackerSettings | None = None,
        rng: random.Random | None = None,
        on_update: UpdateCallback | None = None,
        on_retry: RetryCallback | None = None,
        on_stop: StopCallback | None = None,
        on_pace: PaceCallback | None = None,
        on_internal_error: InternalErrorCallback | None = None,
    ) -> None:
        self.client = client
        self.clock = clock
        self.settings = settings or TrackerSettings()
        self.rng = rng or random.Random()
        self.on_update = on_update
        self.on_retry = on_retry
        self.on_stop = on_stop
        # A bug in the tracker or in a listener: logged with its traceback and handed here (the
        # app's crash handler), never reported as Codat not answering.
        self.on_internal_error = on_internal_error
        # Told when a company's pace changes: slowed by the quota, held by Codat, or back to normal.
        self.on_pace = on_pace
        self.budget = Budget(
            share=self.settings.quota_share,
            fixed_per_hour=self.settings.budget_per_hour,
            max_hold=self.settings.max_hold,
        )
        self._focus: str | None = None
        self._stretch: Mapping[str, float] = {}
        self._allot_at = float("-inf")
        self._allot_rate = 0.0  # the budget (requests an hour) the allotment was made for
        self.requests = 0
        self.requests_by_kind: dict[Ask, int] = dict.fromkeys(Ask, 0)
        # Bugs caught so that one journey cannot bring the others down; tests assert it stays empty.
        self.internal_errors: list[BaseException] = []
        self._companies: dict[str, _Tracked] = {}
        self._order = 0
        self._last_first_poll = float("-inf")
        self._wake = asyncio.Event()
        # The scheduler and each request in flight: referenced until they end, a failure that
        # escapes one reported as an internal error, all cancelled by ``aclose``.
        self._tasks = BackgroundTasks(on_error=self._task_failed)
        self._polls = 0  # requests in flight
        self._runner: asyncio.Task[Any] | None = None
        self._closed = False
        # With a simulated clock, time may only jump while no request is on the wire, or the
        # journey on the other side would move on between question and answer.
        self._settle = bool(getattr(clock, "virtual", False))
        self.live: LiveFeed | None = None

    # -- public API ------------------------------------------------------------------------

    def track(
        self,
        company_id: str,
        *,
        keep_watching: bool | None = None,
        preselected_platform: str | None = None,
        state: JourneyState | None = None,
        until_seen: Callable[[JourneyState], bool] | None = None,
    ) -> JourneyState:
        """Start following a company (again); returns the journey as it stands.

        ``until_seen`` says whether a change that comes after the goal has been seen (a practice
        call's lesson, such as access revoked after the first sync): until it says True once, the
        goal does not end the tracking and the finished journey's connections are read at the
        pace of an expected change. None (every real call): the goal ends it, as ever.
        """
        if self._closed:
            raise RuntimeError("the tracker is closed")
        now = self.clock.now()
        config = JourneyConfig(
            stall_seconds=self.settings.stall_seconds, preselected_platform=preselected_platform
        )
        existing = self._companies.get(company_id)
        if existing is not None and existing.stop is None:
            return existing.state
        first = max(now, self._last_first_poll + self.settings.stagger)
        self._last_first_poll = first
        self._order += 1
        tracked = _Tracked(
            company_id=company_id,
            state=state or start(company_id, now, config),
            config=config,
            keep_watching=self.settings.keep_watching if keep_watching is None else keep_watching,
            next_at=first,
            order=self._order,
            until_seen=until_seen,
        )
        self._check_seen(tracked)
        self._companies[company_id] = tracked
        self._allot_at = float("-inf")  # one more to share the budget with
        self._ensure_running()
        self._wake.set()
        return tracked.state

    def untrack(self, company_id: str) -> None:
        """Stop following a company; ``on_stop`` hears ``StopReason.REMOVED``. Unknown ids are ignored."""
        tracked = self._companies.pop(company_id, None)
        if tracked is not None and tracked.stop is None:
            self._emit_stop(
                tracked, Stop(StopReason.REMOVED, "No longer followed.", self.clock.now())
            )
        self._wake.set()

    def confirm(self, company_id: str, step: Step, at: float | None = None) -> JourneyState:
        """The agent saw the customer finish step 1 or 3 on the shared screen.

        ``at`` is when (epoch seconds; now if None): a confirmation replayed after a restart
        keeps its time. Raises ``KeyError`` for a company that is not tracked.
        """
        tracked = self._companies[company_id]
        self._apply(tracked, AgentConfirmed(self.clock.now() if at is None else at, step))
        # A confirmation may mean a change is now expected: ask again soon.
        tracked.next_at = min(tracked.next_at, self._next_poll_at(tracked, self.clock.now()))
        self._wake.set()
        return tracked.state

    def focus(self, company_id: str | None) -> None:
        """The company whose call is on screen (None: none): it comes first when the budget is short."""
        if company_id == self._focus:
            return
        self._focus = company_id
        self._allot_at = float("-inf")
        tracked = self._companies.get(company_id) if company_id is not None else None
        if tracked is not None and tracked.stop is None and tracked.waits_for is None:
            tracked.next_at = min(tracked.next_at, self._next_poll_at(tracked, self.clock.now()))
            self._wake.set()

    def pace(self, company_id: str) -> Pace | None:
        """How often the company is checked now, and what slows it (None if not followed)."""
        tracked = self._companies.get(company_id)
        if tracked is None or tracked.stop is not None:
            return None
        return self._pace(tracked, self.clock.now())

    def state(self, company_id: str) -> JourneyState | None:
        """The company's journey as last seen, or None if it is not tracked."""
        tracked = self._companies.get(company_id)
        return tracked.state if tracked else None

    def stopped(self, company_id: str) -> Stop | None:
        """Why the tracker stopped following the company, or None while it follows it."""
        tracked = self._companies.get(company_id)
        return tracked.stop if tracked else None

    def requests_for(self, company_id: str) -> int:
        """How many requests were sent for this company so far."""
        tracked = self._companies.get(company_id)
        return tracked.requests if tracked else 0

    def next_poll_at(self, company_id: str) -> float | None:
        """When (epoch seconds) the company is asked next; None once stopped or unknown."""
        tracked = self._companies.get(company_id)
        if tracked is None or tracked.stop is not None:
            return None
        return tracked.next_at

    def set_live(self, feed: LiveFeed | None) -> None:
        """Use ``feed`` (or stop using one): companies it covers are polled at the heartbeat."""
        self.live = feed
        self.live_changed()

    def is_live(self, company_id: str) -> bool:
        return self.live is not None and self.live.covers(company_id, self.clock.now())

    def live_changed(self) -> None:
        """The feed went live or stale: plan every company again, so that polling returns to its
        pace within one interval when the feed is lost (and slows to the heartbeat when back)."""
        now = self.clock.now()
        for tracked in self._companies.values():
            if tracked.stop is None and not tracked.in_flight and tracked.polls:
                tracked.next_at = self._next_poll_at(tracked, now)
        self._wake.set()

    def read_now(self, company_id: str, ask: Ask) -> None:
        """A live event says ``ask`` has news for this company: read it at once (after the
        request in flight, if any). Unknown or stopped companies are ignored."""
        tracked = self._companies.get(company_id)
        if tracked is None or tracked.stop is not None:
            return
        tracked.wanted.add(ask)
        if not tracked.in_flight:
            tracked.next_at = min(tracked.next_at, self.clock.now())
        self._wake.set()

    @property
    def active(self) -> tuple[str, ...]:
        """The companies followed now (not stopped)."""
        return tuple(c for c, t in self._companies.items() if t.stop is None)

    @property
    def tasks(self) -> tuple[asyncio.Task[Any], ...]:
        """Every task the tracker owns right now (empty after ``aclose``)."""
        return tuple(self._tasks.running)

    async def __aenter__(self) -> Tracker:
        self._ensure_running()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Cancel the scheduler and every request in flight, and wait until all have ended."""
        self._closed = True
        await self._tasks.cancel_all()
        self._runner = None

    # -- scheduling ------------------------------------------------------------------------

    def _ensure_running(self) -> None:
        if self._closed:
            return
        if self._runner is None or self._runner.done():
            self._runner = self._tasks.spawn(self._run(), "tracker")

    async def _run(self) -> None:
        while not self._closed:
            self._wake.clear()
            now = self.clock.now()
            wake_at = self._launch_due(now)
            if self._settle and self._polls:
                wake_at = None  # let the answers arrive before time moves on
            await self._wait(None if wake_at is None else max(0.0, wake_at - now))

    def _launch_due(self, now: float) -> float | None:
        """Start every request that is due and allowed; return when to look again."""
        waiting = [t for t in self._companies.values() if t.stop is None and not t.in_flight]
        # The more urgent first, then the one waiting longest. No class can starve the next:
        # each one's pace is its share of the budget (``_allot``), which leaves room for the rest.
        due = sorted(
            (t for t in waiting if t.next_at <= now),
            key=lambda t: (-self._weight(t), t.next_at, t.order),
        )
        for tracked in due:
            if self._polls >= self.settings.concurrency:
                return None  # a slot frees when a request ends, which wakes the scheduler
            allowed = self.budget.next_allowed(now)
            if tracked.wanted and not self.budget.held(now):
                # A live event's read: a handful a call, each in place of many polls, so the
                # pacing does not delay it (it is still counted); a spent quota still holds it.
                allowed = now
            if allowed > now:
                return allowed
            self._launch(tracked, now)
        later = [t.next_at for t in waiting if t.next_at > now]
        return min(later) if later else None

    def _weight(self, tracked: _Tracked) -> float:
        return weight(tracked.state, tracked.company_id == self._focus, self._awaiting(tracked))

    @staticmethod
    def _awaiting(tracked: _Tracked) -> bool:
        """A change is still to come after the goal (``track(until_seen=...)``)."""
        return tracked.until_seen is not None

    def _base_interval(self, tracked: _Tracked, now: float) -> float:
        return base_interval(tracked.state, now, self.settings, self._awaiting(tracked))

    def _launch(self, tracked: _Tracked, now: float) -> None:
        tracked.in_flight = True
        self.budget.record(now)
        ask = self._plan(tracked, now)
        task = self._tasks.spawn(self._poll(tracked, ask), f"tracker:{tracked.company_id}")
        self._polls += 1
        task.add_done_callback(self._poll_done)

    def _poll_done(self, task: asyncio.Task[Any]) -> None:
        self._polls -= 1
        self._wake.set()

    def _task_failed(self, exc: BaseException, name: str) -> None:
        """What escaped a task (``_poll`` catches Codat's errors and its own; a listener or an
        update that raises while an answer is applied does not): one journey's bug is reported
        and the others go on."""
        self._internal_error(exc, f"task {name}")

    async def _wait(self, delay: float | None) -> None:
        if self._settle and delay is not None:
            # Simulated time: the sleep returns at once (or at an alarm); never cut it short,
            # since an alarm running inside it may be a simulated customer's request.
            await self.clock.sleep(delay)
            return
        pending: set[asyncio.Future[object]] = {asyncio.ensure_future(self._wait_wake())}
        if delay is not None:
            pending.add(asyncio.ensure_future(self._sleep(delay)))
        try:
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for fut in pending:
                fut.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _wait_wake(self) -> object:
        return await self._wake.wait()

    async def _sleep(self, delay: float) -> object:
        await self.clock.sleep(delay)
        return None

    def _plan(self, tracked: _Tracked, now: float) -> Ask:
        state = tracked.state
        if tracked.polls == 0:
            return Ask.COMPANY  # proves the company exists and gives its name and connections
        for wanted in Ask:  # a live event's targeted read goes first
            if wanted in tracked.wanted:
                tracked.wanted.discard(wanted)
                return wanted
        if not state.linked_seen:
            return Ask.CONNECTIONS
        if tracked.history_wanted:
            return Ask.PULL_OPERATIONS
        if tracked.data_status_wanted:
            return Ask.DATA_STATUS
        if not state.linked and not state.one_time_sync:
            # Lost access or unlinked: what can change now is on the connections (the customer
            # re-authorizes this one, or connects another).
            return Ask.CONNECTIONS
        if state.phase is Phase.FINISHED and self._awaiting(tracked):
            # After the first sync what is still to come is the connection's status (access
            # revoked, a one-time sync's connector removing itself); the data status follows it.
            return Ask.CONNECTIONS
        if self._recheck_due(tracked, now):
            return Ask.CONNECTIONS
        return Ask.DATA_STATUS

    def _recheck_due(self, tracked: _Tracked, now: float) -> bool:
        """Once linked, connections are re-read now and then (access may be lost)."""
        if not tracked.state.linked_seen or self.is_live(tracked.company_id):
            return False  # live: a lost connection is announced (connection.disconnected)
        recheck = max(self.settings.connections_recheck, 1.5 * self._interval(tracked, now))
        if self._slowed(tracked, now):
            # A short budget goes to data status, where the first sync's end shows; access
            # lost is rarer, so connections are re-read as seldom as the budget is short.
            recheck = max(
                recheck, self.settings.connections_recheck * self._stretch_of(tracked, now)
            )
        return now - tracked.asked.get(Ask.CONNECTIONS, float("-inf")) >= recheck

    def _interval(self, tracked: _Tracked, now: float) -> float:
        """The wanted interval, stretched by this company's share of a scarce budget (s);
        while the team hub covers the company, the heartbeat."""
        if self.live is not None and self.live.covers(tracked.company_id, now):
            return max(self.settings.live_heartbeat, self._base_interval(tracked, now))
        return self._base_interval(tracked, now) * self._stretch_of(tracked, now)

    def _slowed(self, tracked: _Tracked, now: float) -> bool:
        """The budget gives this company less than it wants: no extra questions then."""
        return self._stretch_of(tracked, now) > SLOWED

    def _stretch_of(self, tracked: _Tracked, now: float) -> float:
        if now - self._allot_at >= ALLOT_EVERY or now < self._allot_at:
            self._allot(now)
        return self._stretch.get(tracked.company_id, 1.0)

    def _allot(self, now: float) -> None:
        """Share the budget's rate between the followed companies by what they want and weigh."""
        active = [t for t in self._companies.values() if t.stop is None]
        self.budget.connected = sum(1 for t in active if t.state.linked_seen)
        wants: list[Want] = []
        regular: dict[str, float] = {}
        for tracked in active:
            state = tracked.state
            rate = regular[tracked.company_id] = 1.0 / max(self._base_interval(tracked, now), 1e-3)
            if state.phase is Phase.SYNCING:
                # Pull operations and connection re-reads go in between while a sync runs.
                rate += 1.0 / self.settings.history_every + 1.0 / self.settings.connections_recheck
            wants.append(Want(tracked.company_id, rate, self._weight(tracked)))
        others = sum(w.weight for w in wants if w.key != self._focus)
        # The call on screen may take up to a fifth of the budget, however many others there are.
        on_screen = others * FOCUS_SHARE / (1.0 - FOCUS_SHARE)
        wants = [
            Want(w.key, w.rate, max(w.weight, on_screen)) if w.key == self._focus else w
            for w in wants
        ]
        self._allot_rate = self.budget.per_hour(now)
        rate = self._allot_rate / 3600.0 * ALLOT_HEADROOM
        stretch = allot(wants, rate)
        if any(v > SLOWED for v in stretch.values()):
            # Slowed companies ask no extra questions (see _slowed): share again without them.
            wants = [
                Want(w.key, regular[w.key], w.weight) if stretch[w.key] > SLOWED else w
                for w in wants
            ]
            stretch = allot(wants, rate)
        self._stretch = stretch
        self._allot_at = now
        # A larger share (the budget grew, or a company left) applies at once, not after the
        # long wait planned under the smaller one.
        for tracked in active:
            if not tracked.in_flight and tracked.failures == 0 and tracked.polls > 0:
                tracked.next_at = min(tracked.next_at, self._next_poll_at(tracked, now))

    def _next_poll_at(self, tracked: _Tracked, now: float) -> float:
        """When to ask next.

        While a sync runs, data status is read at the fast cadence and the extra questions
        (pull operations, connections) go in between, straight after, so they never delay the
        next data status read; otherwise the extra questions take the place of a regular one.
        """
        follow_up = (
            tracked.history_wanted
            or bool(tracked.wanted)
            or tracked.data_status_wanted
            or (
                tracked.state.phase is Phase.SYNCING
                and self._recheck_due(tracked, now)
                and not self._slowed(tracked, now)  # then the re-read takes a regular turn
            )
        )
        if self.budget.held(now):
            # Codat's quota is spent: everyone waits for the end of the (bounded) hold, and the
            # bucket lets one look first.
            return self.budget.hold_until
        if follow_up:
            return now
        return max(now, tracked.cadence_at + self._interval(tracked, now))

    # -- one request -----------------------------------------------------------------------

    async def _fetch(self, ask: Ask, company_id: str) -> Observation:
        client = self.client
        if ask is Ask.COMPANY:
            company = await client.get_company(company_id)
            return CompanySeen(
                self.clock.now(), company, includes_connections="dataConnections" in company.raw
            )
        if ask is Ask.CONNECTIONS:
            page = await client.list_connections(company_id, page_size=100)
            return ConnectionsSeen(self.clock.now(), page.results)
        if ask is Ask.DATA_STATUS:
            statuses = await client.get_data_status(company_id)
            return DataStatusSeen(self.clock.now(), statuses)
        ops = await client.list_pull_operations(company_id, page_size=100, order_by="-requested")
        return PullOperationsSeen(self.clock.now(), ops.results)

    async def _poll(self, tracked: _Tracked, ask: Ask) -> None:
        try:
            self.requests += 1
            self.requests_by_kind[ask] += 1
            tracked.requests += 1
            try:
                obs = await self._fetch(ask, tracked.company_id)
            finally:
                self._observe_budget()
        except CodatError as err:
            self._failed(tracked, err)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug, or an answer nobody foresaw: keep the others going
            self._internal_error(exc, f"tracking {tracked.company_id}")
            tracked.failures += 1
            tracked.next_at = self.clock.now() + backoff(tracked.failures, self.settings, self.rng)
        else:
            self._answered(tracked, ask, obs)
        finally:
            tracked.in_flight = False

    def _observe_budget(self) -> None:
        """What the answer said of Codat's quota, and whether the API is metered at all."""
        if self.settings.unmetered_loopback:
            self.budget.metered = not is_loopback(getattr(self.client, "base_url", None))
        now = self.clock.now()
        self.budget.observe(self.client.last_rate_limit, now)
        rate = self.budget.per_hour(now)
        if abs(rate - self._allot_rate) > 0.1 * self._allot_rate:
            self._allot_at = float("-inf")  # share the new rate at once

    def _answered(self, tracked: _Tracked, ask: Ask, obs: Observation) -> None:
        now = obs.at
        tracked.polls += 1
        tracked.failures = 0
        tracked.waits_for = None
        tracked.asked_wait = None
        tracked.asked[ask] = now
        if isinstance(obs, CompanySeen):
            tracked.asked[Ask.CONNECTIONS] = now
        if ask is Ask.PULL_OPERATIONS:
            tracked.history_wanted = False
        if ask is Ask.DATA_STATUS:
            tracked.data_status_wanted = False
        follow_up = ask is Ask.PULL_OPERATIONS or (
            ask is Ask.CONNECTIONS and tracked.state.phase is Phase.SYNCING
        )
        if not follow_up:
            tracked.cadence_at = now
        if tracked.company_id not in self._companies:
            return
        was_linked = tracked.state.linked_seen
        before = (tracked.state.connection_id, tracked.state.connection_status)
        self._apply(tracked, obs)
        state = tracked.state
        if state.linked_seen and (state.connection_id, state.connection_status) != before:
            tracked.data_status_wanted = ask is not Ask.DATA_STATUS
        self._want_history(tracked, ask, now)
        if state.linked_seen and not was_linked and state.phase is Phase.SYNCING:
            # Just linked: the sync may already be under way, so look at it at once.
            tracked.next_at = now
            self._allot_at = float("-inf")
            self._report_pace(tracked, now)
            return
        # Only the goal ends tracking here (once no change is awaited after it); 404 and 401/403
        # end it in _failed.
        ending = (
            state.phase is Phase.FINISHED
            and not tracked.keep_watching
            and not self._awaiting(tracked)
        )
        if ending and not tracked.history_wanted:
            text = (
                state.note
                if state.one_time_sync and state.note
                else "The connection is linked and the first sync is done."
            )
            self._emit_stop(tracked, Stop(StopReason.FINISHED, text, now))
            return
        tracked.next_at = self._next_poll_at(tracked, now)
        self._report_pace(tracked, now)

    def _want_history(self, tracked: _Tracked, ask: Ask, now: float) -> None:
        """Pull operations carry progress and Codat's error texts; ask for them when they matter."""
        state = tracked.state
        if not state.sync or ask is Ask.PULL_OPERATIONS:
            return
        failed = frozenset(i.data_type for i in state.sync if i.status is SyncStatus.FAILED)
        if failed - tracked.failed_types_seen:
            tracked.failed_types_seen = failed
            tracked.history_wanted = True
            return
        if self._slowed(tracked, now):
            return  # progress is a luxury a short budget does without; errors still get read
        last = tracked.asked.get(Ask.PULL_OPERATIONS)
        if self.is_live(tracked.company_id):
            return  # live: read.completed says when the sync is done; no progress polling
        if state.phase is Phase.SYNCING and (
            last is None or now - last >= self.settings.history_every
        ):
            tracked.history_wanted = True

    def _failed(self, tracked: _Tracked, err: Exception) -> None:
        now = self.clock.now()
        if isinstance(err, CodatError) and err.kind is ErrorKind.HTTP:
            reason = _STOPPING_STATUS.get(err.status_code or 0)
            if reason is not None:
                self._apply(tracked, RequestFailed(now, err))
                self._emit_stop(tracked, Stop(reason, err.plain_message, now, err))
                return
        tracked.failures += 1
        retry_after = err.retry_after if isinstance(err, CodatError) else None
        tracked.waits_for, tracked.asked_wait = None, None
        if isinstance(err, CodatError) and retry_after is not None:
            # Codat said when: neither sooner nor jittered, but never longer than max_hold, so a
            # bad header cannot stop tracking for days.
            tracked.asked_wait = retry_after
            if _quota_spent(err):
                # Codat's quota is the organisation's: its 429 holds every company.
                delay = self.budget.hold(now, retry_after)
                tracked.waits_for = Limit.CODAT_HOLD
            else:
                # Only this company's answer said so: the others carry on.
                delay = min(retry_after, self.settings.max_hold)
                tracked.waits_for = Limit.RETRY_AFTER
            if delay < retry_after:
                log.info(
                    "Codat asked %s to wait %.0f s; checking again in %.0f s (the bound)",
                    tracked.company_id,
                    retry_after,
                    delay,
                )
        else:
            delay = backoff(tracked.failures, self.settings, self.rng)
        tracked.next_at = now + delay
        if isinstance(err, CodatError):
            self._apply(tracked, RequestFailed(now, err))
        else:
            self._apply(tracked, TimePassed(now))
        if self.on_retry is not None:
            self._call(self.on_retry, tracked.company_id, err, tracked.next_at)
        self._report_pace(tracked, now)

    def _pace(self, tracked: _Tracked, now: float) -> Pace:
        wanted = self._base_interval(tracked, now)
        interval = self._interval(tracked, now)
        next_at = max(tracked.next_at, self.budget.hold_until)
        limit: Limit | None = tracked.waits_for
        asked = tracked.asked_wait
        if limit is None and self.budget.held(now):
            limit, asked = Limit.CODAT_HOLD, self.budget.hold_asked
        elif limit is None and self._slowed(tracked, now):
            limit = Limit.QUOTA
        return Pace(tracked.company_id, interval, wanted, next_at, limit, asked)

    def _report_pace(self, tracked: _Tracked, now: float) -> None:
        """Tell ``on_pace`` each new plan while something slows the company, and when it ends."""
        if self.on_pace is None:
            return
        pace = self._pace(tracked, now)
        if pace.limit is None and not tracked.pace_said:
            return
        tracked.pace_said = pace.limit is not None
        self._call(self.on_pace, tracked.company_id, pace)

    # -- reporting -------------------------------------------------------------------------

    def _apply(self, tracked: _Tracked, obs: Observation) -> None:
        tracked.state, events = apply(tracked.state, obs, tracked.config)
        self._check_seen(tracked)
        if events and self.on_update is not None:
            self._call(self.on_update, tracked.company_id, tracked.state, events)

    def _check_seen(self, tracked: _Tracked) -> None:
        """Once the change awaited after the goal has been seen, the company is tracked as any
        other (a bug in the check counts as seen: the goal ends the tracking again)."""
        check = tracked.until_seen
        if check is None:
            return
        try:
            seen = check(tracked.state)
        except Exception as exc:
            self._internal_error(exc, f"the awaited change of {tracked.company_id}")
            seen = True
        if seen:
            tracked.until_seen = None

    def _emit_stop(self, tracked: _Tracked, stop: Stop) -> None:
        tracked.stop = stop
        self._allot_at = float("-inf")  # its share goes to the others
        if self.on_stop is not None:
            self._call(self.on_stop, tracked.company_id, stop)

    def _call(self, callback: Callable[..., object], *args: object) -> None:
        try:
            callback(*args)
        except Exception as exc:  # a listener's bug must not stop the tracking
            self._internal_error(exc, f"a tracker listener ({getattr(callback, '__name__', '?')})")

    def _internal_error(self, exc: BaseException, where: str) -> None:
        self.internal_errors.append(exc)
        if self.on_internal_error is None:
            log.error("Internal error in %s", where, exc_info=exc)
            return
        try:
            self.on_internal_error(exc, where)  # the crash handler logs it with its traceback
        except Exception:
            log.exception("The internal error handler failed on an error in %s", where)
