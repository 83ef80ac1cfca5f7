"""The shell's wiring: the app's services bound to the main window's pages and dialogs.

``desktop.ui.shell.Shell`` installs pages and opens dialogs; this module decides what they are given:
the guide library, the call layer (built by ``call_assembly``), the one company search, the practice
flow on the embedded sandbox, and what happens when Settings are applied.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtWidgets import QApplication

from desktop.app.context import AppContext
from desktop.ui.main_window import MainWindow
from desktop.ui.shell import Shell
from desktop.ui.theme import apply_theme

if TYPE_CHECKING:
    import asyncio

    from desktop.app.call_assembly import CallParts
    from desktop.core.codat.models import Page
    from desktop.core.companies import CompanyRow
    from desktop.core.practice import Scenario
    from desktop.ui.call.workspace import CallWorkspace
    from desktop.ui.companies import CompaniesPage
    from desktop.ui.practice_dialog import PracticeDialog

log = logging.getLogger(__name__)


class ShellWiring:
    """Builds the services each page uses and connects the window's requests to them."""

    def __init__(self, app: QApplication, ctx: AppContext, window: MainWindow) -> None:
        self.app = app
        self.ctx = ctx
        self.window = window
        self.shell = Shell(app, window, self._spawn)
        self.call_parts: CallParts | None = None
        ctx.crash.set_show(self.shell.show_crash)
        window.settings_requested.connect(self.open_settings)
        window.about_requested.connect(self.open_about)
        window.practice_requested.connect(self.open_practice)
        # The keyring is read after the first frame, off the GUI thread: until then the status bar
        # says "Checking the key…" (see start).
        self.refresh_target()
        # The first frame shows the guide tiles; the 16 built-in guides load in milliseconds.
        self.guide_library = ctx.guide_library()
        self.guides_page = self.shell.install_guides(self.guide_library)

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        return self.ctx.tasks.spawn(coro, name=name)

    # What the end-to-end tests look at, by the names they had before the wiring moved here.
    @property
    def companies_page(self) -> CompaniesPage | None:
        return self.shell.companies_page

    @property
    def call_workspace(self) -> CallWorkspace | None:
        return self.call_parts.workspace if self.call_parts is not None else None

    @property
    def practice_dialog(self) -> PracticeDialog | None:
        return self.shell.practice_dialog

    def finish_first_page(self) -> None:
        """What the first frame left out of the page it shows: the Guides page's side tabs."""
        self.guides_page.build_side_pane()

    def start(self) -> None:
        """Work deferred until the window is on screen, so the first frame is not kept waiting."""
        self.finish_first_page()  # if run_gui has not already
        self._install_call()
        self._install_companies()
        self._install_reports()
        self.tell_startup_warnings()
        self._spawn(self._read_key(), "read the API key")

    async def _read_key(self) -> None:
        """Read the API key in a worker thread; a slow or locked keyring never freezes the window.

        Then show the API target, and start the embedded sandbox when there is no key.
        """
        self.refresh_target()
        await self.ctx.decide_target()
        self.refresh_target()
        if self.ctx.key_problem:
            self.shell.status(self.ctx.key_problem, 15000)
        if self.ctx.uses_sandbox():
            await self._start_sandbox()

    # -- the call page -----------------------------------------------------------------------------
    def _install_call(self) -> None:
        from desktop.app.call_assembly import build_call_parts
        from desktop.core.store import StoreError

        try:
            parts = build_call_parts(
                self.ctx,
                library=self.guide_library,
                tray=self.shell.make_tray(),
                on_live_status=self.window.set_tracking_status,
                on_team_status=lambda text: self.shell.status(text, 8000),
            )
        except StoreError as exc:
            log.error("Call database unavailable: %s", exc)
            self.shell.tell("warning", "Calls cannot be saved", exc.plain_message)
            return
        self.call_parts = parts
        self.shell.install_call(parts.workspace)
        # The status bar says "Polling" only while there is a call to poll for.
        manager = parts.manager
        manager.subscribe(lambda *_changed: self.window.set_calls_open(len(manager.sessions)))
        self.window.set_calls_open(len(manager.sessions))
        warning = parts.store.open_warning
        if warning:
            self.shell.tell("warning", "Call database", warning)
        self._spawn(self._run_calls(parts), "calls: resume and keep")

    async def _run_calls(self, parts: CallParts) -> None:
        """Reopen the calls left open (after a restart or a crash); close it all on shutdown."""
        import asyncio  # after the first frame, like everything asynchronous

        from desktop.core.store import ApiKind

        try:
            open_calls = parts.store.open_calls()
            if any(c.api_kind == ApiKind.SANDBOX for c in open_calls):
                await self.ctx.ensure_sandbox()  # to know whether it came back as it was
            # Whether each call's API can be reached depends on its profile's key: read them all
            # first, in a worker thread (resume() itself never touches the keyring).
            await self.ctx.load_keys(c.profile for c in open_calls if c.api_kind == ApiKind.CODAT)
            resumed = parts.manager.resume()
            if resumed:
                self.window.show_page("call")
                text = _resumed_text(len(resumed))
                log.info(text)
                self.shell.status(text, 10000)
            await asyncio.Event().wait()
        finally:
            if shiboken6.isValid(parts.workspace):  # a test may have deleted the window first
                parts.workspace.save_all_notes()
            await parts.tracker.aclose()
            parts.store.close()

    def say_calls_will_resume(self) -> str | None:
        """At quit: the calls still open are kept and resume at the next start; say so."""
        parts = self.call_parts
        if parts is None or not parts.manager.sessions:
            return None
        names = ", ".join(s.company_name for s in parts.manager.sessions.values())
        count = len(parts.manager.sessions)
        text = (
            f"{count} open call{'s' if count > 1 else ''} ({names}) will resume when LinkDesk "
            "starts again."
        )
        log.info("Quitting with open calls: %s", text)
        if parts.workspace.notifier is not None:
            parts.workspace.notifier.show("LinkDesk", text)
        return text

    def open_company_in_call(self, company_id: str, _name: str = "") -> None:
        """Open a company (from the Companies page) as a call, or show the call it already has."""
        self.window.show_page("call")
        if self.call_parts is not None:
            self._spawn(self.call_parts.open_company(company_id), "call: open company")

    # -- the companies page ------------------------------------------------------------------------
    def _install_companies(self) -> None:
        # The Codat models load after the first frame, with the pages that use them.
        from desktop.app.call_assembly import company_search
        from desktop.core.codat.models import Page
        from desktop.core.companies import company_row
        from desktop.ui.companies.page import PAGE_SIZE

        find = company_search(self.ctx)

        async def load(text: str, page: int) -> Page[CompanyRow]:
            found = await find(text, page, PAGE_SIZE)
            rows = tuple(company_row(c) for c in found.results)
            return Page(rows, found.page_number, found.page_size, found.total_results, found.links)

        self.shell.install_companies(load, self.open_company_in_call, lambda: self.ctx.target.kind)

    def _install_reports(self) -> None:
        from desktop.core.stats.service import StatsService

        # Reads on its own read-only connection in a worker thread, never the call store's.
        self.reports_page = self.shell.install_reports(
            StatsService(self.ctx.paths.database), team=self._team_reports()
        )

    def _team_reports(self) -> Any:
        """The team's reports (the Reports page's Team view): None without a team hub."""
        from desktop.app.call_assembly import saved_hub_url
        from desktop.core.stats.team import TeamStatsService

        if not str(self.ctx.settings.get("hub_url") or "").strip():
            return None
        refused: list[str] = []
        url = saved_hub_url(self.ctx, refused.append)
        from desktop.core.team.local_file import team_file_path

        team_file = team_file_path(self.ctx.paths.data)

        async def sync() -> str:
            import asyncio

            from desktop.app.call_assembly import hub_connection_preparer
            from desktop.core.team.reader import read_team_calls

            if url is None:  # the saved URL was refused: the calls already read stay shown
                return f"Team hub not read: {refused[0]}."
            tls_ca = str(self.ctx.settings.get("hub_tls_ca") or "").strip() or None
            try:
                options = await asyncio.to_thread(hub_connection_preparer(tls_ca))
            except OSError as exc:
                return f"Team hub not read: {exc}."
            read = await read_team_calls(url, team_file, options=options)
            skipped = f" ({read.skipped} unreadable message(s) skipped)" if read.skipped else ""
            return f"Team hub read: {read.added} new call(s), {read.stored} in all{skipped}."

        return TeamStatsService(team_file, sync)

    # -- the API target ----------------------------------------------------------------------------
    async def _start_sandbox(self) -> None:
        self.shell.status("Starting the embedded sandbox…")
        await self.ctx.ensure_sandbox()
        self.shell.status("Embedded sandbox ready: no API key is configured.", 8000)
        self.refresh_target()

    def refresh_target(self) -> None:
        self.shell.set_target(self.ctx.target.label, self.ctx.profile)

    def tell_startup_warnings(self) -> None:
        from desktop.core.logs import log_failure

        warning = self.ctx.settings.warning
        if warning:
            self.ctx.settings.warning = None
            newer = self.ctx.settings.newer_version is not None
            self.shell.tell("warning", "Settings kept" if newer else "Settings reset", warning)
        failure = log_failure()
        if failure:
            text = f"LinkDesk {failure}. It keeps working; nothing more is logged this session."
            self.shell.tell("warning", "Logs cannot be written", text)

    # -- settings ----------------------------------------------------------------------------------
    def open_settings(self) -> None:
        ctx = self.ctx
        self.shell.open_settings(
            ctx.settings,
            ctx.secrets,
            ctx.profile,
            applied=self._settings_applied,
            test=self._test_connection,
        )

    @property
    def settings_dialog(self) -> Any:
        return self.shell.settings_dialog

    def _settings_applied(self, profile: str) -> None:
        self.ctx.profile = profile
        self.ctx.forget_api_key()
        apply_theme(
            self.app,
            str(self.ctx.settings.get("theme")),
            float(self.ctx.settings.get("font_scale")),
        )
        self._spawn(self._after_settings(), "settings: read the key again")

    async def _after_settings(self) -> None:
        """The key (and the profile) may have changed: read it again, off the GUI thread; a key
        added may be what a resumed call waits for."""
        from desktop.core.store import ApiKind

        await self._read_key()
        parts = self.call_parts
        if parts is not None:
            origins = parts.manager.origins.values()
            await self.ctx.load_keys(o.profile for o in origins if o.api_kind is ApiKind.CODAT)
            parts.manager.recheck_waiting()

    async def _test_connection(self, base: str, key: str) -> tuple[bool, str]:
        from desktop.core.connection_check import test_connection

        if not key:
            base = await self.ctx.ensure_sandbox()
            key = self.ctx.sandbox_key or ""
        dialog = self.shell.settings_dialog
        insecure = dialog is not None and dialog.allow_insecure.isChecked()
        return await test_connection(self.ctx.http(), base, key, allow_insecure_http=insecure)

    # -- practice calls ----------------------------------------------------------------------------
    def open_practice(self) -> None:
        self._spawn(self._practice_dialog(), "practice: choose scenario")

    async def _practice_dialog(self) -> None:
        from desktop.core.practice import PracticeError, list_scenarios

        await self.ctx.decide_target()
        if not self.ctx.uses_sandbox():
            self.shell.tell(
                "information",
                "Practice call",
                "Practice calls run on the embedded sandbox, and this profile uses Codat. "
                "Start LinkDesk with 'linkdesk gui --sandbox', or pick a profile without an API key.",
            )
            return
        self.shell.status("Preparing the practice sandbox…")
        base = await self.ctx.ensure_sandbox()
        self.refresh_target()
        try:
            scenarios = await list_scenarios(self.ctx.http(), base, self.ctx.sandbox_key or "")
        except PracticeError as exc:
            self.shell.status(str(exc), 10000)
            return
        self.shell.clear_status()

        def chosen(scenario: Scenario, platform: str) -> None:
            self._spawn(self._start_practice(scenario, platform), "practice: start")

        self.shell.open_practice(scenarios, chosen)

    async def _start_practice(self, scenario: Scenario, platform: str) -> None:
        from desktop.core.practice import scenario_spec, start_practice

        parts = self.call_parts
        if parts is None:
            return
        base = await self.ctx.ensure_sandbox()
        company = await start_practice(
            await self.ctx.codat(),
            self.ctx.http(),
            base,
            scenario,
            platform,
            api_key=self.ctx.sandbox_key or "",
        )
        if parts.open_known(company, scenario_spec(scenario, platform)) is None:
            return
        self.window.show_page("call")
        self.shell.status(
            f"Practice call started: scenario {scenario.name}. The customer is on autopilot.", 10000
        )

    def open_about(self) -> None:
        self._spawn(self._about(), "about: keyring backend")

    async def _about(self) -> None:
        backend = await self.ctx.secrets.abackend()  # may load keyring's backends: not here
        self.shell.open_about(backend.name)

    @property
    def about_dialog(self) -> Any:
        return self.shell.about_dialog


def _resumed_text(count: int) -> str:
    calls = "call" if count == 1 else "calls"
    return f"Resumed {count} open {calls} from the last time LinkDesk ran."
