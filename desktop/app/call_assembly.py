"""Builds the call page from the app's services; the shell's wiring, the tests and the crash driver
share it."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from desktop.app.context import AppContext
from desktop.core.calls.lazy_client import LazyClient
from desktop.core.calls.manager import CallManager
from desktop.core.calls.session import CallSession, journey_config
from desktop.core.calls.store_adapter import StoreAdapter
from desktop.core.clock import SystemClock
from desktop.core.codat.models import Company, Page
from desktop.core.companies import find_companies
from desktop.core.guides.library import GuideLibrary
from desktop.core.store import CallStore, export_call
from desktop.core.tracker import Tracker, TrackerSettings
from desktop.ui.call.notify import Notifier
from desktop.ui.call.start_panel import StartPanel
from desktop.ui.call.workspace import CallWorkspace

log = logging.getLogger(__name__)
SEARCH_PAGE_SIZE = 20

# (search text, page number, page size) -> a page of companies, newest first.
CompanySearch = Callable[[str, int, int], Awaitable[Page[Company]]]


def company_search(ctx: AppContext) -> CompanySearch:
    """The one company search of the app: the call's start panel and the Companies page use it."""

    async def search(text: str, page: int, page_size: int) -> Page[Company]:
        client = await ctx.codat()
        return await find_companies(client, text, page=page, page_size=page_size)

    return search


@dataclass
class CallParts:
    workspace: CallWorkspace
    manager: CallManager
    tracker: Tracker
    store: CallStore
    ctx: AppContext

    def open_known(self, company: Company, scenario: str | None = None) -> CallSession | None:
        """Open ``company`` as a call (or show its open call); None if the store refused it.

        ``scenario`` is a practice call's sandbox scenario, saved with the call.
        """
        # A company with connections is a reconnection call (desktop.core.reconnect.plan_link).
        return self.workspace.start_call(company, scenario=scenario)

    async def open_company(self, company_id: str) -> CallSession | None:
        """Open the company with this id as a call: its open call if it has one, else a new one.

        Raises ``CodatError`` when Codat cannot give the company.
        """
        existing = self.manager.by_company(company_id)
        if existing is not None:
            self.workspace.show_call(existing.call_id)
            return existing
        client = await self.ctx.codat()
        company = await client.get_company(company_id)
        if "dataConnections" not in company.raw:  # Codat may leave them out; the plan needs them
            found = await client.list_connections(company_id, page_size=100)
            company = replace(company, data_connections=found.results)
        return self.open_known(company)

    live: Any = None  # LiveTracking while a team hub is configured
    team: Any = None  # TeamPublisher while a team hub is configured


class SettingsLayoutMemory:
    """The call page's splitter positions in the ``call_layout`` setting (saved on quit)."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def load(self) -> Mapping[str, str]:
        stored = self.ctx.settings.get("call_layout")
        if not isinstance(stored, dict):
            return {}
        return {str(k): v for k, v in stored.items() if isinstance(v, str)}

    def save(self, states: Mapping[str, str]) -> None:
        self.ctx.settings.set("call_layout", dict(states))


def build_call_services(
    ctx: AppContext, store: CallStore, tracker_overrides: dict[str, Any] | None = None
) -> tuple[CallManager, Tracker]:
    """The call layer without its page: the manager and the one tracker, on the system clock."""
    clock = SystemClock()
    settings = TrackerSettings.from_settings(ctx.settings, **(tracker_overrides or {}))
    # Each call is followed against its own API (profile, Codat or sandbox), asked per company.
    client = LazyClient(lambda company_id: ctx.codat_for(manager.origin_of(company_id)))
    tracker = Tracker(client, clock=clock, settings=settings, on_internal_error=ctx.crash.handle)
    manager = CallManager(
        StoreAdapter(store, agent=lambda: str(ctx.settings.get("agent_name")) or None),
        tracker,
        clock,
        journey_config(ctx.settings.get("stall_seconds")),
        origin=ctx.call_origin,
        targets=ctx,
    )
    tracker.on_update = manager.on_update
    tracker.on_retry = manager.on_retry
    tracker.on_stop = manager.on_stop
    tracker.on_pace = manager.on_pace
    return manager, tracker


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
    on_live_status: Callable[[str], None] | None = None,
    on_team_status: Callable[[str], None] | None = None,
) -> CallParts:
    library = library if library is not None else ctx.guide_library()
    store = store or CallStore(ctx.paths.database)
    manager, tracker = build_call_services(ctx, store, tracker_overrides)
    find = company_search(ctx)

    async def search(text: str, page: int) -> Page[Company]:
        return await find(text, page, SEARCH_PAGE_SIZE)

    async def create(name: str) -> Company:
        client = await ctx.codat()
        return await client.create_company(name)

    def spawn(coro: Awaitable[Any], name: str) -> Any:
        if not inspect.iscoroutine(coro):  # the widgets hand over coroutines of their own
            raise TypeError(f"{name}: a coroutine is needed, not {type(coro).__name__}")
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
        notify_enabled=lambda: bool(ctx.settings.get("notify")),
        layout_memory=SettingsLayoutMemory(ctx),
    )
    parts = CallParts(workspace, manager, tracker, store, ctx)
    workspace.open_company_requested.connect(
        lambda company_id, _name: spawn(parts.open_company(company_id), "call: open company")
    )
    parts.live = _team_hub(ctx, tracker, manager, on_live_status)
    parts.team = team_publisher(ctx, manager, store.path, on_team_status)
    return parts


def saved_hub_url(ctx: AppContext, on_refused: Callable[[str], None] | None = None) -> str | None:
    """The team hub's URL from Settings › Team hub, checked (``check_hub_url``); None when none
    is set, or when the saved one is refused: a settings file written before Settings refused
    such URLs may still hold a password. A refused URL is never used or shown (it holds the
    secret); the log says so and ``on_refused`` gets ``HUB_URL_REFUSED``, a line for the agent.
    Every part that reaches the hub (live events, sharing calls, the Team view) reads it here."""
    from desktop.core.live.hub_url import HUB_URL_REFUSED, RefusedHubUrl, check_hub_url

    text = str(ctx.settings.get("hub_url") or "").strip()
    if not text:
        return None
    try:
        return check_hub_url(text) or None
    except RefusedHubUrl:
        log.warning("Team hub not used: its URL in the settings holds a credential or is not NATS")
        if on_refused is not None:
            on_refused(HUB_URL_REFUSED)
        return None


def team_publisher(
    ctx: AppContext,
    manager: CallManager,
    database: Path,
    on_status: Callable[[str], None] | None = None,
) -> Any:
    """With a team hub configured: each call that ends is shared with the team's reports
    (``desktop.core.team``), published off the GUI thread and queued while the hub is down."""
    url = saved_hub_url(
        ctx, None if on_status is None else lambda why: on_status(f"Calls not shared: {why}.")
    )
    if url is None:
        return None
    from desktop.core.live import HUB_SECRET_ACCOUNT, HUB_SECRET_SERVICE
    from desktop.core.secrets import SecretStore
    from desktop.core.team.local_file import team_file_path
    from desktop.core.team.publisher import TeamPublisher

    publisher = TeamPublisher(
        url,
        database=database,
        team_file=team_file_path(ctx.paths.data),
        # Read in a worker thread by the publisher: a keyring may block.
        credential=lambda: SecretStore(HUB_SECRET_SERVICE).get(HUB_SECRET_ACCOUNT),
        tls_ca=str(ctx.settings.get("hub_tls_ca") or "").strip() or None,
        share_company_names=lambda: bool(ctx.settings.get("team_share_company_names")),
        on_status=on_status,
    )
    manager.subscribe_finished(publisher.call_finished)
    # The publisher's own tasks end with it: run() closes it when the app cancels it.
    ctx.tasks.spawn(_publish_until_cancelled(publisher), name="team hub: share finished calls")
    return publisher


async def _publish_until_cancelled(publisher: Any) -> None:
    import asyncio  # after the first frame, like everything asynchronous

    publisher.start()
    try:
        await asyncio.Event().wait()
    finally:
        await publisher.aclose()


def _team_hub(
    ctx: AppContext,
    tracker: Tracker,
    manager: CallManager,
    on_live_status: Callable[[str], None] | None = None,
) -> Any:
    """With Settings › Team hub filled in: live events for every followed company the hub
    serves: calls made against Codat with the profile in use at start (the hub's settings take
    effect at the next start), never practice calls on the embedded sandbox."""

    def refused(why: str) -> None:
        if on_live_status is not None:
            from desktop.core.live import status_text

            on_live_status(status_text(False, why))

    url = saved_hub_url(ctx, refused)
    if url is None:
        return None
    from desktop.core.live import HubFeed, LiveTracking
    from desktop.core.live.scope import served_by_hub

    tls_ca = str(ctx.settings.get("hub_tls_ca") or "").strip() or None
    prepare = hub_connection_preparer(tls_ca)
    feed = HubFeed(url, on_event=lambda event: None, prepare=prepare)
    live = LiveTracking(
        tracker,
        feed,
        on_status=on_live_status,
        serves=served_by_hub(manager.origin_of, ctx.profile),
    )
    feed.start()
    # The feed's own tasks end with it: keep_in_step closes it when the app cancels it.
    ctx.tasks.spawn(live.keep_in_step(), name="team hub: follow the calls' companies")
    return live


def hub_connection_preparer(tls_ca: str | None) -> Callable[[], dict[str, Any]]:
    """What ``HubFeed`` runs in a worker thread before it connects: the agent's team hub
    credential from the keyring (a keyring may block, e.g. a Secret Service prompt) and TLS
    against ``tls_ca`` (a PEM file). Raises ``OSError`` with a line for the agent when the CA file
    is gone or not PEM; the feed shows it in the status bar and polling carries on."""

    def prepare() -> dict[str, Any]:
        from desktop.core.live import HUB_SECRET_ACCOUNT, HUB_SECRET_SERVICE, connect_options
        from desktop.core.secrets import SecretStore

        credential = SecretStore(HUB_SECRET_SERVICE).get(HUB_SECRET_ACCOUNT)
        try:
            return connect_options(credential, tls_ca)
        except OSError as exc:
            raise OSError(f"the team hub's CA file cannot be read: {tls_ca}") from exc

    return prepare


def _guide_viewer_factory(library: GuideLibrary) -> Callable[[], QWidget | None]:
    def make() -> QWidget | None:
        from desktop.ui.guides.viewer import GuideViewer

        # Progressive: never holds the loop while tracking; embedded: fits the call page's pane.
        return GuideViewer(library, progressive=True, embedded=True)

    return make
