"""A team's day on the injected clock: 50 agents x 24 twenty-minute calls, through the hub and by
polling alone, and what each costs in API requests against the organisation's daily quota.

Each call is the same journey (the customer opens the link at 2:00, picks Xero at 4:00, consents at
7:00, approves at 11:00; the first sync completes at 15:00), against an in-memory Codat (the
tracker tests' scriptable fake) on a simulated clock, so a day takes seconds. Through the hub, the
events (connection.created, connection.connected, read.completed.initial) reach the desktop 50 ms
after each change, and polling is a heartbeat; polling alone is the tracker as it is without one.
One tracker plays the 50 agents' desktops (its hourly budget lifted, as each agent has their own).
The quota: about 1,000 requests a day per connected company (Codat), counted here for the 1,200
companies the day connects.
Goals through the hub: <= 30 requests per completed call, <= 5% of the daily quota.
Usage: python bench/team_day.py [--agents 50] [--calls 24] [--polling-calls 2]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

from _common import row
from _hub import where

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop.core.clock import FakeClock
from desktop.core.journey import Step
from desktop.core.live import asks_for
from desktop.core.tracker import Stop, StopReason, Tracker, TrackerSettings
from tests.unit.tracker_fakes import FakeCodat

CALL = 20 * 60.0
PER_CALL_GOAL = 30
QUOTA_SHARE_GOAL = 0.05
QUOTA_PER_COMPANY = 1000
DELIVERY = 0.05  # seconds from a change to the desktop's event, through the hub


class HubAlwaysLive:
    def covers(self, company_id: str, now: float) -> bool:
        return True


def _journey(
    codat: FakeCodat, clock: FakeClock, tracker: Tracker, company: str, t0: float, live: bool
) -> None:
    conn = f"{company}-conn"

    def change(minute: float, do: Callable[[], object], event: str | None) -> None:
        def alarm() -> None:  # the clock awaits whatever an alarm returns: return nothing
            do()

        clock.call_at(t0 + minute * 60, alarm)
        if live and event is not None:
            for ask in asks_for(event):
                clock.call_at(t0 + minute * 60 + DELIVERY, partial(tracker.read_now, company, ask))

    change(2, lambda: tracker.confirm(company, Step.OPEN_LINK), None)
    change(4, lambda: codat.connect(company, conn, "PendingAuth"), "connection.created")
    change(7, lambda: tracker.confirm(company, Step.REVIEW_AND_START), None)

    def approve() -> None:
        codat.connect(company, conn, "Linked")
        codat.sync(
            company, conn, {"bills": "Queued", "suppliers": "Fetching", "invoices": "Queued"}
        )

    change(11, approve, "connection.connected")
    change(
        15,
        lambda: codat.sync(
            company, conn, {"bills": "Complete", "suppliers": "Complete", "invoices": "Complete"}
        ),
        "read.completed.initial",
    )


async def _day(agents: int, calls: int, live: bool) -> tuple[int, int, int]:
    """(requests, calls completed, calls) for ``agents`` x ``calls`` calls."""
    clock = FakeClock()
    codat = FakeCodat(clock)
    stops: dict[str, Stop] = {}

    def on_stop(company_id: str, stop: Stop) -> None:
        stops.setdefault(company_id, stop)

    settings = TrackerSettings(budget_per_hour=10_000_000, concurrency=agents, stagger=0.0)
    tracker = Tracker(
        codat,
        clock=clock,
        settings=settings,
        rng=random.Random(1),
        on_stop=on_stop,
    )
    if live:
        tracker.set_live(HubAlwaysLive())
    start = clock.now()
    companies: list[str] = []
    for round_ in range(calls):
        t0 = start + round_ * CALL
        batch = [f"c{round_:02d}-{agent:02d}" for agent in range(agents)]
        companies.extend(batch)

        def begin(batch: list[str] = batch, t0: float = t0) -> None:
            for company in batch:
                codat.add(company, f"Company {company}")
                tracker.track(company)
                _journey(codat, clock, tracker, company, t0, live)

        def end(batch: list[str] = batch) -> None:
            for company in batch:
                tracker.untrack(company)  # the call is over

        clock.call_at(t0, begin)
        clock.call_at(t0 + CALL - 0.001, end)
    day_end = start + calls * CALL
    async with tracker:
        while clock.now() < day_end:
            if not tracker.active:
                await clock.sleep(day_end - clock.now())
            else:
                await asyncio.sleep(0)
    completed = sum(1 for s in stops.values() if s.reason is StopReason.FINISHED)
    return len(codat.calls), completed, len(companies)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--calls", type=int, default=24, help="calls per agent through the hub")
    parser.add_argument(
        "--polling-calls", type=int, default=2, help="calls per agent by polling alone"
    )
    args = parser.parse_args()
    hub_requests, hub_done, hub_calls = asyncio.run(_day(args.agents, args.calls, True))
    poll_requests, poll_done, poll_calls = asyncio.run(_day(args.agents, args.polling_calls, False))
    quota = QUOTA_PER_COMPANY * args.agents * args.calls
    per_call = hub_requests / max(hub_done, 1)
    share = hub_requests / quota
    poll_per_call = poll_requests / max(poll_done, 1)
    poll_share = poll_per_call * hub_calls / quota
    print(f"A team's day on the injected clock ({where()})")
    print(
        f"{args.agents} agents x {args.calls} calls of 20 min = {hub_calls} calls; daily quota "
        f"{QUOTA_PER_COMPANY} x {hub_calls} companies = {quota:,} requests"
    )
    print(
        row(
            "through the hub, per completed call",
            f"{per_call:.1f}",
            f"<= {PER_CALL_GOAL}",
            "OK" if per_call <= PER_CALL_GOAL else "MISSED",
        )
    )
    print(
        row(
            "through the hub, share of quota",
            f"{share * 100:.2f}%",
            "<= 5%",
            "OK" if share <= QUOTA_SHARE_GOAL else "MISSED",
        )
    )
    print(row("  calls completed", f"{hub_done}/{hub_calls}", "-", ""))
    print(
        row(
            "polling alone, per completed call",
            f"{poll_per_call:.1f}",
            "-",
            f"({poll_calls} calls run)",
        )
    )
    print(row("polling alone, share of quota (day)", f"{poll_share * 100:.1f}%", "-", ""))
    ok = per_call <= PER_CALL_GOAL and share <= QUOTA_SHARE_GOAL and hub_done == hub_calls
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
