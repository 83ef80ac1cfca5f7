"""Hub latency: from a change on the sandbox to the desktop's observation of it, through the hub.

Sandbox -> signed webhook -> hub -> JetStream -> the desktop's HubFeed -> a targeted read -> the
journey. Scripted customers walk through Link with their moves at random moments (seeded); for
every change the API shows (the connection appears, it becomes Linked, the first sync completes)
the latency is the tracker's observation time minus the server's time of the change. The same run
measures polling alone (fast interval 2 s) on fewer journeys, for comparison.
Goals: median <= 150 ms, p99 <= 500 ms through the hub.
Usage: python bench/hub_latency.py [--journeys 40] [--rounds 2] [--polling-journeys 20] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

import httpx
from _common import (
    CHANGES,
    codat,
    latencies,
    median,
    milestone_observer,
    percentile,
    row,
    verdict,
    walk_customers,
)
from _hub import chain, where

from desktop.core.clock import SystemClock
from desktop.core.live import HubFeed, LiveTracking
from desktop.core.tracker import Tracker, TrackerSettings

MEDIAN_GOAL = 0.150
P99_GOAL = 0.500


async def _round(
    base_url: str, nats_url: str | None, journeys: int, rng: random.Random
) -> tuple[dict[str, list[float]], int]:
    seen: dict[tuple[str, str], float] = {}
    changed: dict[tuple[str, str], float] = {}

    observe = milestone_observer(seen)

    settings = TrackerSettings(
        fast_interval=2.0, budget_per_hour=10_000_000, concurrency=32, stagger=0.02
    )
    async with (
        httpx.AsyncClient(trust_env=False, limits=httpx.Limits(max_connections=64)) as http,
        httpx.AsyncClient(base_url=base_url, trust_env=False) as control,
    ):
        client = codat(http, base_url)
        companies = [(await client.create_company(f"Hub latency {i}")).id for i in range(journeys)]
        tracker = Tracker(
            client,
            clock=SystemClock(),
            settings=settings,
            rng=random.Random(rng.random()),
            on_update=observe,
        )
        live = None
        if nats_url is not None:
            feed = HubFeed(nats_url, on_event=lambda event: None)
            live = LiveTracking(tracker, feed)
            feed.start()
        async with tracker:
            for company_id in companies:
                tracker.track(company_id)
                if live is not None:
                    live.follow(company_id, since=time.time())
            await asyncio.sleep(1.5)  # every company has had its first look; the feed is live
            await walk_customers(
                control, tracker, companies, rng, changed, seen, longest_pause=4.0, wait=15
            )
            requests = tracker.requests
        if live is not None:
            await live.aclose()
    return latencies(changed, seen), requests


def _report(title: str, samples: dict[str, list[float]], goals: bool) -> tuple[float, float]:
    every = [v for values in samples.values() for v in values]
    med, p99 = median(every), percentile(every, 99)
    print(title)
    if goals:
        print(row("median", f"{med * 1000:.0f} ms", "<= 150 ms", verdict(med, MEDIAN_GOAL)))
        print(row("p99", f"{p99 * 1000:.0f} ms", "<= 500 ms", verdict(p99, P99_GOAL)))
    else:
        print(row("median", f"{med * 1000:.0f} ms", "(about 900 ms)", ""))
        print(row("p99", f"{p99 * 1000:.0f} ms", "-", ""))
    for name in CHANGES:
        values = samples[name]
        print(
            row(
                f"  {name} (n={len(values)})",
                f"{median(values) * 1000:.0f} / {percentile(values, 99) * 1000:.0f} ms",
                "median / p99",
                "",
            )
        )
    return med, p99


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--polling-journeys", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    live: dict[str, list[float]] = {name: [] for name in CHANGES}
    polling: dict[str, list[float]] = {name: [] for name in CHANGES}
    live_requests = polling_requests = 0
    with chain(seed=args.seed) as bench:
        for _ in range(args.rounds):
            got, used = asyncio.run(
                _round(bench.sandbox.base_url, bench.nats.url, args.journeys, rng)
            )
            live_requests += used
            for name, values in got.items():
                live[name].extend(values)
        got, polling_requests = asyncio.run(
            _round(bench.sandbox.base_url, None, args.polling_journeys, rng)
        )
        for name, values in got.items():
            polling[name].extend(values)
    print(f"Hub latency: change on the sandbox -> desktop observation ({where()})")
    med, p99 = _report(
        f"through the hub ({args.rounds} rounds x {args.journeys} journeys, "
        f"{live_requests} API requests)",
        live,
        True,
    )
    _report(
        f"polling alone, same run ({args.polling_journeys} journeys, fast interval 2 s, "
        f"{polling_requests} API requests)",
        polling,
        False,
    )
    return 0 if med <= MEDIAN_GOAL and p99 <= P99_GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
