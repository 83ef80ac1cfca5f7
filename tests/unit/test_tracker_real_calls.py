"""The tracker on real calls: reconnections, one-time syncs, and journeys someone can still fix."""

from __future__ import annotations

from dataclasses import replace

import pytest

from desktop.core.clock import FakeClock
from desktop.core.journey import EventKind, JourneyEvent, JourneyState, Phase, ProblemKey
from desktop.core.tracker import Stop, StopReason, Tracker, TrackerSettings
from tests.unit.journey_builders import when
from tests.unit.tracker_fakes import COMPANY, FakeCodat, run_for, run_until, scripted_journey

XERO = "11111111-0000-4000-8000-0000000000c1"
QBO = "22222222-0000-4000-8000-0000000000c2"
SETTINGS = TrackerSettings(
    fast_interval=2.0, medium_interval=10.0, slow_interval=300.0, stagger=0.0
)


def _deauthorize(codat: FakeCodat, conn: str, **extra: str) -> None:
    error = {
        "statusCode": "401",
        "statusText": "Unauthorized",
        "errorMessage": "The integration de-authorized access to the connection.",
        "erroredOnUtc": when(codat.clock.now()),
        "status": "Active",
    }
    codat.connect(COMPANY, conn, "Deauthorized", dataConnectionErrors=[error], **extra)


def _tracker(
    codat: FakeCodat, clock: FakeClock, settings: TrackerSettings = SETTINGS
) -> tuple[Tracker, list[tuple[JourneyState, tuple[JourneyEvent, ...]]], list[Stop]]:
    updates: list[tuple[JourneyState, tuple[JourneyEvent, ...]]] = []
    stops: list[Stop] = []
    tracker = Tracker(
        codat,
        clock=clock,
        settings=settings,
        on_update=lambda c, s, e: updates.append((s, e)),
        on_stop=lambda c, s: stops.append(s),
    )
    return tracker, updates, stops


def _lost_xero(codat: FakeCodat, clock: FakeClock) -> None:
    """Issue 13, input 2: linked, synced, then Deauthorized, before the call starts."""
    codat.add()
    codat.connect(COMPANY, XERO, "Linked")
    codat.sync(COMPANY, XERO, {"bills": "Complete", "suppliers": "Complete"})
    clock.advance(600)
    _deauthorize(codat, XERO)


@pytest.mark.asyncio
async def test_input_2_a_reconnection_call_waits_and_sees_the_same_connection_linked_again() -> (
    None
):
    clock = FakeClock()
    codat = FakeCodat(clock)
    _lost_xero(codat, clock)
    t0 = clock.now()
    clock.call_at(
        t0 + 1800, lambda: codat.connect(COMPANY, XERO, "Linked", dataConnectionErrors=[])
    )
    tracker, updates, stops = _tracker(codat, clock)
    async with tracker:
        tracker.track(COMPANY)
        await run_for(tracker, clock, 1700)
        assert stops == []  # lost access is not the end of the journey
        state = tracker.state(COMPANY)
        assert state is not None and not state.linked and not state.synced
        assert state.problem is not None and state.problem.key is ProblemKey.DEAUTHORIZED
        await run_until(tracker, clock, lambda: bool(stops), seconds=900)
    assert stops[0].reason is StopReason.FINISHED
    assert any("Linked again" in e.message for _, evs in updates for e in evs)
    # While waiting it asked about connections, where the change would show.
    assert codat.kinds().count("connections") > codat.kinds().count("dataStatus")
    assert tracker.internal_errors == []


@pytest.mark.asyncio
async def test_input_2_the_customer_connects_quickbooks_online_instead() -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    _lost_xero(codat, clock)
    t0 = clock.now()
    qbo = {"integrationKey": "qhyg", "platformName": "QuickBooks Online"}
    clock.call_at(t0 + 300, lambda: codat.connect(COMPANY, QBO, "PendingAuth", **qbo))
    clock.call_at(t0 + 400, lambda: codat.connect(COMPANY, QBO, "Linked", **qbo))
    clock.call_at(
        t0 + 500, lambda: codat.sync(COMPANY, QBO, {"bills": "Complete", "suppliers": "Complete"})
    )
    tracker, updates, stops = _tracker(codat, clock)
    async with tracker:
        tracker.track(COMPANY)
        await run_until(tracker, clock, lambda: bool(stops), seconds=1800)
    assert stops[0].reason is StopReason.FINISHED
    state = tracker.state(COMPANY)
    assert state is not None and state.connection_id == QBO and state.synced
    assert any(
        e.kind is EventKind.FOLLOWING and "instead of" in e.message
        for _, evs in updates
        for e in evs
    )


@pytest.mark.parametrize("deauthorized_first", [True, False])
@pytest.mark.asyncio
async def test_input_1_a_one_time_sync_is_a_success_in_both_read_orders(
    deauthorized_first: bool,
) -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    codat.add()
    qbd = {"integrationKey": "pqsw", "platformName": "QuickBooks Desktop"}
    t0 = clock.now()
    clock.call_at(t0 + 30, lambda: codat.connect(COMPANY, XERO, "PendingAuth", **qbd))
    clock.call_at(t0 + 60, lambda: codat.connect(COMPANY, XERO, "Linked", **qbd))
    done = {"bills": "Complete", "suppliers": "Complete"}
    if deauthorized_first:
        # The connector removes itself before Codat's data status says the sync completed.
        clock.call_at(t0 + 100, lambda: _deauthorize(codat, XERO, **qbd))
        clock.call_at(t0 + 100.5, lambda: codat.sync(COMPANY, XERO, done))
    else:
        clock.call_at(t0 + 100, lambda: codat.sync(COMPANY, XERO, done))
        clock.call_at(t0 + 100.5, lambda: _deauthorize(codat, XERO, **qbd))
    tracker, updates, _ = _tracker(codat, clock)
    async with tracker:
        tracker.track(COMPANY, keep_watching=True)  # so that the deauthorization is always read
        await run_for(tracker, clock, 900)
    state = tracker.state(COMPANY)
    assert state is not None
    assert state.synced and state.one_time_sync and state.phase is Phase.FINISHED
    assert state.problem is None
    problems = [e.problem.key for _, evs in updates for e in evs if e.problem is not None]
    assert ProblemKey.DEAUTHORIZED not in problems


@pytest.mark.asyncio
async def test_a_failed_first_sync_keeps_being_watched_until_a_new_sync_completes() -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    codat.add()
    codat.connect(COMPANY, XERO, "Linked")
    codat.sync(COMPANY, XERO, {"bills": "PermissionsError", "suppliers": "Complete"}, "Denied")
    t0 = clock.now()
    clock.call_at(t0 + 3 * 3600, lambda: codat.sync(COMPANY, XERO, {"bills": "Complete"}))
    tracker, _, stops = _tracker(codat, clock)
    async with tracker:
        tracker.track(COMPANY)
        await run_for(tracker, clock, 3600)
        state = tracker.state(COMPANY)
        assert stops == [] and state is not None
        assert state.problem is not None and state.problem.key is ProblemKey.SYNC_FAILED
        assert state.problem.needs == "needs the customer"
        await run_until(tracker, clock, lambda: bool(stops), seconds=3 * 3600)
    assert stops[0].reason is StopReason.FINISHED


@pytest.mark.asyncio
async def test_a_deleted_company_ends_the_journey_with_nothing_more_to_wait_for() -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    _lost_xero(codat, clock)
    clock.call_at(clock.now() + 120, lambda: codat.companies.clear())
    tracker, _, stops = _tracker(codat, clock)
    async with tracker:
        tracker.track(COMPANY)
        await run_until(tracker, clock, lambda: bool(stops), seconds=600)
    assert stops[0].reason is StopReason.NOT_FOUND
    state = tracker.state(COMPANY)
    assert state is not None and state.phase is Phase.FAILED
    assert state.problem is not None and state.problem.key is ProblemKey.COMPANY_GONE


# The pace the journey wants, not a share of a quota: these tests are about when it is asked.
UNMETERED = replace(SETTINGS, budget_per_hour=100_000.0)


def _access_lost(state: JourneyState) -> bool:
    return state.problem is not None and state.problem.key is ProblemKey.DEAUTHORIZED


@pytest.mark.asyncio
async def test_a_change_awaited_after_the_goal_is_followed_until_it_is_seen() -> None:
    """A practice call's lesson after the first sync (xero-deauthorized): the goal does not end
    the tracking, and access lost half a minute later is read at the pace of an expected change."""
    clock, codat, t0 = scripted_journey(XERO)  # Linked at +120 s, first sync done at +150 s
    lost_at = t0 + 180
    clock.call_at(lost_at, lambda: _deauthorize(codat, XERO))
    tracker, _, stops = _tracker(codat, clock, UNMETERED)
    async with tracker:
        tracker.track(COMPANY, until_seen=_access_lost)
        await run_until(tracker, clock, lambda: clock.now() >= lost_at, seconds=600)
        state = tracker.state(COMPANY)
        assert stops == [] and state is not None and state.synced  # past the goal, still followed
        finished_reads = len(codat.kinds())
        await run_until(
            tracker,
            clock,
            lambda: _access_lost(tracker.state(COMPANY) or state),
            seconds=2 * SETTINGS.medium_interval,  # well before the slow interval
        )
        assert "connections" in codat.kinds()[finished_reads:]
        await run_for(tracker, clock, 600)
    assert stops == []  # the customer can sign in again: the call goes on being followed
    assert tracker.internal_errors == []


@pytest.mark.asyncio
async def test_without_an_awaited_change_the_goal_ends_the_tracking_as_ever() -> None:
    clock, codat, t0 = scripted_journey(XERO)
    clock.call_at(t0 + 180, lambda: _deauthorize(codat, XERO))
    tracker, _, stops = _tracker(codat, clock, UNMETERED)
    async with tracker:
        tracker.track(COMPANY)
        await run_until(tracker, clock, lambda: bool(stops), seconds=600)
    assert [s.reason for s in stops] == [StopReason.FINISHED]  # before access was lost
    assert clock.now() < t0 + 180
    state = tracker.state(COMPANY)
    assert state is not None and state.synced and not _access_lost(state)


@pytest.mark.expected_logs(r"^Internal error in the awaited change of ")
@pytest.mark.asyncio
async def test_a_broken_check_of_an_awaited_change_awaits_nothing() -> None:
    clock, codat, _ = scripted_journey(XERO)
    tracker, _, stops = _tracker(codat, clock, UNMETERED)

    def broken(_state: JourneyState) -> bool:
        raise RuntimeError("a bug in the check")

    async with tracker:
        tracker.track(COMPANY, until_seen=broken)
        await run_until(tracker, clock, lambda: bool(stops), seconds=600)
    assert [s.reason for s in stops] == [StopReason.FINISHED]
    assert [str(e) for e in tracker.internal_errors] == ["a bug in the check"]
