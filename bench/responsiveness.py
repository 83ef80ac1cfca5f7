"""Responsiveness: the Qt event loop while the app follows 100 customers at once.

The call page is built as the app builds it (CallManager, the shared Tracker at the app's fast
interval, one CallView per call, the guides page's viewer) on a qasync loop. The API is the
embedded sandbox run as `linkdesk sandbox` in a process of its own, on loopback, answering every
request after 200 ms: as Codat is, it is somewhere else (the app runs the sandbox in-process only
for practice calls). Scripted customers, in another process, walk through Link at random moments
(seeded) so journeys keep changing: connections appear, link, sync. A 10 ms QTimer heartbeat on
the Qt loop notes each tick; a stall is how much later than 10 ms a tick came.

Two runs, each in a fresh process: the machine as it is, then with a competing process busy on
one core (started and stopped here, bounded in time), as on a laptop that is rarely idle.
Prints the longest stall and the 99th percentile of each beside the goal (longest stall at most
16 ms, one frame at 60 Hz), what the machine was, and what in the environment a user would not
have. The app's garbage collection policy runs as in the app (desktop.app.gc_policy); every
collection is timed (gc.callbacks) and reported per generation, each stall past the goal says
which collection or journey update was inside it, and the process's RSS over the run shows
whether memory levels off. The hourly request budget is lifted for the run, so that the tracker polls at full pace.
Usage: python bench/responsiveness.py [--companies 100] [--seconds 30] [--latency 0.2]
       [--fast 2.0] [--seed 1] [--runs idle,busy] [--plain-guide] [--sample] [--explain-over MS]
       [--theme light|dark]
       [--profile tottime|cumulative]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HEARTBEAT_MS = 10
GOAL_STALL_MS = 16.0
PLATFORMS = ("gbol", "qhyg", "akxx", "trji", "fbrh")
BUSY = "import sys, time\nend = time.monotonic() + float(sys.argv[1])\nwhile time.monotonic() < end:\n    pass\n"
TOLD = {
    "QT_QPA_PLATFORM": "no display on the benchmark machine",
    "LINKDESK_HOME": "a throw-away folder, so the run touches no one's calls",
    "LINKDESK_API_KEY": "the sandbox's key, so the app treats the sandbox as Codat",
}


def drive_customers(base_url: str, companies: list[str], seconds: float, seed: int) -> None:
    """Drive every company's customer through Link, at seeded moments (in its own process)."""
    import httpx
    from _common import API_KEY

    from desktop.sandbox.server import control_headers

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
    start = time.monotonic()
    headers = control_headers(API_KEY)  # the control API needs the sandbox's key
    with httpx.Client(base_url=base_url, headers=headers, trust_env=False, timeout=10.0) as http:
        for at, company, action, extra in plan:
            if at > seconds:
                return
            time.sleep(max(0.0, start + at - time.monotonic()))
            http.post(f"/_sandbox/companies/{company}/journey", json={"action": action, **extra})


@contextmanager
def sandbox_process(api_key: str, latency: float, seed: int) -> Any:
    """`linkdesk sandbox` in a process of its own; yields its base URL; stopped on the way out."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "desktop",
            "sandbox",
            "--api-key",
            api_key,
            "--faults",
            f"latency={latency}",
            "--seed",
            str(seed),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("http"):
            raise SystemExit(f"the sandbox did not start: {url!r}")
        yield url
    finally:
        _stop(proc, 10)


def _stop(proc: subprocess.Popen[Any], timeout: float) -> None:
    """SIGTERM, and SIGKILL if it is still there after ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def competitor(seconds: float) -> Any:
    """A process busy on one core for at most ``seconds``; stopped on the way out."""
    proc = subprocess.Popen([sys.executable, "-c", BUSY, str(seconds)])
    try:
        yield proc
    finally:
        _stop(proc, 5)


async def measure(args: argparse.Namespace, base_url: str, busy: bool) -> dict[str, Any]:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QWidget

    from desktop.app.call_assembly import build_call_parts
    from desktop.app.context import AppContext
    from desktop.core.paths import default_paths
    from desktop.core.settings import Settings

    paths = default_paths().ensure()
    ctx = AppContext(paths, Settings.load(paths), api_base_override=base_url)
    overrides = {"fast_interval": args.fast, "budget_per_hour": 10_000_000}

    def no_viewer() -> QWidget | None:
        return None

    guide_factory = no_viewer if args.plain_guide else None  # None: the app's own
    parts = build_call_parts(ctx, tracker_overrides=overrides, guide_factory=guide_factory)
    parts.workspace.resize(1400, 900)
    parts.workspace.show()
    # The app's garbage collection policy, as desktop.app.root starts it (start-up's objects
    # frozen, here at once; each batch of opened calls frozen once it settles; full collections
    # at idle moments only).
    from desktop.app.gc_policy import start_collection_policy

    policy = start_collection_policy(
        asyncio.get_running_loop().call_later, parts.manager, first_freeze_after=0.0
    )

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
    gate = asyncio.Semaphore(10)

    async def create(i: int) -> Any:
        async with gate:
            return await client.create_company(f"Responsive Customer {i}")

    companies = await asyncio.gather(*(create(i) for i in range(args.companies)))
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

    # Each tick: wall time, and the GUI thread's own CPU time (what the app itself spent; on a
    # busy machine a stall can also be the thread waiting for a core).
    stamps: list[float] = []
    cpu_stamps: list[float] = []
    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(HEARTBEAT_MS)

    def beat() -> None:
        stamps.append(time.perf_counter())
        cpu_stamps.append(time.thread_time())

    heartbeat.timeout.connect(beat)
    # The process's resident memory once a second: bounded if it levels off.
    rss: list[float] = []
    rss_timer = QTimer()
    rss_timer.setInterval(1000)
    rss_timer.timeout.connect(lambda: rss.append(_rss_mib()))
    load_before = os.getloadavg()[0]
    walker = multiprocessing.get_context("spawn").Process(
        target=drive_customers,
        args=(base_url, [c.id for c in companies], args.seconds, args.seed),
        name="customers",
        daemon=True,
    )
    walker.start()
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    sampler = StackSampler() if args.sample else None
    if sampler is not None:
        sampler.start()
    with competitor(args.seconds + 5) if busy else _nothing():
        gc.callbacks.append(gc_watch)
        rss.append(_rss_mib())
        heartbeat.start()
        rss_timer.start()
        await asyncio.sleep(args.seconds)
        heartbeat.stop()
        rss_timer.stop()
        gc.callbacks.remove(gc_watch)
    if profiler is not None:
        profiler.disable()
    if sampler is not None:
        sampler.stop()
    walker.join(timeout=10)
    if walker.is_alive():
        walker.terminate()

    policy.uninstall()
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
        "cpu_stamps": cpu_stamps,
        "load": (load_before, os.getloadavg()[0]),
        "updates": update_seconds,
        "collections": collections,
        "slow_updates": slow_updates,
        "requests": requests,
        "setup": setup,
        "synced": synced,
        "linked": linked,
        "internal_errors": list(parts.tracker.internal_errors),
        "rss": rss,
        "samples": sampler.between if sampler is not None else (lambda _a, _b: []),
        "policy": list(policy.done),
        "frozen": gc.get_freeze_count(),
    }


class StackSampler:
    """Where the GUI thread's Python code is, every millisecond (``--sample``): says what each
    stall was spent on. A thread of its own takes the GIL that often: it slows the loop a little,
    so a run with it measures the app a little worse than it is."""

    def __init__(self) -> None:
        import threading

        self.samples: list[tuple[float, str]] = []
        self._main = threading.main_thread().ident
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stack sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            frame = sys._current_frames().get(self._main or 0)
            where: list[str] = []
            while frame is not None and len(where) < 3:
                name = frame.f_code.co_filename
                if "/desktop/" in name:  # the app's own code, innermost first
                    short = name.rsplit("/desktop/", 1)[1]
                    where.append(f"{short}:{frame.f_code.co_name}:{frame.f_lineno}")
                frame = frame.f_back
            self.samples.append((time.perf_counter(), " < ".join(where) or "Qt (no app code)"))
            time.sleep(0.001)

    def between(self, began: float, end: float) -> list[tuple[int, str]]:
        """The places sampled between two moments, most often first (at most four)."""
        import collections

        counts = collections.Counter(w for t, w in self.samples if began <= t <= end)
        return [(n, w) for w, n in counts.most_common(4)]


def _rss_mib() -> float:
    """This process's resident memory now, in MiB (Linux: /proc/self/statm)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


@contextmanager
def _nothing() -> Any:
    yield None


def one_run(args: argparse.Namespace, busy: bool) -> int:
    """One measurement in this process; prints its figures; 1 if the goal was missed."""
    import qasync
    from _common import API_KEY, percentile, row, verdict
    from PySide6.QtWidgets import QApplication

    from desktop.ui.theme import apply_theme

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)  # a widget application, made here or before
    # Style sheets make widget updates dearer: measure with them. The dark theme also outlines
    # every tick box as Qt polishes it (an event filter on the application).
    apply_theme(app, args.theme)
    with (
        sandbox_process(API_KEY, args.latency, args.seed) as base_url,
        asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner,
    ):
        got = runner.run(measure(args, base_url, busy))
    gc.collect()

    stamps: list[float] = got["stamps"]
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(stamps)]
    stalls = [max(0.0, g - HEARTBEAT_MS) for g in gaps]
    longest = max(stalls, default=float("nan"))
    over = sum(1 for s in stalls if s > GOAL_STALL_MS)
    updates_ms = [s * 1000 for s in got["updates"]]
    work = [(b - a) * 1000 for a, b in itertools.pairwise(got["cpu_stamps"])]
    title = "with a process busy on one core" if busy else "the machine as it was"
    print(f"run: {title} ({args.theme} theme)")
    print(
        row(
            "longest stall",
            f"{longest:.1f} ms",
            f"<= {GOAL_STALL_MS:.0f} ms",
            verdict(longest, GOAL_STALL_MS),
        )
    )
    print(
        row(
            "p99 / p99.9 stall",
            f"{percentile(stalls, 99):.1f} / {percentile(stalls, 99.9):.1f} ms",
            "-",
            "",
        )
    )
    print(row(f"ticks late by more than {GOAL_STALL_MS:.0f} ms", f"{over}", "-", ""))
    print(
        row(
            "GUI thread's CPU between ticks: max",
            f"{max(work, default=float('nan')):.1f} ms",
            "-",
            "",
        )
    )
    print(
        row(
            f"gaps the GUI thread worked > {GOAL_STALL_MS:.0f} ms",
            f"{sum(1 for w in work if w > GOAL_STALL_MS)}",
            "-",
            "",
        )
    )
    print(row("load average before / after", "{:.2f} / {:.2f}".format(*got["load"]), "-", ""))
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
    for generation in (0, 1, 2):
        pauses = [c[1] * 1000 for c in collections if c[2] == generation]
        print(
            row(
                f"GC pauses, generation {generation}: n / max",
                f"{len(pauses)} / {max(pauses, default=0):.1f} ms",
                "-",
                "",
            )
        )
    kinds = {
        k: [d * 1000 for kind, d in got["policy"] if kind == k] for k in ("freeze", "full", "sweep")
    }
    print(
        row(
            "GC policy: freezes / idle full / sweeps",
            " / ".join(f"{len(v)} ({max(v, default=0):.1f} ms)" for v in kinds.values()),
            "-",
            "",
        )
    )
    print(row("objects frozen at the end", f"{got['frozen']}", "-", ""))
    rss = got["rss"]
    if rss:
        marks = [rss[0], rss[len(rss) // 3], rss[2 * len(rss) // 3], rss[-1]]
        print(
            row(
                "RSS at start, 1/3, 2/3, end (MiB)",
                " / ".join(f"{m:.0f}" for m in marks),
                "flat",
                "",
            )
        )
    # The worst stalls past the goal (or --explain-over), and whether a collection or a slow
    # update was inside them.
    late = [(b, (b - a) * 1000 - HEARTBEAT_MS) for a, b in itertools.pairwise(stamps)]
    worst = sorted((s for s in late if s[1] > args.explain_over), key=lambda s: -s[1])[:8]
    for end, stall in sorted(worst):
        began = end - (stall + HEARTBEAT_MS) / 1000
        inside = [c for c in collections if began <= c[0] <= end]
        updates = [u for u in got["slow_updates"] if began <= u[0] <= end]
        reasons = [f"GC gen {c[2]} {c[1] * 1000:.1f} ms" for c in inside]
        reasons += [f"update of a {u[2]} {u[1] * 1000:.1f} ms" for u in updates]
        i = stamps.index(end)
        reasons.append(f"GUI thread's CPU {work[i - 1]:.1f} ms")
        print(f"    stall of {stall:.1f} ms at {end - stamps[0]:.2f} s ({'; '.join(reasons)})")
        for count, where in got["samples"](began, end):
            print(f"        {count} ms in {where}")
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
    return 0 if longest <= GOAL_STALL_MS else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--latency", type=float, default=0.2, help="sandbox answer delay (s)")
    parser.add_argument("--fast", type=float, default=2.0, help="fast poll interval (s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", default="idle,busy", help="idle, busy or both (idle,busy)")
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    parser.add_argument(
        "--explain-over",
        type=float,
        default=GOAL_STALL_MS,
        help="say what was inside each stall longer than this (ms; default the goal)",
    )
    parser.add_argument("--only", choices=("idle", "busy"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--plain-guide",
        action="store_true",
        help="the journey view's plain guide text instead of the guides page's viewer",
    )
    parser.add_argument(
        "--sample",
        action="store_true",
        help="sample the GUI thread's stack each ms and say where each stall went (slows it)",
    )
    parser.add_argument(
        "--profile",
        choices=("tottime", "cumulative"),
        help="print where the loop's time goes, sorted this way",
    )
    args = parser.parse_args()
    if args.only:
        return one_run(args, busy=args.only == "busy")

    from _common import where_it_ran

    env = {
        **os.environ,
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "LINKDESK_HOME": tempfile.mkdtemp(prefix="linkdesk-bench-resp-"),
        "LINKDESK_API_KEY": "linkdesk-bench",
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
    }
    env.pop("PYTHON_KEYRING_BACKEND", None)  # the key comes from LINKDESK_API_KEY: no keyring
    print(
        f"Responsiveness of the Qt loop: {args.companies} companies followed at once, "
        f"sandbox (own process) answering in {args.latency * 1000:.0f} ms, fast interval "
        f"{args.fast:g} s, {HEARTBEAT_MS} ms heartbeat for {args.seconds:g} s per run"
    )
    print(
        where_it_ran(
            *(f"{name}: {why}" for name, why in TOLD.items()),
            "PYTHONPATH: the checkout, for the benchmark's own imports",
            "the hourly request budget lifted (the tracker polls at full pace)",
            environ=env,
        )
    )
    sys.stdout.flush()
    status = 0
    passthrough = [a for a in sys.argv[1:] if not a.startswith("--runs")]
    if "--runs" in sys.argv[1:]:
        i = sys.argv.index("--runs")
        passthrough = sys.argv[1:i] + sys.argv[i + 2 :]
    for run in [r.strip() for r in args.runs.split(",") if r.strip()]:
        child = subprocess.run(
            [sys.executable, __file__, *passthrough, "--only", run], env=env, check=False
        )
        status |= child.returncode
    return status


if __name__ == "__main__":
    raise SystemExit(main())
