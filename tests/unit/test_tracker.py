"""The tracker on a simulated clock against a scriptable Codat: what it asks, when, and what it says."""

from __future__ import annotations

import asyncio
import itertools
import random

import pytest

from desktop.core.clock import FakeClock
from desktop.core.codat.errors import CodatError, ErrorKind
from desktop.core.journey import EventKind, JourneyEvent, JourneyState, Phase, ProblemKey, Step
from desktop.core.tracker import Stop, StopReason, Tracker, TrackerSettings, backoff
from tests.unit.tracker_fakes import COMPANY, FakeCodat, run_for, run_until, scripted_journey

CONN = "11111111-0000-4000-8000-0000000000c1"
# The budget is lifted here: these tests are about intervals (test_tracker_budget.py is about it).
UNLIMITED = 100_000.0
SETTINGS = TrackerSettings(
    fast_interval=2.0,
    medium_interval=10.0,
    slow_interval=300.0,
    stagger=0.0,
    budget_per_hour=UNLIMITED,
)


def gaps(times: list[float]) -> list[float]:
    return [round(b - a, 6) for a, b in itertools.pairwise(times)]


@pytest.mark.asyncio
async def test_a_whole_journey_asks_only_what_each_phase_needs() -> None:
    clock, codat, t0 = scripted_journey(CONN, queued_at=125.0)
    updates: list[tuple[JourneyState, tuple[JourneyEvent, ...]]] = []
    stops: list[Stop] = []
    tracker = Tracker(
        codat,
        clock=clock,
        settings=SETTINGS,
        on_update=lambda c, s, e: updates.append((s, e)),
        on_stop=lambda c, s: stops.append(s),
    )
    async with tracker:
        tracker.track(COMPANY)
        await run_until(tracker, clock, lambda: bool(stops), seconds=600)
    assert stops[0].reason is StopReason.FINISHED
    state = tracker.state(COMPANY)
    assert state is not None and state.phase is Phase.FINISHED and state.company_name == "Acme"
    kinds = codat.kinds()
    linked_at = next(i for i, (t, _, _) in enumerate(codat.calls) if t >= t0 + 120)
    assert kinds[0] == "company"
    assert set(kinds[1:linked_at]) == {"connections"}  # nothing about data before the link
    assert "dataStatus" in kinds[linked_at:]
    # Observed promptly: the connection within one fast interval... after a medium one at most.
    seen = {
        e.kind: s.updated_at for s, evs in updates for e in evs if e.kind is EventKind.FOLLOWING
    }
    assert t0 + 60 <= seen[EventKind.FOLLOWING] <= t0 + 60 + SETTINGS.medium_interval
    linked = next(s.updated_at for s, evs in updates for e in evs if e.step is Step.SIGN_IN)
    assert t0 + 120 <= linked <= t0 + 120 + SETTINGS.fast_interval
    assert tracker.tasks == ()  # aclose left nothing running
    assert tracker.internal_errors == []


@pytest.mark.asyncio
async def test_intervals_follow_the_phase() -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    codat.add()
    t0 = clock.now()
    clock.call_at(t0 + 100, lambda: codat.connect(COMPANY, CONN, "PendingAuth"))
    async with Tracker(codat, clock=clock, settings=SETTINGS) as tracker:
        tracker.track(COMPANY)
        await run_for(tracker, clock, 160)
        consented_at = clock.now()
        tracker.confirm(COMPANY, Step.REVIEW_AND_START)
        await run_for(tracker, clock, 40)
    times = codat.times()
    before = [g for t, g in zip(times[1:], gaps(times), strict=True) if t < t0 + 100]
    pending = [g for t, g in zip(times[1:], gaps(times), strict=True) if t0 + 111 < t < t0 + 160]
    after = [
        g
        for t, g in zip(times[1:], gaps(times), strict=True)
        if consented_at + 3 < t < consented_at + SETTINGS.hot_window
    ]
    assert before and all(g == pytest.approx(10.0) for g in before)  # waiting for the customer
    # PendingAuth while nobody has confirmed the consent: the link is not likely soon.
    assert pending and all(g == pytest.approx(10.0) for g in pending)
    # The agent saw the customer start: signing in, a change is expected.
    assert after and all(g == pytest.approx(2.0) for g in after)


@pytest.mark.asyncio
async def test_confirming_step_one_speeds_up_and_quiet_slows_down() -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    codat.add()
    settings = TrackerSettings(stagger=0.0, hot_window=60.0, budget_per_hour=UNLIMITED)
    async with Tracker(codat, clock=clock, settings=settings) as tracker:
        tracker.track(COMPANY)
        await run_for(tracker, clock, 30)
        confirmed_at = clock.now()
        state = tracker.confirm(COMPANY, Step.OPEN_LINK)
        assert state.phase is Phase.LINKING
        await run_for(tracker, clock, 400)
    times = codat.times()
    soon = [
        g
        for t, g in zip(times[1:], gaps(times), strict=True)
        if confirmed_at + 3 < t < confirmed_at + 55
    ]
    late = [g for t, g in zip(times[1:], gaps(times), strict=True) if t > confirmed_at + 300]
    assert soon and max(soon) == pytest.approx(2.0)
    assert late and min(late) > 2.0 and max(late) <= 10.0 + 1e-6  # ramped, never beyond medium


@pytest.mark.asyncio
async def test_an_idle_linked_synced_company_costs_at_most_12_requests_an_hour() -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    codat.add()
    codat.connect(COMPANY, CONN, "Linked")
    codat.sync(COMPANY, CONN, {"bills": "Complete"})
    clock.advance(10)
    async with Tracker(
        codat, clock=clock, settings=TrackerSettings(keep_watching=True, budget_per_hour=UNLIMITED)
    ) as tracker:
        tracker.track(COMPANY)
        await run_for(tracker, clock, 600)  # settle: first looks
        start = len(codat.calls)
        await run_for(tracker, clock, 3600)
        state = tracker.state(COMPANY)
    assert state is not None and state.phase is Phase.FINISHED
    assert len(codat.calls) - start <= 12
    assert {"connections", "dataStatus"} <= set(codat.kinds()[start:])  # still watches both


@pytest.mark.asyncio
async def test_errors_back_off_exponentially_with_jitter_and_announce_the_next_try() -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    codat.add()
    codat.fail = lambda now, c, what: CodatError(ErrorKind.HTTP, status_code=503)
    retries: list[tuple[float, float]] = []
    settings = TrackerSettings(
        stagger=0.0, first_backoff=1.0, max_backoff=60.0, budget_per_hour=UNLIMITED
    )
    tracker = Tracker(
        codat,
        clock=clock,
        settings=settings,
        rng=random.Random(7),
        on_retry=lambda c, err, at: retries.append((clock.now(), at)),
    )
    async with tracker:
        tracker.track(COMPANY)
        await run_for(tracker, clock, 600)
        state = tracker.state(COMPANY)
    times = codat.times()
    # Each announced time is when the next request really went out.
    for (_, next_at), actual in zip(retries, times[1:], strict=False):
        assert actual == pytest.approx(next_at)
    waits = [at - now for now, at in retries]
    ceilings = [min(60.0, 2.0 ** (n - 1)) for n in range(1, len(waits) + 1)]
    assert all(c / 2 <= w <= c for w, c in zip(waits, ceilings, strict=True))
    assert max(waits) <= 60.0 and waits[-1] > 30.0  # grew to the cap
    assert len(set(round(w, 3) for w in waits)) == len(waits)  # jittered
    assert state is not None and state.problem is not None
    assert state.problem.key is ProblemKey.API_UNREACHABLE


def test_backoff_is_capped_and_seeded() -> None:
    settings = TrackerSettings(first_backoff=1.0, max_backoff=120.0)
    a = [backoff(n, settings, random.Random(1)) for n in range(1, 40)]
    b = [backoff(n, settings, random.Random(1)) for n in range(1, 40)]
    assert a == b
    assert all(60.0 <= x <= 120.0 for x in a[10:])


@pytest.mark.asyncio
async def test_retry_after_is_honoured_exactly_and_holds_every_company() -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    codat.add()
    codat.add("other", name="Other")
    t0 = clock.now()
    state = {"n": 0}

    def fail(now: float, company: str, what: str) -> CodatError | None:
        if company == COMPANY and state["n"] == 0 and now > t0 + 5:
            state["n"] = 1
            return CodatError(ErrorKind.HTTP, status_code=429, retry_after=7.25)
        return None

    codat.fail = fail
    retries: list[float] = []
    async with Tracker(
        codat, clock=clock, settings=SETTINGS, on_retry=lambda c, e, at: retries.append(at)
    ) as tracker:
        tracker.track(COMPANY)
        tracker.track("other")
        tracker.confirm(COMPANY, Step.OPEN_LINK)
        tracker.confirm("other", Step.OPEN_LINK)
        await run_for(tracker, clock, 40)
    failed_at = next(t for t, c, _ in codat.calls if c == COMPANY and t > t0 + 5)
    assert retries == [failed_at + 7.25]
    after = [t for t, _, _ in codat.calls if t > failed_at]
    assert min(after) == pytest.approx(failed_at + 7.25)  # nobody asked before Codat allowed


@pytest.mark.parametrize(
    ("status", "reason"),
    [(401, StopReason.UNAUTHORIZED), (403, StopReason.FORBIDDEN), (404, StopReason.NOT_FOUND)],
)
@pytest.mark.asyncio
async def test_refusals_stop_tracking_with_a_clear_reason(status: int, reason: StopReason) -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    codat.add()
    codat.fail = lambda now, c, what: CodatError(ErrorKind.HTTP, status_code=status)
    stops: list[Stop] = []
    async with Tracker(
        codat, clock=clock, settings=SETTINGS, on_stop=lambda c, s: stops.append(s)
    ) as tracker:
        tracker.track(COMPANY)
        await run_until(tracker, clock, lambda: bool(stops), seconds=30)
        await asyncio.sleep(0)
    assert [s.reason for s in stops] == [reason]
    assert f"({status})" in stops[0].message
    assert len(codat.calls) == 1


@pytest.mark.asyncio
async def test_a_busy_journey_never_starves_the_others() -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    codat.add("busy")
    codat.connect("busy", "conn-busy", "PendingAuth")
    quiet = [f"quiet-{i}" for i in range(5)]
    for cid in quiet:
        codat.add(cid)
    settings = TrackerSettings(
        concurrency=1, stagger=0.0, hot_window=10_000, budget_per_hour=UNLIMITED
    )
    async with Tracker(codat, clock=clock, settings=settings) as tracker:
        tracker.track("busy")
        tracker.confirm("busy", Step.REVIEW_AND_START)  # signing in: asked every 2 s
        for cid in quiet:
            tracker.track(cid)
        await run_for(tracker, clock, 300)
    for cid in quiet:
        ts = codat.times(cid)
        assert len(ts) >= 28 and max(gaps(ts)) <= 10.0 + 1e-6
    assert len(codat.times("busy")) >= 140


@pytest.mark.asyncio
async def test_aclose_cancels_a_request_in_flight_and_leaves_no_task() -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    codat.add()
    codat.hang = True
    tracker = Tracker(codat, clock=clock, settings=SETTINGS)
    tracker.track(COMPANY)
    for _ in range(20):
        await asyncio.sleep(0)
    before = tracker.tasks  # a name: mypy would keep ``tracker.tasks`` two long past aclose()
    assert len(before) == 2  # the scheduler and the hanging request
    await tracker.aclose()
    assert tracker.tasks == ()
    with pytest.raises(RuntimeError):
        tracker.track("another")


@pytest.mark.asyncio
async def test_a_server_gone_for_a_minute_is_followed_again_by_itself() -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    codat.add()
    t0 = clock.now()
    codat.connect(COMPANY, CONN, "PendingAuth")
    down = (t0 + 30, t0 + 90)
    codat.fail = lambda now, c, what: (
        CodatError(ErrorKind.CONNECT) if down[0] <= now < down[1] else None
    )
    clock.call_at(t0 + 100, lambda: codat.connect(COMPANY, CONN, "Linked"))
    problems: list[str] = []

    def note(c: str, s: JourneyState, events: tuple[JourneyEvent, ...]) -> None:
        problems.extend(
            e.problem.key.value for e in events if e.kind is EventKind.PROBLEM and e.problem
        )

    async with Tracker(
        codat, clock=clock, settings=SETTINGS, rng=random.Random(3), on_update=note
    ) as tracker:
        tracker.track(COMPANY)
        await run_until(
            tracker, clock, lambda: bool((s := tracker.state(COMPANY)) and s.linked), seconds=400
        )
        state = tracker.state(COMPANY)
    assert "api_unreachable" in problems
    assert state is not None and state.problem is None
    assert state.linked


@pytest.mark.expected_logs(r"Internal error in a tracker listener")
@pytest.mark.asyncio
async def test_a_broken_listener_does_not_stop_tracking() -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    codat.add()
    clock.call_at(clock.now() + 20, lambda: codat.connect(COMPANY, CONN, "PendingAuth"))

    def broken(*args: object) -> None:
        raise ValueError("listener bug")

    async with Tracker(codat, clock=clock, settings=SETTINGS, on_update=broken) as tracker:
        tracker.track(COMPANY)
        await run_for(tracker, clock, 60)
        state = tracker.state(COMPANY)
    assert state is not None and state.connection_id == CONN
    assert tracker.internal_errors and isinstance(tracker.internal_errors[0], ValueError)
