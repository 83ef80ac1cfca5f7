"""Economy: API requests spent by the tracker, and what a shared budget does to many calls at once.

Runs on a simulated clock shared by the tracker and the sandbox (``SandboxServer(clock=...)``), so
20 minutes of call and an hour of idling take seconds, with every request real HTTP over loopback.

One call (issue 16): the customer takes minutes at each step: opens the link at 2:00, picks Xero at
4:00, consents at 7:00, approves at 11:00; the first sync then runs for several minutes (sandbox
speed 0.1). The agent confirms the two invisible steps when they happen. Then a linked, synced
company is tracked for an hour with keep-watching on. Beside each, a naive poller in the same run
asks every second for the connections and the data status of an identical company, on a second
sandbox with the same clock. Goals: at most 250 requests for the call, at most 12 for the idle hour
(with bench/latency.py's goals held by the same settings).

Many calls (issue 14): 6, 20 and 50 such calls at once (each starting within 2 minutes, its first
sync completed by the control API between minutes 13 and 17), followed by one tracker with the
default settings and the sandbox treated as Codat (its quota metered, as Codat's is). The sandbox
plays an organisation with ``--connected-companies`` active connected companies, whose daily quota
Codat gives as 1,000 + 1,000 x that number; the rest of the organisation is taken to have spent its
pro-rata part of the day already, so what is left at the start is the day's quota times the share
of the day still to come. Goals: every completed sync seen within 2 minutes of happening, no 429,
and no 10 minutes with more requests than the team's share allows (rate x 10 min + the bucket).
Usage: python bench/economy.py [--sync-speed 0.1] [--calls 6,20,50] [--connected-companies 250]
                              [--with-latency]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
from dataclasses import dataclass, field

import httpx
from _common import API_KEY, act, codat, row, verdict, where_it_ran

from desktop.core.clock import FakeClock
from desktop.core.codat import CodatClient
from desktop.core.journey import Step
from desktop.core.tracker import Limit, Pace, Tracker, TrackerSettings
from desktop.core.tracker.budget import DAILY_BASE, DAILY_PER_CONNECTED_COMPANY, DAY, HOUR
from desktop.sandbox.server import SandboxServer

CALL_GOAL = 250
IDLE_GOAL = 12
SEEN_GOAL = 120.0  # seconds from a first sync's completion to the tracker seeing it
WINDOW = 600.0  # the budget is checked over every stretch of this many seconds
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


@dataclass
class ManyResult:
    calls: int
    quota_left: int  # what the sandbox says is left at the start
    per_hour: float  # the team's share at the start, requests an hour
    burst: float  # the bucket's size at the start
    requests: int = 0
    too_many: int = 0  # 429 answers
    lags: list[float] = field(default_factory=list)  # seconds, completion -> seen, per call
    peak: int = 0  # the most requests in any WINDOW seconds
    slowest_pace: Pace | None = None
    minutes: float = 0.0


def _many_script(
    clock: FakeClock,
    control: httpx.AsyncClient,
    tracker: Tracker,
    company_id: str,
    start: float,
    sync_minute: float,
    completed: dict[str, float],
) -> None:
    def at(minute: float, action: str, confirm: Step | None = None, **params: str) -> None:
        async def move() -> None:
            epoch = await act(control, company_id, action, **params)
            if confirm is not None:
                tracker.confirm(company_id, confirm)
            if action == "complete_sync":
                completed[company_id] = epoch

        clock.call_at(start + minute * 60.0, move)

    at(2, "open_link", Step.OPEN_LINK)
    at(4, "select_platform", platformKey="gbol")
    at(7, "consent", Step.REVIEW_AND_START)
    at(11, "approve")
    at(sync_minute, "complete_sync")


async def _many(base_url: str, clock: FakeClock, result: ManyResult, seed: int) -> None:
    sent: list[float] = []
    counting = False

    async def on_response(response: httpx.Response) -> None:
        if counting:
            sent.append(clock.now())
            result.too_many += response.status_code == 429

    async with (
        httpx.AsyncClient(trust_env=False, event_hooks={"response": [on_response]}) as http,
        httpx.AsyncClient(base_url=base_url, trust_env=False) as control,
    ):
        client = codat(http, base_url)
        ids = [(await client.create_company(f"Many calls {i}")).id for i in range(result.calls)]
        counting = True
        rng = random.Random(seed)
        paces: list[Pace] = []
        # Default settings, but the sandbox is metered as Codat is (a user's sandbox is not).
        settings = TrackerSettings(unmetered_loopback=False)
        tracker = Tracker(
            client,
            clock=clock,
            settings=settings,
            rng=random.Random(seed),
            on_pace=lambda c, p: paces.append(p),
        )
        completed: dict[str, float] = {}
        t0 = clock.now()
        for company_id in ids:
            start = t0 + rng.uniform(0.0, 120.0)
            _many_script(
                clock, control, tracker, company_id, start, rng.uniform(13.0, 17.0), completed
            )
        async with tracker:
            for company_id in ids:
                tracker.track(company_id)
            tracker.focus(ids[-1])  # the agent has the last call opened on screen
            end = t0 + 25 * 60.0
            while tracker.active and clock.now() < end:
                await asyncio.sleep(0)
            states = {c: tracker.state(c) for c in ids}
        result.minutes = (clock.now() - t0) / 60.0
    result.requests = len(sent)
    for company_id in ids:
        state = states[company_id]
        seen = state.step(Step.COMPLETE).seen_at if state is not None else None
        done = completed.get(company_id)
        result.lags.append(math.inf if seen is None or done is None else seen - done)
    result.peak = max(
        (sum(1 for u in sent[i:] if u < t + WINDOW) for i, t in enumerate(sent)), default=0
    )
    quota = [p for p in paces if p.limit is Limit.QUOTA]
    result.slowest_pace = max(quota, key=lambda p: p.interval, default=None)


def _run_many(calls: int, connected: int, seed: int) -> ManyResult:
    clock = FakeClock()
    daily = DAILY_BASE + DAILY_PER_CONNECTED_COMPANY * connected
    to_reset = DAY - clock.now() % DAY  # Codat's quota resets at 00:00 UTC
    left = round(daily * to_reset / DAY)
    share = TrackerSettings().quota_share
    per_hour = share * left / (to_reset / HOUR)
    result = ManyResult(calls, left, per_hour, max(2.0, per_hour / HOUR * 30.0))
    with SandboxServer(
        api_key=API_KEY, clock=clock.now, speed=0.01, seed=seed, faults=f"quota={left}"
    ) as server:
        asyncio.run(_many(server.base_url, clock, result, seed))
    return result


def _print_many(result: ManyResult) -> bool:
    allowed = result.per_hour * WINDOW / HOUR + result.burst
    slowest = max(result.lags)
    seen_ok = slowest <= SEEN_GOAL
    budget_ok = result.too_many == 0 and result.peak <= allowed
    print(
        f"  {result.calls} calls at once (quota left at the start {result.quota_left:,}, "
        f"the team's share {result.per_hour:,.0f} an hour, ran {result.minutes:.1f} min)"
    )
    print(
        row(
            "  slowest completed sync seen after",
            "never" if math.isinf(slowest) else f"{slowest:.0f} s",
            f"<= {SEEN_GOAL:.0f} s",
            verdict(slowest, SEEN_GOAL),
        )
    )
    print(
        row(
            "  median",
            f"{sorted(result.lags)[len(result.lags) // 2]:.0f} s",
            "-",
            "",
        )
    )
    print(
        row(
            f"  most requests in {WINDOW / 60:.0f} min",
            f"{result.peak}",
            f"<= {allowed:.0f}",
            "OK" if result.peak <= allowed else "MISSED",
        )
    )
    print(
        row("  429 answers", f"{result.too_many}", "0", "OK" if result.too_many == 0 else "MISSED")
    )
    print(
        row(
            "  requests in all",
            f"{result.requests}",
            "-",
            f"{result.requests / max(result.calls, 1):.0f} a call",
        )
    )
    pace = result.slowest_pace
    if pace is not None:
        print(
            f"    slowest pace said: checking every {pace.interval:.0f} s (wanted {pace.wanted:.0f} s)"
        )
    else:
        print("    the budget never slowed tracking")
    return seen_ok and budget_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sync-speed", type=float, default=0.1, help="sandbox speed (sync length)")
    parser.add_argument(
        "--calls", default="6,20,50", help="simultaneous calls, comma-separated ('' for none)"
    )
    parser.add_argument(
        "--connected-companies",
        type=int,
        default=250,
        help="the organisation's active connected companies (sets Codat's quota)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--with-latency",
        action="store_true",
        help="then run bench/latency.py with its defaults, so one run shows both sides",
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.calls.split(",") if n.strip()]
    print(
        where_it_ran(
            "a simulated clock (FakeClock) shared by the tracker and the sandbox",
            "many calls: the loopback sandbox metered as Codat (TrackerSettings("
            "unmetered_loopback=False)) with its quota fault set to the organisation's quota left",
        )
    )
    ok = _one_call(args.sync_speed)
    if counts:
        daily = DAILY_BASE + DAILY_PER_CONNECTED_COMPANY * args.connected_companies
        print(
            f"Many calls at once: default settings, an organisation with "
            f"{args.connected_companies} connected companies (Codat quota {daily:,} a day)"
        )
    for calls in counts:
        ok = _print_many(_run_many(calls, args.connected_companies, args.seed)) and ok
    if args.with_latency:
        import latency  # the same settings, measured on the real clock

        print(flush=True)
        ok = latency.main([]) == 0 and ok
    return 0 if ok else 1


def _one_call(sync_speed: float) -> bool:
    clock = FakeClock()
    with (
        SandboxServer(api_key=API_KEY, clock=clock.now, speed=sync_speed, seed=1) as server,
        SandboxServer(api_key=API_KEY, clock=clock.now, speed=sync_speed, seed=1) as naive,
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
    return bool(figures["call_synced"]) and call <= CALL_GOAL and idle <= IDLE_GOAL


if __name__ == "__main__":
    raise SystemExit(main())
