"""Builds the call page from the app's services; the Shell, the tests and the crash driver share it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from desktop.app.context import AppContext
from desktop.core.calls.lazy_client import LazyClient
from desktop.core.calls.manager import CallManager
from desktop.core.calls.session import journey_config
from desktop.core.calls.store_adapter import StoreAdapter
from desktop.core.clock import SystemClock
from desktop.core.codat.models import Company, Page
from desktop.core.companies import search_query
from desktop.core.guides.library import GuideLibrary, builtin_guides_dir, load_library
from desktop.core.store import CallStore, export_call
from desktop.core.tracker import Tracker, TrackerSettings
from desktop.ui.call.notify import Notifier
from desktop.ui.call.start_panel import StartPanel
from desktop.ui.call.workspace import CallWorkspace

log = logging.getLogger(__name__)
SEARCH_PAGE_SIZE = 20


@dataclass
class CallParts:
    workspace: CallWorkspace
    manager: CallManager
    tracker: Tracker
    store: CallStore


def default_library(ctx: AppContext) -> GuideLibrary:
    team = str(ctx.settings.get("team_guides_dir") or "")
    return load_library(builtin_guides_dir(), Path(team) if team else ctx.paths.team_guides)


def build_call_parts(
    ctx: AppContext,
    *,
    library: GuideLibrary | None = None,
    store: CallStore | None = None,
    tracker_overrides: dict[str, Any] | None = None,
    guide_factory: Callable[[], QWidget | None] | None = None,
    tray: QSystemTrayIcon | None = None,
    notifier: Notifier | None = None,
    export_dir: Callable[[], Path] | None = None,
) -> CallParts:
    library = library if library is not None else default_library(ctx)
    store = store or CallStore(ctx.paths.database)
    clock = SystemClock()
    settings = TrackerSettings.from_settings(ctx.settings, **(tracker_overrides or {}))
    tracker = Tracker(LazyClient(ctx.codat), clock=clock, settings=settings)
    manager = CallManager(
        # Read when a call opens: by then the key is read (opening one asks ctx.codat() first).
        StoreAdapter(store, ctx.profile, lambda: "sandbox" if ctx.uses_sandbox() else "codat"),
        tracker,
        clock,
        journey_config(ctx.settings.get("stall_seconds")),
    )
    tracker.on_update = manager.on_update
    tracker.on_retry = manager.on_retry
    tracker.on_stop = manager.on_stop
    tracker.on_pace = manager.on_pace

    async def search(text: str, page: int) -> Page[Company]:
        client = await ctx.codat()
        return await client.list_companies(
            page=page, page_size=SEARCH_PAGE_SIZE, query=search_query(text), order_by="-created"
        )

    async def create(name: str) -> Company:
        client = await ctx.codat()
        return await client.create_company(name)

    def spawn(coro: Any, name: str) -> Any:
        return ctx.tasks.spawn(coro, name=name)

    if guide_factory is None:
        guide_factory = _guide_viewer_factory(library)
    # Every checklist item in the guides' order, so the export lists those never ticked too.
    labels = {item.key: item.text for item in library.checklist.items} if library.checklist else {}

    def exporter(call_id: int, fmt: str) -> str:
        return export_call(store, call_id, fmt, checklist_labels=labels)

    panel = StartPanel(search, create, spawn)
    workspace = CallWorkspace(
        manager,
        panel,
        library,
        invitation_template=lambda: str(ctx.settings.get("invitation_template")),
        agent_name=lambda: str(ctx.settings.get("agent_name") or ""),
        guide_factory=guide_factory,
        tray=tray,
        notifier=notifier,
        exporter=exporter,
        export_dir=export_dir or (lambda: Path.home()),
    )

    async def open_by_id(company_id: str) -> None:
        client = await ctx.codat()
        company = await client.get_company(company_id)
        session = manager.open_call(company.id, company.name, company.redirect)
        workspace.show_call(session.call_id)

    workspace.open_company_requested.connect(
        lambda company_id, _name: spawn(open_by_id(company_id), "call: open company")
    )
    return CallParts(workspace, manager, tracker, store)


def _guide_viewer_factory(library: GuideLibrary) -> Callable[[], QWidget | None]:
    def make() -> QWidget | None:
        from desktop.ui.guides.viewer import GuideViewer

        return GuideViewer(library, progressive=True)  # never holds the loop while tracking

    return make
