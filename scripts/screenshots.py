"""Screenshots for the README, made offscreen with QWidget.grab(): `make screenshots`.

Each shot is made in a fresh LINKDESK_HOME, so nothing of the user's own data shows.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LINKDESK_HOME", tempfile.mkdtemp(prefix="linkdesk-shots-"))
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication, QDialog, QWidget

from desktop.core.settings import DEFAULT_INVITATION
from desktop.ui.theme import apply_theme

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow

Shot = Callable[[QApplication], QWidget]


def main_window(app: QApplication) -> MainWindow:
    from desktop.ui.main_window import MainWindow

    window = MainWindow()
    window.set_target("Embedded sandbox (http://127.0.0.1:52817)", "default")
    window.set_page("guides", _guides_page())
    return window


def _guides_page() -> QWidget:
    from desktop.core.guides import builtin_guides_dir, load_library
    from desktop.ui.guides.page import GuidesPage

    page = GuidesPage(load_library(builtin_guides_dir()))
    page.build_side_pane()  # as the app does right after its first frame
    return page


def guide_viewer(app: QApplication) -> QWidget:
    """NetSuite's guide at step 4, as the live call opens it when the customer signs in."""
    from desktop.ui.guides.page import GuidesPage

    window = main_window(app)
    page = window.pages["guides"]
    assert isinstance(page, GuidesPage)
    page.open_platform("akxx", 4)
    return window


def _call_page(stage: str, other: str | None = "guide_open") -> QWidget:
    """The main window on the Call page at the default window size, as the agent sees it: the
    navigation, the open calls, and the call brought to ``stage`` (see tests/ui/call_stages.py)."""
    from desktop.ui.main_window import MainWindow
    from tests.ui.call_stages import bring_to
    from tests.ui.call_workspace_kit import make_kit

    kit = make_kit(None, Path(tempfile.mkdtemp(prefix="linkdesk-shots-call-")), real_guide=True)
    kit.workspace._template = lambda: DEFAULT_INVITATION
    window = MainWindow()
    window.set_target("Embedded sandbox (http://127.0.0.1:52817)", "default")
    window.set_page("guides", _guides_page())
    window.set_page("call", kit.workspace)
    window.show_page("call")
    window.resize(1180, 760)
    window.show()
    from desktop.core.calls.outcome import Outcome

    ended = kit.open_call("Riverside Florists", "c0ffee00-0000-4000-8000-000000000008")
    bring_to(kit, ended, "syncing")
    kit.workspace.end_call(ended.call_id, Outcome("synced"))
    kit.workspace.finish_ending()  # listed under Recent calls
    if other is not None:
        behind = kit.open_call("Corner Shop Supplies", "c0ffee00-0000-4000-8000-000000000007")
        bring_to(kit, behind, other)
    session = kit.open_call("Harbour Bakery Ltd")
    session.notes = "Jo (finance lead) is the QuickBooks admin. Wants invoices first."
    kit.workspace.views[session.call_id].notes.set_notes(session.notes)
    bring_to(kit, session, stage)
    kit.workspace.show_call(session.call_id)
    window.set_calls_open(len(kit.manager.sessions))  # as ShellWiring tells it in the app
    for _ in range(10):
        QApplication.processEvents()
    window._kit = kit  # type: ignore[attr-defined]  # kept alive with the window
    return window


def call_workspace(app: QApplication) -> QWidget:
    """A call mid-journey: QuickBooks Online linked, the first sync running, its guide card."""
    return _call_page("syncing")


def call_guide_open(app: QApplication) -> QWidget:
    """The customer has picked their software: step 3 to confirm, the guide at that step."""
    return _call_page("guide_open", other="link_sent")


def call_problem(app: QApplication) -> QWidget:
    """NetSuite without Token-based Authentication: the Problem box and the guide's fix."""
    return _call_page("problem")


def call_start(app: QApplication) -> QWidget:
    """Start a call: find the company or create it, side by side."""
    from desktop.ui.main_window import MainWindow
    from tests.ui.call_workspace_kit import make_kit

    kit = make_kit(None, Path(tempfile.mkdtemp(prefix="linkdesk-shots-start-")))
    window = MainWindow()
    window.set_target("Embedded sandbox (http://127.0.0.1:52817)", "default")
    window.set_page("call", kit.workspace)
    window.show_page("call")
    window.resize(1180, 760)
    kit.workspace.show_start()
    window._kit = kit  # type: ignore[attr-defined]
    return window


def practice_call(app: QApplication) -> QWidget:
    """The practice-call dialog with the scenarios the embedded sandbox offers."""
    import httpx

    from desktop.core.practice import scenarios_from_json
    from desktop.sandbox.server import SandboxServer
    from desktop.ui.practice_dialog import PracticeDialog

    with SandboxServer() as server, httpx.Client(trust_env=False) as http:
        http.headers.update(server.control_headers())
        scenarios = scenarios_from_json(http.get(f"{server.base_url}/_sandbox/scenarios").json())
    dialog = PracticeDialog(scenarios)
    dialog.resize(720, 330)
    return dialog


def reports_page(app: QApplication) -> QWidget:
    """The Reports page over 600 generated calls (bench/stats.py's generator), Platforms tab."""
    import asyncio

    from desktop.core.stats.service import StatsService
    from desktop.ui.reports import ReportsPage

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import stats as bench_stats

    database = Path(tempfile.mkdtemp(prefix="linkdesk-reports-")) / "calls.sqlite3"
    bench_stats.generate(database, 600)
    # No event loop here: each question runs to its end at once.
    page = ReportsPage(StatsService(database), lambda coro, name: asyncio.run(coro))
    page.resize(1366, 700)
    page.show()
    page.tabs.setCurrentIndex(3)
    page._row_activated("platforms", 6)  # as a click on QuickBooks Desktop's bar does
    return page


SHOTS: dict[str, tuple[Shot, str]] = {
    "main-window-light": (main_window, "light"),
    "main-window-dark": (main_window, "dark"),
    "call-workspace": (call_workspace, "light"),
    "call-guide-open": (call_guide_open, "light"),
    "call-problem": (call_problem, "dark"),
    "call-start": (call_start, "light"),
    "practice-call": (practice_call, "light"),
    "guide-viewer-light": (guide_viewer, "light"),
    "guide-viewer-dark": (guide_viewer, "dark"),
    "reports-page": (reports_page, "light"),
}


def grab(app: QApplication, widget: QWidget, path: Path) -> None:
    if not isinstance(widget, QDialog):  # a dialog is shown at its own size
        widget.resize(1180, 760)  # the default window size (desktop.ui.main_window.default_size)
    widget.show()
    for _ in range(5):
        app.processEvents()
    widget.grab().save(str(path))
    widget.close()
    print(f"wrote {path}")


def run(out: Path, only: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    for name, (make, theme) in SHOTS.items():
        if only and name not in only:
            continue
        apply_theme(app, theme)
        grab(app, make(app), out / f"{name}.png")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Make the README's screenshots offscreen.")
    parser.add_argument("out", nargs="?", default="docs/screenshots", help="folder to write to")
    parser.add_argument("only", nargs="*", help=f"shots to make (default all): {', '.join(SHOTS)}")
    args = parser.parse_args()
    unknown = sorted(set(args.only) - set(SHOTS))
    if unknown:
        parser.error(f"no such shot: {', '.join(unknown)}")
    run(Path(args.out), list(args.only))
