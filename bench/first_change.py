"""First visible change: from the tracker's observation to the call page's repaint.

The customer picks their software in Link; the tracker sees the new connection (PendingAuth). This
measures, in the app's own call page (the main window at its default size, the real guide viewer,
the qasync loop, the embedded sandbox answering at once), how long after the tracker hands that
observation to the call layer the agent sees it painted: the journey's step 2 row drawn as done,
and the guide's current card drawn. Each trial is a new call; prints the median and the worst
beside the goal (100 ms) and where it ran.
Usage: python bench/first_change.py [--trials 8] [--fast 0.5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ["LINKDESK_HOME"] = tempfile.mkdtemp(prefix="linkdesk-bench-first-")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

from _common import API_KEY, act, row, verdict

os.environ["LINKDESK_API_KEY"] = API_KEY

GOAL_MS = 100.0
# The guide whose current card is awaited, and when that card was first painted.
CARD_WATCH: dict[str, Any] = {"guide": None, "painted": None}


def watch_cards() -> None:
    """Note the first paint of the awaited guide's current card (StepCard.paintEvent wrapped for
    the run; an application-wide event filter would slow every event down, and the figure)."""
    from PySide6.QtWidgets import QFrame

    from desktop.ui.guides.viewer import StepCard

    def paint(card: Any, event: Any) -> None:
        QFrame.paintEvent(card, event)
        guide = CARD_WATCH["guide"]
        if (
            CARD_WATCH["painted"] is None
            and guide is not None
            and card.is_current()
            and guide.isAncestorOf(card)
        ):
            CARD_WATCH["painted"] = time.perf_counter()

    StepCard.paintEvent = paint  # type: ignore[method-assign]


TIMEOUT_S = 20.0


class PaintWatch:
    """Notes when a widget is painted while ``ready()`` holds (its new content is on screen)."""

    def __init__(self) -> None:
        from PySide6.QtCore import QEvent, QObject

        watch = self

        class Filter(QObject):
            def eventFilter(self, obj: Any, event: Any) -> bool:
                if (
                    watch.painted is None
                    and watch.ready is not None
                    and event.type() == QEvent.Type.Paint
                    and watch.ready()
                ):
                    watch.painted = time.perf_counter()
                return False

        self.filter = Filter()
        self.ready: Any = None
        self.painted: float | None = None

    def watch(self, widget: Any, ready: Any) -> None:
        self.painted = None
        self.ready = ready
        widget.installEventFilter(self.filter)


async def trial(parts: Any, window: Any, control: Any, client: Any, n: int) -> tuple[float, float]:
    from desktop.core.journey import Step
    from desktop.ui.guides.viewer import GuideViewer

    company = await client.create_company(f"First Change {n}")
    session = parts.manager.open_call(company.id, company.name, company.redirect)
    parts.workspace.show_call(session.call_id)
    window.show_page("call")
    await asyncio.sleep(0.3)  # the page is on screen before the customer moves
    view = parts.workspace.views[session.call_id]
    title = view.journey.rows[Step.CHOOSE_SOFTWARE]["title"]
    row_watch = PaintWatch()
    row_watch.watch(title, lambda: title.accessibleDescription() == "done")
    guide = view.journey.guide
    assert isinstance(guide, GuideViewer)

    CARD_WATCH["guide"] = guide
    CARD_WATCH["painted"] = None
    observed: list[float] = []
    on_update = parts.manager.on_update

    def timed(company_id: str, state: Any, events: Any) -> None:
        if company_id == company.id and state.platform is not None and not observed:
            observed.append(time.perf_counter())
        began = time.perf_counter()
        if os.environ.get("FIRST_CHANGE_PROFILE"):
            import cProfile
            import pstats

            with cProfile.Profile() as profile:
                on_update(company_id, state, events)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        else:
            on_update(company_id, state, events)
        if os.environ.get("FIRST_CHANGE_DEBUG"):
            print(
                f"  update at {began * 1000 % 100000:.0f} took "
                f"{(time.perf_counter() - began) * 1000:.1f} ms",
                file=sys.stderr,
            )

    parts.tracker.on_update = timed
    await act(control, company.id, "open_link")
    await act(control, company.id, "select_platform", platformKey="qhyg")
    deadline = time.monotonic() + TIMEOUT_S
    while (row_watch.painted is None or CARD_WATCH["painted"] is None) and (
        time.monotonic() < deadline
    ):
        await asyncio.sleep(0.005)
    parts.tracker.on_update = on_update
    card_painted: float | None = CARD_WATCH["painted"]
    if not observed or row_watch.painted is None or card_painted is None:
        raise RuntimeError(
            f"trial {n}: the change was not seen and painted in {TIMEOUT_S:g} s "
            f"(observed {bool(observed)}, row {row_watch.painted}, guide {card_painted}, "
            f"step 2 {title.accessibleDescription()!r}, guide step {guide.current_step}, "
            f"cards {len(guide.step_cards)})"
        )
    return (row_watch.painted - observed[0]) * 1000, (card_painted - observed[0]) * 1000


async def measure(args: argparse.Namespace, base_url: str) -> tuple[list[float], list[float]]:
    import httpx

    from desktop.app.call_assembly import build_call_parts
    from desktop.app.context import AppContext
    from desktop.core.paths import default_paths
    from desktop.core.settings import Settings
    from desktop.ui.main_window import MainWindow

    watch_cards()
    paths = default_paths().ensure()
    ctx = AppContext(paths, Settings.load(paths), api_base_override=base_url)
    parts = build_call_parts(
        ctx, tracker_overrides={"fast_interval": args.fast, "medium_interval": args.fast}
    )
    window = MainWindow()
    window.set_page("call", parts.workspace)
    window.resize(1180, 760)
    window.show()
    client = await ctx.codat()
    rows: list[float] = []
    guides: list[float] = []
    async with httpx.AsyncClient(base_url=base_url, trust_env=False) as control:
        for n in range(args.trials):
            row_ms, guide_ms = await trial(parts, window, control, client, n)
            rows.append(row_ms)
            guides.append(guide_ms)
    parts.workspace.save_all_notes()
    await parts.tracker.aclose()
    parts.store.close()
    await ctx.aclose()
    window.close()
    return rows, guides


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--fast", type=float, default=0.5, help="poll interval (s)")
    args = parser.parse_args()

    import qasync
    from PySide6 import __version__ as pyside_version
    from PySide6.QtWidgets import QApplication

    from desktop.sandbox.server import SandboxServer
    from desktop.ui.theme import apply_theme

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)  # a widget application, made here or before
    apply_theme(app, "light")
    with (
        SandboxServer(api_key=API_KEY) as server,
        asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner,
    ):
        rows, guides = runner.run(measure(args, server.base_url))
    worst = max(max(rows), max(guides))
    print(
        f"First visible change: tracker observation -> repaint, {args.trials} calls; ran on "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, PySide6 {pyside_version}, "
        f"QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM')}"
    )
    print(
        row(
            "step 2 row: median / worst",
            f"{statistics.median(rows):.1f} / {max(rows):.1f} ms",
            f"<= {GOAL_MS:.0f} ms",
            verdict(max(rows), GOAL_MS),
        )
    )
    print(
        row(
            "guide's current card: median / worst",
            f"{statistics.median(guides):.1f} / {max(guides):.1f} ms",
            f"<= {GOAL_MS:.0f} ms",
            verdict(max(guides), GOAL_MS),
        )
    )
    print(row("each call, step 2 row (ms)", " ".join(f"{v:.0f}" for v in rows), "-", ""))
    print(row("each call, guide card (ms)", " ".join(f"{v:.0f}" for v in guides), "-", ""))
    return 0 if worst <= GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
