"""A desktop cut off from the team hub while ten minutes pass on the injected clock.

The desktop's tracker, its HubFeed and the sandbox share one clock that only the test moves
(``DrivenClock``); the hub and nats-server run in real time, as in a deployment. The desktop
reaches NATS through a relay the test cuts and restores (``CutProxy``); Codat (the sandbox) stays
reachable, so polling carries the journey while the hub is out of reach, as the README says.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from desktop.core.codat import CodatClient
from desktop.core.live import HubEvent, HubFeed, LiveTracking
from desktop.core.tracker import Tracker, TrackerSettings
from desktop.hub.app import HubServer
from desktop.hub.nats_server import NatsServer
from tests.hub.conftest import SANDBOX_KEY, Chain, build_chain
from tests.hub.cut_proxy import CutProxy
from tests.hub.driven_clock import DrivenClock
from tests.hub.live_kit import act, journey_shape, new_company, tracked, wait_until
from tests.hub.stream_reader import stored_messages

INTERVAL = 10.0  # seconds between polls while the hub is not live (every phase alike)
SETTINGS = TrackerSettings(
    fast_interval=INTERVAL,
    medium_interval=INTERVAL,
    slow_interval=INTERVAL,
    hot_window=3600.0,
    patience=3600.0,
    stagger=0.0,
    # No "stuck" problems: the two journeys below spend different real time on each step.
    stall_seconds={1: 3600.0, 2: 3600.0, 3: 3600.0, 4: 3600.0, 5: 3600.0},
)
STALE_AFTER = 60.0  # clock seconds without a hub heartbeat before the feed is not live
OUTAGE = 600.0  # ten minutes
# What the customer does while the desktop is offline, in clock seconds after the cut; the first
# sync then runs on the sandbox's clock (the same clock) and ends well within the ten minutes.
DURING_OUTAGE = ((120.0, "consent"), (240.0, "approve"))


@dataclass
class Desk:
    clock: DrivenClock
    tracker: Tracker
    feed: HubFeed
    live: LiveTracking
    http: httpx.AsyncClient
    statuses: list[str] = field(default_factory=list)
    seen: list[HubEvent] = field(default_factory=list)

    async def aclose(self) -> None:
        await self.live.aclose()
        await self.tracker.aclose()
        await self.http.aclose()

    def polls_in_flight(self) -> int:
        return sum(1 for t in self.tracker.tasks if t.get_name().startswith("tracker:"))

    async def pass_time(self, seconds: float, *, live: bool) -> None:
        """Move the clock on by ``seconds``, letting each poll it makes due be answered; while
        the hub is ``live``, by steps a heartbeat keeps fresh (each waits for the next beat)."""
        step = STALE_AFTER / 3 if live else INTERVAL / 5
        end = self.clock.now() + seconds
        while self.clock.now() < end:
            self.clock.advance(min(step, end - self.clock.now()))
            await asyncio.sleep(0.002)  # the scheduler wakes and sends what is due
            await wait_until(lambda: self.polls_in_flight() == 0)
            if live:
                await wait_until(lambda: (self.feed.last_beat or 0) >= self.clock.now())


@pytest.fixture
def offline_chain(
    nats_server: NatsServer, make_hub: Callable[..., HubServer]
) -> Iterator[tuple[Chain, DrivenClock]]:
    clock = DrivenClock()
    built, stop = build_chain(
        nats_server.url, make_hub, hub_options={"heartbeat": 0.1}, clock=clock.now
    )
    yield built, clock
    stop()


async def _desk(chain: Chain, clock: DrivenClock, nats_url: str) -> Desk:
    http = httpx.AsyncClient(trust_env=False)
    tracker = Tracker(
        CodatClient(http, chain.sandbox.base_url, SANDBOX_KEY), clock=clock, settings=SETTINGS
    )
    feed = HubFeed(nats_url, on_event=lambda event: None, stale_after=STALE_AFTER, wall=clock.now)
    desk = Desk(clock, tracker, feed, LiveTracking(tracker, feed), http)
    desk.live.on_status = desk.statuses.append
    to_tracker = feed.on_event

    def seen(event: HubEvent) -> None:
        desk.seen.append(event)
        to_tracker(event)

    feed.on_event = seen
    feed.start()
    return desk


async def _journey(
    chain: Chain, desk: Desk, name: str, proxy: CutProxy | None
) -> tuple[str, dict[str, object]]:
    company_id = await new_company(chain, name)
    # The call's first event is in the stream before the desktop subscribes (as when the call
    # opens on an event Codat already sent): the subscription must start early enough for it,
    # on the hub's clock, even with the desktop's clock ten minutes on after the first journey.
    deadline = time.monotonic() + 20
    while not await stored_messages(chain.nats_url, f"codat.{company_id}.>"):
        assert time.monotonic() < deadline, "company.created never reached the stream"
        await asyncio.sleep(0.05)
    desk.tracker.track(company_id)
    desk.live.follow(company_id, since=desk.clock.now())
    await wait_until(lambda: desk.tracker.is_live(company_id))
    assert desk.statuses[-1] == "Live, team hub"
    await act(chain, company_id, "open_link")
    await act(chain, company_id, "select_platform", platformKey="gbol")
    await wait_until(lambda: tracked(desk.tracker, company_id).connection_status == "PendingAuth")
    await desk.pass_time(60.0, live=True)
    heartbeat_polls = desk.tracker.requests_for(company_id)
    # Live: the next regular poll is the heartbeat's (at most 12 an hour), not the interval's.
    assert (desk.tracker.next_poll_at(company_id) or 0) - desk.clock.now() > 5 * INTERVAL

    if proxy is not None:
        await proxy.cut()
        await wait_until(lambda: not desk.tracker.is_live(company_id))
        assert desk.statuses[-1] == "Polling"
        # The documented fallback: polling is back to its pace within one interval.
        assert (desk.tracker.next_poll_at(company_id) or 0) - desk.clock.now() <= INTERVAL
    outage_start = desk.clock.now()
    before = desk.tracker.requests_for(company_id)
    for at, action in DURING_OUTAGE:
        await desk.pass_time(outage_start + at - desk.clock.now(), live=proxy is None)
        await act(chain, company_id, action)
    await desk.pass_time(outage_start + OUTAGE - desk.clock.now(), live=proxy is None)
    polled = desk.tracker.requests_for(company_id) - before
    if proxy is not None:
        # Polled at the interval until the journey finished (after 240 s), not at the
        # heartbeat: far more than the two polls ten live minutes would cost.
        assert polled >= 240 / INTERVAL, polled
        assert tracked(desk.tracker, company_id).synced  # polling alone carried the journey
        outage_types = {"connection.connected", "read.completed.initial"}
        assert not [
            e for e in desk.seen if e.company_id == company_id and e.event_type in outage_types
        ]
        await proxy.open()
        await wait_until(lambda: desk.feed.live)
        assert desk.statuses[-1] == "Live, team hub"
    else:
        assert polled <= 3 + heartbeat_polls, polled  # events did the work; polls stayed rare
    # Every event the hub stored for the company reaches the desktop, once, in order.
    stored = [
        m.metadata.sequence.stream
        for m in await stored_messages(chain.nats_url, f"codat.{company_id}.>")
    ]
    await wait_until(lambda: [e.seq for e in desk.seen if e.company_id == company_id] == stored)
    types = [e.event_type for e in desk.seen if e.company_id == company_id]
    assert types[-2:] == ["connection.connected", "read.completed.initial"]
    await wait_until(lambda: tracked(desk.tracker, company_id).synced)
    state = desk.tracker.state(company_id)
    assert state is not None
    return company_id, journey_shape(state)


@pytest.mark.asyncio
async def test_a_desktop_offline_for_ten_clock_minutes_catches_up_from_the_stream(
    offline_chain: tuple[Chain, DrivenClock], nats_server: NatsServer
) -> None:
    chain, clock = offline_chain
    proxy = CutProxy(nats_server.port)
    await proxy.open()
    desk = await _desk(chain, clock, proxy.url)
    try:
        _, without = await _journey(chain, desk, "Online Co", None)
        _, with_outage = await _journey(chain, desk, "Offline Co", proxy)
    finally:
        await desk.aclose()
        await proxy.cut()
    assert with_outage == without
    assert without["phase"] == "finished" and without["platform"] == "gbol"
    assert clock.now() - time.time() > 2 * OUTAGE - 60  # the clock, not the wall, moved


@pytest.mark.asyncio
async def test_a_quiet_hub_goes_stale_on_the_injected_clock_not_the_wall(
    offline_chain: tuple[Chain, DrivenClock],
) -> None:
    """The hub stops (no more heartbeats) while NATS stays up: the feed counts it stale when the
    desktop's clock has moved ``stale_after`` on, however long or short that is in real time."""
    chain, clock = offline_chain
    desk = await _desk(chain, clock, chain.nats_url)
    try:
        company_id = await new_company(chain, "Quiet Co")
        desk.tracker.track(company_id)
        desk.live.follow(company_id, since=clock.now())
        await wait_until(lambda: desk.tracker.is_live(company_id))
        chain.hub.stop()
        # Beats the hub sent before it stopped may still wait in the desktop's socket (the loop
        # was held while the hub's thread ended): a round trip, then every queue empty.
        nc = desk.feed._nc
        assert nc is not None
        await nc.flush()
        await wait_until(lambda: all(s.pending_msgs == 0 for s in nc._subs.values()))
        # A beat the hub sent as it stopped can still arrive after that (seen once in a clean
        # run): freshness counts from the last beat seen, so the clock is moved on from it, and
        # again from a later one if one came meanwhile (the stopped hub sends no more).
        for _ in range(3):
            last = desk.feed.last_beat
            assert last is not None
            clock.advance(max(0.0, last + STALE_AFTER - 1 - clock.now()))
            assert desk.feed.live and desk.statuses[-1] == "Live, team hub"
            clock.advance(2)
            # At most seconds of real time: judged on the wall, 60 s would not have passed.
            try:
                await wait_until(lambda: not desk.tracker.is_live(company_id), 10)
                break
            except AssertionError:
                if desk.feed.last_beat == last:
                    raise  # no later beat: stale on the clock yet still live, the fault itself
        else:
            raise AssertionError("beats kept coming after the hub stopped")
        assert desk.statuses[-1] == "Polling"
        assert (desk.tracker.next_poll_at(company_id) or 0) - clock.now() <= INTERVAL
    finally:
        await desk.aclose()
