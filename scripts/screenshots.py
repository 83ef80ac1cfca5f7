"""Screenshots for the README, made offscreen with QWidget.grab(): `make screenshots`.

Each shot is made in a fresh LINKDESK_HOME, so nothing of the user's own data shows.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LINKDESK_HOME", tempfile.mkdtemp(prefix="linkdesk-shots-"))
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication, QDialog, QWidget

from desktop.ui.theme import apply_theme

Shot = Callable[[QApplication], QWidget]


def main_window(app: QApplication) -> QWidget:
    from desktop.ui.main_window import MainWindow

    window = MainWindow()
    window.set_target("Embedded sandbox (http://127.0.0.1:52817)", "default")
    window.set_page("guides", _guides_page())
    return window


def _guides_page() -> QWidget:
    from desktop.core.guides import builtin_guides_dir, load_library
    from desktop.ui.guides.page import GuidesPage

    return GuidesPage(load_library(builtin_guides_dir()))


def guide_viewer(app: QApplication) -> QWidget:
    """NetSuite's guide at step 4, as the live call opens it when the customer signs in."""
    window = main_window(app)
    page = window.pages["guides"]
    page.open_platform("akxx", 4)  # type: ignore[attr-defined]
    return window


def call_workspace(app: QApplication) -> QWidget:
    """A call mid-journey: link opened (confirmed), QuickBooks Online linked, first sync running."""
    from desktop.core.calls.session import CallSession
    from desktop.core.clock import FakeClock
    from desktop.core.guides.library import builtin_guides_dir, load_library
    from desktop.core.journey import AgentConfirmed, Step, apply
    from desktop.ui.call.call_view import CallView
    from tests.unit.journey_builders import connection, conns, data_status, pull, pulls, status

    class _Memory:
        def open_call(self, *a: object) -> int:
            return 1

        def add_event(self, *a: object, **k: object) -> None: ...

        def set_tick(self, *a: object, **k: object) -> None: ...

        def save_notes(self, *a: object) -> None: ...

    clock = FakeClock(1_750_000_000.0)
    t0 = clock.now()
    session = CallSession(
        call_id=1,
        company_id="c0ffee00-0000-4000-8000-000000000001",
        company_name="Harbour Bakery Ltd",
        link_url="https://link.codat.io/company/c0ffee00-0000-4000-8000-000000000001",
        store=_Memory(),
        clock=clock,
    )
    cid = "7b8e7482-0000-4000-8000-000000000002"
    qbo = {"key": "qhyg", "name": "QuickBooks Online"}
    steps = [
        AgentConfirmed(t0 + 40, Step.OPEN_LINK),
        conns(t0 + 95, connection(cid, "PendingAuth", t0 + 90, **qbo)),
        conns(t0 + 260, connection(cid, "Linked", t0 + 90, **qbo)),
        data_status(
            t0 + 300,
            status("invoices", "Fetching", sync_id="p1"),
            status("customers", "Complete", sync_id="p2", last=t0 + 295),
            status("bills", "Queued", sync_id="p3"),
        ),
        pulls(
            t0 + 302,
            pull("p1", cid, "invoices", "Fetching", t0 + 262, progress=55),
            pull("p2", cid, "customers", "Complete", t0 + 262, progress=100),
            pull("p3", cid, "bills", "Queued", t0 + 262),
        ),
    ]
    state = session.state
    for obs in steps:
        state, events = apply(state, obs)
        session.on_update(state, events)
    session.ticks = {"link": True, "admin": True}
    session.notes = "Jo (finance lead) is the QBO admin. Wants invoices first."
    clock.advance(330)
    view = CallView(
        session,
        load_library(builtin_guides_dir()),
        invitation_template="Hello {company}, please open {link}",
        agent_name="Sam",
    )
    view.checklist.set_ticks(session.ticks)
    view.notes.set_notes(session.notes)
    view.resize(1400, 860)
    return view


def practice_call(app: QApplication) -> QWidget:
    """The practice-call dialog with the scenarios the embedded sandbox offers."""
    import httpx

    from desktop.core.practice import scenarios_from_json
    from desktop.sandbox.server import SandboxServer
    from desktop.ui.practice_dialog import PracticeDialog

    with SandboxServer() as server, httpx.Client(trust_env=False) as http:
        scenarios = scenarios_from_json(http.get(f"{server.base_url}/_sandbox/scenarios").json())
    dialog = PracticeDialog(scenarios)
    dialog.resize(720, 330)
    return dialog


SHOTS: dict[str, tuple[Shot, str]] = {
    "main-window-light": (main_window, "light"),
    "main-window-dark": (main_window, "dark"),
    "call-workspace": (call_workspace, "light"),
    "practice-call": (practice_call, "light"),
    "guide-viewer-light": (guide_viewer, "light"),
    "guide-viewer-dark": (guide_viewer, "dark"),
}


def grab(app: QApplication, widget: QWidget, path: Path) -> None:
    if not isinstance(widget, QDialog):  # a dialog is shown at its own size
        widget.resize(max(widget.width(), 1180), max(widget.height(), 760))
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
    run(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"), sys.argv[2:])
