"""Economy: API requests spent by the tracker on a completed 20-minute call and on an idle hour.

Runs on a simulated clock shared by the tracker and the sandbox (``SandboxServer(clock=...)``), so
20 minutes of call and an hour of idling take seconds, with every request real HTTP over loopback.
The customer takes minutes at each step: opens the link at 2:00, picks Xero at 4:00, consents at
7:00, approves at 11:00; the first sync then runs for several minutes (sandbox speed 0.1). The
agent confirms the two invisible steps when they happen. Then a linked, synced company is tracked
for an hour with keep-watching on.
Beside each, a naive poller in the same run asks every second for the connections and the data
status of an identical company, on a second sandbox with the same clock (on one sandbox it would
use up the organisation's daily quota within the call, and the tracker would rightly hold back).
Goals: at most 400 requests for the call, at most 12 for the idle hour.
Usage: python bench/economy.py [--sync-speed 0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import random

import httpx
from _common import API_KEY, act, codat, row, verdict

from desktop.core.clock import FakeClock
from desktop.core.codat import CodatClient
from desktop.core.journey import Step
from desktop.core.tracker import Tracker, TrackerSettings
from desktop.sandbox.server import SandboxServer

CALL_GOAL = 400
IDLE_GOAL = 12
CALL_SECONDS = 20 * 60.0
IDLE_SECONDS = 3600.0


class NaivePoller:
    """Every second: list connections and read data status, whatever happens."""

    def __init__(
        self, clock: FakeClock, client: CodatClient, company_id: str, until: float
    ) -> None:
        self.clock, self.client, self.company_id, self.until = clock, client, company_id, until
        self.requests = 0

    def start(self) -> None:
        self.clock.call_later(1.0, self._tick)

    async def _tick(self) -> None:
        if self.clock.now() > self.until:
            return
        await self.client.list_connections(self.company_id)
        await self.client.get_data_status(self.company_id)
        self.requests += 2
        self.clock.call_later(1.0, self._tick)


def _script(
    clock: FakeClock,
    control: httpx.AsyncClient,
    tracker: Tracker | None,
    company_id: str,
    t0: float,
) -> None:
    def at(minute: float, action: str, confirm: Step | None = None, **params: str) -> None:
        async def move() -> None:
            await act(control, company_id, action, **params)
            if tracker is not None and confirm is not None:
                tracker.confirm(company_id, confirm)

        clock.call_at(t0 + minute * 60.0, move)

    at(2, "open_link", Step.OPEN_LINK)
    at(4, "select_platform", platformKey="gbol")
    at(7, "consent", Step.REVIEW_AND_START)
    at(11, "approve")


async def _settle_until(clock: FakeClock, end: float, tracker: Tracker, company_id: str) -> None:
    """Let the tracker's own sleeps move time; once it has stopped, move time ourselves."""
    while clock.now() < end:
        if tracker.stopped(company_id) is not None or not tracker.active:
            await clock.sleep(end - clock.now())
        else:
            await asyncio.sleep(0)


async def _run(base_url: str, naive_url: str, clock: FakeClock) -> dict[str, float]:
    out: dict[str, float] = {}
    async with (
        httpx.AsyncClient(trust_env=False) as http,
        httpx.AsyncClient(base_url=base_url, trust_env=False) as control,
        httpx.AsyncClient(base_url=naive_url, trust_env=False) as naive_control,
    ):
        client = codat(http, base_url)
        naive_client = codat(http, naive_url)

        # The call.
        tracked = (await client.create_company("Economy call")).id
        shadow = (await naive_client.create_company("Economy call, naive")).id
        t0 = clock.now()
        tracker = Tracker(client, clock=clock, settings=TrackerSettings(), rng=random.Random(1))
        _script(clock, control, tracker, tracked, t0)
        _script(clock, naive_control, None, shadow, t0)
        naive = NaivePoller(clock, naive_client, shadow, t0 + CALL_SECONDS)
        naive.start()
        async with tracker:
            tracker.track(tracked)
            await _settle_until(clock, t0 + CALL_SECONDS, tracker, tracked)
            state = tracker.state(tracked)
            stop = tracker.stopped(tracked)
        out["call_requests"] = tracker.requests
        out["call_naive"] = naive.requests
        out["call_synced"] = float(bool(state and state.synced))
        out["call_synced_at"] = (
            (state.step(Step.COMPLETE).seen_at or 0.0) - t0 if state and state.synced else -1.0
        )
        out["call_stopped_at"] = (stop.at - t0) if stop else -1.0
        for ask, n in tracker.requests_by_kind.items():
            out[f"call_by_{ask.value}"] = n

        # An idle hour of a linked, synced company, followed with keep-watching on.
        idle = (await client.create_company("Economy idle")).id
        idle_naive = (await naive_client.create_company("Economy idle, naive")).id
        for where, company_id in ((control, idle), (naive_control, idle_naive)):
            await act(where, company_id, "open_link")
            await act(where, company_id, "select_platform", platformKey="gbol")
            await act(where, company_id, "consent")
            await act(where, company_id, "approve")
            await act(where, company_id, "complete_sync")
        await clock.sleep(120.0)
        t1 = clock.now()
        settings = TrackerSettings(keep_watching=True)
        watcher = Tracker(client, clock=clock, settings=settings, rng=random.Random(2))
        naive = NaivePoller(clock, naive_client, idle_naive, t1 + IDLE_SECONDS)
        naive.start()
        async with watcher:
            watcher.track(idle)
            # The first look (company, then data status) is not idling; count the hour after it.
            while not ((s := watcher.state(idle)) and s.synced):
                await asyncio.sleep(0)
            first_look = watcher.requests
            t2 = clock.now()
            while clock.now() < t2 + IDLE_SECONDS:
                await asyncio.sleep(0)
            state = watcher.state(idle)
        out["idle_first_look"] = first_look
        out["idle_requests"] = watcher.requests - first_look
        out["idle_naive"] = naive.requests
        out["idle_phase_finished"] = float(bool(state and state.synced))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sync-speed", type=float, default=0.1, help="sandbox speed (sync length)")
    args = parser.parse_args()
    clock = FakeClock()
    with (
        SandboxServer(api_key=API_KEY, clock=clock.now, speed=args.sync_speed, seed=1) as server,
        SandboxServer(api_key=API_KEY, clock=clock.now, speed=args.sync_speed, seed=1) as naive,
    ):
        figures = asyncio.run(_run(server.base_url, naive.base_url, clock))
    call, idle = figures["call_requests"], figures["idle_requests"]
    print(
        "Economy: API requests on a simulated clock shared with the sandbox (real HTTP, loopback)"
    )
    print(
        row(
            "20-minute call, journey completed",
            f"{call:.0f}",
            f"<= {CALL_GOAL}",
            verdict(call, CALL_GOAL) if figures["call_synced"] else "NOT SYNCED",
        )
    )
    print(row("  naive 1 s poller, same call", f"{figures['call_naive']:.0f}", "-", ""))
    print(
        row(
            "  first sync seen done at",
            f"{figures['call_synced_at'] / 60:.1f} min",
            "-",
            f"(tracking stopped at {figures['call_stopped_at'] / 60:.1f} min)",
        )
    )
    by_kind = ", ".join(
        f"{k.removeprefix('call_by_')} {v:.0f}"
        for k, v in figures.items()
        if k.startswith("call_by_")
    )
    print(f"    by question: {by_kind}")
    print(
        row(
            "idle hour, linked and synced",
            f"{idle:.0f}",
            f"<= {IDLE_GOAL}",
            verdict(idle, IDLE_GOAL),
        )
    )
    print(row("  first look before idling", f"{figures['idle_first_look']:.0f}", "-", ""))
    print(row("  naive 1 s poller, same hour", f"{figures['idle_naive']:.0f}", "-", ""))
    ok = figures["call_synced"] and call <= CALL_GOAL and idle <= IDLE_GOAL
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
