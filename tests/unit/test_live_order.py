"""Live events and polls in any order, repeated or late: the journey comes out the same.

The tracker runs on the simulated clock against the scriptable Codat; the customer's journey is
fixed, and Hypothesis chooses how the hub's events arrive (each may come several times, late, and
so out of order, or not at all) and whether the hub counts as live (polling at the heartbeat).
"""

from __future__ import annotations

import asyncio
import itertools
from functools import partial
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.clock import FakeClock
from desktop.core.journey import STATUS_RANK, JourneyState
from desktop.core.live import asks_for
from desktop.core.tracker import Stop, StopReason, Tracker, TrackerSettings
from tests.unit.tracker_fakes import COMPANY, run_until, scripted_journey

CONN = "11111111-0000-4000-8000-0000000000c1"
SETTINGS = TrackerSettings(fast_interval=2.0, medium_interval=10.0, stagger=0.0)
# What the customer does, and the event Codat announces it with (seconds after the start).
CHANGES = (
    (60.0, "connection.created"),
    (120.0, "connection.connected"),
    (150.0, "read.completed.initial"),
)


class FixedFeed:
    def __init__(self, live: bool) -> None:
        self.live = live

    def covers(self, company_id: str, now: float) -> bool:
        return self.live


def _deliver(
    tracker: Tracker, clock: FakeClock, t0: float, deliveries: list[tuple[float, str]]
) -> None:
    """Each event (seconds after ``t0``, Codat's event type) calls for its targeted read then."""
    for at, event_type in deliveries:
        for ask in asks_for(event_type):
            clock.call_at(t0 + at, partial(tracker.read_now, COMPANY, ask))


def _shape(state: JourneyState) -> dict[str, Any]:
    return {
        "steps": [(int(s.step), s.status, s.provenance) for s in state.steps],
        "sync": sorted((i.data_type, i.status) for i in state.sync),
        "phase": state.phase,
        "problem": state.problem,
        "status": state.connection_status,
        "platform": state.platform,
    }


async def _journey(
    deliveries: list[tuple[float, str]], live: bool | None
) -> tuple[dict[str, Any], list[list[int]]]:
    clock, codat, t0 = scripted_journey(CONN)
    stops: list[Stop] = []
    ranks: list[list[int]] = []
    tracker = Tracker(
        codat,
        clock=clock,
        settings=SETTINGS,
        on_update=lambda c, s, e: ranks.append([STATUS_RANK[x.status] for x in s.steps]),
        on_stop=lambda c, s: stops.append(s),
    )
    if live is not None:
        tracker.set_live(FixedFeed(live))
    _deliver(tracker, clock, t0, deliveries)
    async with tracker:
        tracker.track(COMPANY)
        await run_until(tracker, clock, lambda: bool(stops), seconds=4 * 3600)
    assert stops[0].reason is StopReason.FINISHED
    assert tracker.internal_errors == []
    state = tracker.state(COMPANY)
    assert state is not None
    return _shape(state), ranks


_REFERENCE: dict[str, Any] = {}


def _reference() -> dict[str, Any]:
    if not _REFERENCE:
        _REFERENCE.update(asyncio.run(_journey([], None))[0])
    return _REFERENCE


deliveries = st.lists(
    st.tuples(
        st.sampled_from(range(len(CHANGES))),  # which event
        st.floats(min_value=0.0, max_value=400.0),  # how late it arrives
    ),
    max_size=9,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deliveries=deliveries, live=st.booleans())
def test_the_journey_is_the_same_whatever_the_events_order_or_repetition(
    deliveries: list[tuple[int, float]], live: bool
) -> None:
    timed = [(CHANGES[i][0] + late, CHANGES[i][1]) for i, late in deliveries]
    shape, ranks = asyncio.run(_journey(timed, live))
    assert shape == _reference()
    # And no step ever went backwards on the way.
    for before, after in itertools.pairwise(ranks):
        assert all(b <= a for b, a in zip(before, after, strict=True))


def test_events_on_time_are_seen_at_once_with_a_few_reads_while_polling_is_a_heartbeat() -> None:
    async def run() -> tuple[float, int, float]:
        clock, codat, t0 = scripted_journey(CONN)
        stops: list[Stop] = []
        tracker = Tracker(
            codat, clock=clock, settings=SETTINGS, on_stop=lambda c, s: stops.append(s)
        )
        tracker.set_live(FixedFeed(True))
        _deliver(tracker, clock, t0, list(CHANGES))
        async with tracker:
            tracker.track(COMPANY)
            await run_until(tracker, clock, lambda: bool(stops), seconds=3600)
        return stops[0].at - t0, len(codat.calls), codat.times()[1] - t0

    finished_after, calls, second_read = asyncio.run(run())
    assert finished_after <= CHANGES[-1][0] + 1.0  # the read.completed event, not a poll
    assert second_read == CHANGES[0][0]  # nothing between the first read and the first event
    assert calls <= 6
