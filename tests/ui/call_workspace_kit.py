"""A call workspace on a real store and a real CallManager, with a tracker that is told by hand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.calls.manager import CallManager
from desktop.core.calls.session import CallSession
from desktop.core.calls.store_adapter import StoreAdapter
from desktop.core.clock import FakeClock
from desktop.core.codat.models import Company
from desktop.core.guides.library import GuideLibrary, builtin_guides_dir, load_library
from desktop.core.store import CallStore, export_call
from desktop.ui.call.start_panel import StartPanel
from desktop.ui.call.workspace import CallWorkspace
from desktop.ui.guides.viewer import GuideViewer
from tests.unit.calls.hand_tracker import HandTracker
from tests.unit.journey_builders import connection, conns, error


@dataclass
class RecordingNotifier:
    shown: list[tuple[str, str]] = field(default_factory=list)

    def show(self, title: str, message: str) -> None:
        self.shown.append((title, message))


@dataclass
class Kit:
    workspace: CallWorkspace
    manager: CallManager
    tracker: HandTracker
    store: CallStore
    clock: FakeClock
    library: GuideLibrary
    notifier: RecordingNotifier

    def open_call(
        self,
        name: str,
        company_id: str = "c0ffee00-0000-4000-8000-000000000001",
        practice: str | None = None,
    ) -> CallSession:
        session = self.manager.open_call(
            company_id, name, f"http://127.0.0.1:9/link/{company_id}", scenario=practice
        )
        self.workspace.show_call(session.call_id)
        return session

    def connection_failed(self, session: CallSession, message: str) -> None:
        """30 s on, the API sees a connection with a data connection error (500) saying
        ``message``."""
        self.clock.advance(30)
        at = self.clock.now()
        failed = connection(
            "7b8e7482-0000-4000-8000-000000000002",
            "PendingAuth",
            at,
            key="akxx",
            errors=[error("500", "Internal Server Error", message, at)],
        )
        self.tracker.observe(session.company_id, conns(at, failed))

    def platform_chosen(self, session: CallSession) -> None:
        """The customer picks QuickBooks Online in Link: the API sees the connection."""
        self.clock.advance(30)
        created = self.clock.now()
        self.tracker.observe(
            session.company_id,
            conns(
                created,
                connection(
                    "7b8e7482-0000-4000-8000-000000000002",
                    "PendingAuth",
                    created,
                    key="qhyg",
                    name="QuickBooks Online",
                ),
            ),
        )


def make_kit(
    qtbot: Any,
    tmp_path: Path,
    export_dir: Callable[[], Path] | None = None,
    *,
    real_guide: bool = False,
    layout_memory: Any = None,
    notify_enabled: Callable[[], bool] = lambda: True,
) -> Kit:
    """``real_guide``: the guide viewer of the app (as in the shell), not the plain text view."""
    clock = FakeClock()
    store = CallStore(tmp_path / "calls.sqlite3", clock=clock.now)
    tracker = HandTracker(clock)
    manager = CallManager(StoreAdapter(store), tracker, clock)
    tracker.manager = manager
    library = load_library(builtin_guides_dir())
    labels = {item.key: item.text for item in library.checklist.items} if library.checklist else {}

    async def search(text: str, page: int) -> Any:
        raise AssertionError("no search in these tests")

    async def create(name: str) -> Company:
        raise AssertionError("no company created in these tests")

    def spawn(work: Awaitable[Any], name: str) -> None:
        assert isinstance(work, Coroutine)  # the panel's own coroutines, closed unrun
        work.close()

    notifier = RecordingNotifier()
    workspace = CallWorkspace(
        manager,
        StartPanel(search, create, spawn),
        library,
        invitation_template=lambda: "Hello {company}: {link}",
        agent_name=lambda: "Sam",
        notifier=notifier,
        exporter=lambda call_id, fmt: export_call(store, call_id, fmt, checklist_labels=labels),
        export_dir=export_dir,
        guide_factory=(lambda: GuideViewer(library, embedded=True)) if real_guide else None,
        layout_memory=layout_memory,
        notify_enabled=notify_enabled,
    )
    if qtbot is not None:
        qtbot.addWidget(workspace)
    workspace.resize(1300, 800)
    workspace.show()
    return Kit(workspace, manager, tracker, store, clock, library, notifier)
