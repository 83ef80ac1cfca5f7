"""Responsiveness: the Qt event loop while the app follows 50 customers at once.

The call page is built as the app builds it (CallManager, the shared Tracker at the app's fast
interval, one CallView per call) on a qasync loop, against a SandboxServer that answers every API
request after 200 ms (its own thread, as in the app). Scripted customers, on a thread of their
own, walk through Link at random moments (seeded) so journeys keep changing: connections appear,
link, sync. A 10 ms QTimer heartbeat on the Qt loop notes each tick; a stall is how much later than
10 ms a tick came. Prints the longest stall and the 99th percentile beside the goal (longest stall
at most 20 ms), and what the loop spent its time on in journey updates.
The hourly request budget is lifted for the run, so that the tracker polls at full pace.
Usage: python bench/responsiveness.py [--companies 50] [--seconds 30] [--latency 0.2]
       [--fast 2.0] [--seed 1] [--plain-guide] [--profile tottime|cumulative]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import os
import random
import sys
import tempfile
import threading
import time
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ["LINKDESK_HOME"] = tempfile.mkdtemp(prefix="linkdesk-bench-resp-")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

import httpx
from _common import API_KEY, percentile, row, verdict

os.environ["LINKDESK_API_KEY"] = API_KEY  # the sandbox is used as Codat would be

HEARTBEAT_MS = 10
GOAL_STALL_MS = 20.0
PLATFORMS = ("gbol", "qhyg", "akxx", "trji", "fbrh")


def customers(
    base_url: str, companies: list[str], seconds: float, seed: int, stop: threading.Event
) -> threading.Thread:
    """Drive every company's customer through Link from another thread, at seeded moments."""
    rng = random.Random(seed)
    plan: list[tuple[float, str, str, dict[str, Any]]] = []
    for company in companies:
        t = rng.uniform(0.5, seconds * 0.2)
        plan.append((t, company, "open_link", {}))
        t += rng.uniform(1.0, seconds * 0.2)
        plan.append((t, company, "select_platform", {"platformKey": rng.choice(PLATFORMS)}))
        t += rng.uniform(1.0, 4.0)
        plan.append((t, company, "consent", {}))
        t += rng.uniform(1.0, seconds * 0.2)
        if rng.random() < 0.1:
            plan.append((t, company, "fail", {"reason": "The customer closed the sign-in window"}))
            continue
        plan.append((t, company, "approve", {}))
        t += rng.uniform(seconds * 0.1, seconds * 0.4)
        plan.append((t, company, "complete_sync", {}))
    plan.sort(key=lambda p: p[0])

    def run() -> None:
        start = time.monotonic()
        with httpx.Client(base_url=base_url, trust_env=False, timeout=10.0) as http:
            for at, company, action, extra in plan:
                if at > seconds:
                    return
                if stop.wait(max(0.0, start + at - time.monotonic())):
                    return
                http.post(
                    f"/_sandbox/companies/{company}/journey", json={"action": action, **extra}
                )

    thread = threading.Thread(target=run, name="customers", daemon=True)
    thread.start()
    return thread


async def measure(args: argparse.Namespace, base_url: str) -> dict[str, Any]:
    from PySide6.QtCore import Qt, QTimer

    from desktop.app.call_assembly import build_call_parts
    from desktop.app.context import AppContext
    from desktop.core.paths import default_paths
    from desktop.core.settings import Settings

    paths = default_paths().ensure()
    ctx = AppContext(paths, Settings.load(paths), api_base_override=base_url)
    overrides = {"fast_interval": args.fast, "budget_per_hour": 10_000_000}
    plain = {"guide_factory": lambda: None} if args.plain_guide else {}
    parts = build_call_parts(ctx, tracker_overrides=overrides, **plain)
    parts.workspace.resize(1400, 900)
    parts.workspace.show()

    # What the journey updates cost the loop, as the tracker hands them to the manager.
    update_seconds: list[float] = []
    slow_updates: list[tuple[float, float, str]] = []  # (end, seconds, what)
    on_update = parts.manager.on_update

    def timed_update(company_id: str, state: Any, events: Any) -> None:
        began = time.perf_counter()
        on_update(company_id, state, events)
        end = time.perf_counter()
        update_seconds.append(end - began)
        if end - began > 0.005:
            view = parts.workspace.current_view()
            where = "shown" if view and view.session.company_id == company_id else "background"
            kinds = ",".join(sorted({e.kind.value for e in events}))
            slow_updates.append((end, end - began, f"{where} call: {kinds}"))

    parts.tracker.on_update = timed_update

    client = await ctx.codat()
    setup_began = time.perf_counter()
    companies = [
        (await client.create_company(f"Responsive Customer {i}")) for i in range(args.companies)
    ]
    for company in companies:
        session = parts.manager.open_call(company.id, company.name, company.redirect)
    parts.workspace.show_call(session.call_id)
    setup = time.perf_counter() - setup_began

    # Garbage collection pauses the loop too; note each one to tell its stalls apart.
    collections: list[tuple[float, float, int]] = []  # (end, seconds, generation)
    gc_began = [0.0]

    def gc_watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_began[0] = time.perf_counter()
        else:
            now = time.perf_counter()
            collections.append((now, now - gc_began[0], info["generation"]))

    stamps: list[float] = []
    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(lambda: stamps.append(time.perf_counter()))
    stop = threading.Event()
    walker = customers(base_url, [c.id for c in companies], args.seconds, args.seed, stop)
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    gc.callbacks.append(gc_watch)
    heartbeat.start()
    await asyncio.sleep(args.seconds)
    heartbeat.stop()
    gc.callbacks.remove(gc_watch)
    if profiler is not None:
        profiler.disable()
    stop.set()
    walker.join()

    requests = parts.tracker.requests
    synced = sum(1 for s in parts.manager.sessions.values() if s.state.synced)
    linked = sum(1 for s in parts.manager.sessions.values() if s.state.linked)
    parts.workspace.save_all_notes()
    await parts.tracker.aclose()
    parts.store.close()
    await ctx.aclose()
    parts.workspace.close()
    if profiler is not None:
        import pstats

        pstats.Stats(profiler).sort_stats(args.profile).print_stats(30)
    return {
        "stamps": stamps,
        "updates": update_seconds,
        "collections": collections,
        "slow_updates": slow_updates,
        "requests": requests,
        "setup": setup,
        "synced": synced,
        "linked": linked,
        "internal_errors": list(parts.tracker.internal_errors),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--latency", type=float, default=0.2, help="sandbox answer delay (s)")
    parser.add_argument("--fast", type=float, default=2.0, help="fast poll interval (s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--plain-guide",
        action="store_true",
        help="the journey view's plain guide text instead of the guides page's viewer",
    )
    parser.add_argument(
        "--profile",
        choices=("tottime", "cumulative"),
        help="print where the loop's time goes, sorted this way",
    )
    args = parser.parse_args()

    import qasync
    from PySide6.QtWidgets import QApplication

    from desktop.sandbox.server import SandboxServer
    from desktop.ui.theme import apply_theme

    app = QApplication.instance() or QApplication([sys.argv[0]])
    apply_theme(app, "light")  # style sheets make widget updates dearer: measure with them
    with (
        SandboxServer(api_key=API_KEY, latency=args.latency, seed=args.seed) as server,
        asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner,
    ):
        got = runner.run(measure(args, server.base_url))
    gc.collect()

    stamps: list[float] = got["stamps"]
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(stamps)]
    stalls = [max(0.0, g - HEARTBEAT_MS) for g in gaps]
    longest = max(stalls, default=float("nan"))
    p99 = percentile(stalls, 99)
    over = sum(1 for s in stalls if s > GOAL_STALL_MS)
    updates_ms = [s * 1000 for s in got["updates"]]
    print(
        f"Responsiveness of the Qt loop: {args.companies} companies followed at once, "
        f"sandbox answering in {args.latency * 1000:.0f} ms, fast interval {args.fast:g} s, "
        f"{HEARTBEAT_MS} ms heartbeat for {args.seconds:g} s"
    )
    print(
        row(
            "longest stall",
            f"{longest:.1f} ms",
            f"<= {GOAL_STALL_MS:.0f} ms",
            verdict(longest, GOAL_STALL_MS),
        )
    )
    print(row("p99 stall", f"{p99:.1f} ms", "-", ""))
    print(row("ticks late by more than 20 ms", f"{over}", "-", ""))
    print(
        row("heartbeat ticks", f"{len(stamps)}", f"~{int(args.seconds * 1000 / HEARTBEAT_MS)}", "")
    )
    print(
        row(
            "API requests (per second)",
            f"{got['requests']} ({got['requests'] / args.seconds:.1f})",
            "-",
            "",
        )
    )
    print(
        row(
            "journey updates: n / p99 / max",
            f"{len(updates_ms)} / {percentile(updates_ms, 99):.1f} / {max(updates_ms, default=0):.1f} ms",
            "-",
            "",
        )
    )
    collections = got["collections"]
    full = [c for c in collections if c[2] == 2]
    print(
        row(
            "GC runs (full) / longest pause",
            f"{len(collections)} ({len(full)}) / {max((c[1] for c in collections), default=0) * 1000:.1f} ms",
            "-",
            "",
        )
    )
    # Which stalls past the goal had a garbage collection inside them.
    late = [(b, (b - a) * 1000 - HEARTBEAT_MS) for a, b in itertools.pairwise(stamps)]
    for end, stall in late:
        if stall > GOAL_STALL_MS:
            inside = [c for c in collections if end - (stall + HEARTBEAT_MS) / 1000 <= c[0] <= end]
            updates = [
                u for u in got["slow_updates"] if end - (stall + HEARTBEAT_MS) / 1000 <= u[0] <= end
            ]
            reasons = [f"GC gen {c[2]} {c[1] * 1000:.1f} ms" for c in inside]
            reasons += [f"update of a {u[2]} {u[1] * 1000:.1f} ms" for u in updates]
            why = "; ".join(reasons) or "no GC, no slow journey update"
            print(f"    stall of {stall:.1f} ms at {end - stamps[0]:.2f} s ({why})")
    print(row("journeys linked / first sync done", f"{got['linked']} / {got['synced']}", "-", ""))
    print(
        row(
            f"setup ({args.companies} companies created, calls opened)",
            f"{got['setup']:.2f} s",
            "not measured",
            "",
        )
    )
    if got["internal_errors"]:
        print(f"  tracker internal errors: {got['internal_errors']!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
