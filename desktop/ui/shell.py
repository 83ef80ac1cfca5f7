"""Wires the main window to the services: dialogs, presentation mode, the status bar."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Literal

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from desktop.app.context import AppContext
from desktop.core.crash import CrashReport
from desktop.ui.main_window import MainWindow
from desktop.ui.theme import apply_theme

if TYPE_CHECKING:
    from desktop.ui.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)


class Shell(QObject):
    def __init__(self, app: QApplication, ctx: AppContext, window: MainWindow) -> None:
        super().__init__(window)
        self.app = app
        self.ctx = ctx
        self.window = window
        self.settings_dialog: Any = None
        ctx.crash.set_show(self._show_crash)
        window.settings_requested.connect(self.open_settings)
        window.about_requested.connect(self.open_about)
        window.practice_requested.connect(self.open_practice)
        # The keyring is read after the first frame, off the GUI thread: until then the status bar
        # says "Checking the key…" (see start).
        self.refresh_target()
        self._install_guides()  # the first frame shows the guide tiles

    # Each page installs itself into its navigation slot; one function per page keeps them apart.
    # Only the guides are needed for the first frame; the others are built right after it.

    def _install_guides(self) -> None:
        from desktop.ui.guides.page import GuidesPage

        # The 16 built-in guides load in a few milliseconds; a broken file is reported on the page.
        self.guide_library = self.ctx.guide_library()
        page = GuidesPage(self.guide_library)
        self.guides_page = page
        self.window.set_page("guides", page)
        self.window.presentation_changed.connect(page.set_presentation)

    def _install_call(self) -> None:
        from PySide6.QtWidgets import QSystemTrayIcon

        from desktop.app.call_assembly import build_call_parts
        from desktop.core.store import StoreError

        tray = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            tray = QSystemTrayIcon(self.app.windowIcon(), self)
            tray.setToolTip("LinkDesk")
            tray.show()
        library = getattr(self, "guide_library", None)
        try:
            parts = build_call_parts(self.ctx, library=library, tray=tray)
        except StoreError as exc:
            log.error("Call database unavailable: %s", exc)
            self._tell("warning", "Calls cannot be saved", exc.plain_message)
            return
        self.call_parts = parts
        self.call_workspace = parts.workspace
        self.window.presentation_changed.connect(parts.workspace.set_presentation)
        parts.workspace.set_presentation(self.window.presentation_action.isChecked())
        self.window.set_page("call", parts.workspace)
        warning = parts.store.open_warning
        if warning:
            self._tell("warning", "Call database", warning)
        self.ctx.tasks.spawn(self._run_calls(), name="calls: resume and keep")

    async def _run_calls(self) -> None:
        """Reopen the calls left open (after a restart or a crash); close it all on shutdown."""
        import asyncio

        parts = self.call_parts
        try:
            if parts.manager.resume():
                self.window.show_page("call")
            await asyncio.Event().wait()
        finally:
            import shiboken6

            if shiboken6.isValid(parts.workspace):  # the window may be gone first (a test's end)
                parts.workspace.save_all_notes()
            await parts.tracker.aclose()
            parts.store.close()

    def _install_companies(self) -> None:
        from desktop.core.codat.models import Page
        from desktop.core.companies import CompanyRow, company_row, search_query
        from desktop.ui.companies import CompaniesPage
        from desktop.ui.companies.page import PAGE_SIZE

        async def load(text: str, page: int) -> Page[CompanyRow]:
            client = await self.ctx.codat()
            found = await client.list_companies(
                page=page, page_size=PAGE_SIZE, query=search_query(text), order_by="-created"
            )
            rows = tuple(company_row(c) for c in found.results)
            return Page(rows, found.page_number, found.page_size, found.total_results, found.links)

        page = CompaniesPage(load, lambda coro, name: self.ctx.tasks.spawn(coro, name=name))
        page.open_company.connect(self.open_company_in_call)
        self.window.presentation_changed.connect(page.set_presentation)
        page.set_presentation(self.window.presentation_action.isChecked())
        self.companies_page = page
        self.window.set_page("companies", page)
        self._companies_loaded = False
        self.window.page_actions["companies"].triggered.connect(self._first_companies_load)

    def _first_companies_load(self) -> None:
        if not self._companies_loaded:
            self._companies_loaded = True
            self.companies_page.load(1)

    def open_company_in_call(self, company_id: str, name: str) -> None:
        """Open a company from the Companies page into a call (the call page handles it)."""
        workspace = getattr(self, "call_workspace", None)
        self.window.show_page("call")
        if workspace is not None:
            workspace.open_company(company_id, name)

    def start(self) -> None:
        """Work deferred until the window is on screen, so the first frame is not kept waiting."""
        self._install_call()
        self._install_companies()
        self.tell_startup_warnings()
        self.ctx.tasks.spawn(self._read_key(), name="read the API key")

    async def _read_key(self) -> None:
        """Read the API key in a worker thread; a slow or locked keyring never freezes the window.

        Then show the API target, and start the embedded sandbox when there is no key.
        """
        self.refresh_target()
        await self.ctx.decide_target()
        self.refresh_target()
        if self.ctx.key_problem:
            self.window.statusBar().showMessage(self.ctx.key_problem, 15000)
        if self.ctx.uses_sandbox():
            await self._start_sandbox()

    async def _start_sandbox(self) -> None:
        self.window.statusBar().showMessage("Starting the embedded sandbox…")
        await self.ctx.ensure_sandbox()
        self.window.statusBar().showMessage(
            "Embedded sandbox ready: no API key is configured.", 8000
        )
        self.refresh_target()

    def refresh_target(self) -> None:
        self.window.set_target(self.ctx.target.label, self.ctx.profile)

    def tell_startup_warnings(self) -> None:
        warning = self.ctx.settings.warning
        if warning:
            self.ctx.settings.warning = None
            self._tell("warning", "Settings reset", warning)

    def _tell(self, kind: Literal["warning", "information"], title: str, text: str) -> None:
        """A window-modal message that does not block: never exec(), we may be in a coroutine."""
        from PySide6.QtWidgets import QMessageBox

        icon = QMessageBox.Icon.Warning if kind == "warning" else QMessageBox.Icon.Information
        QMessageBox(icon, title, text, parent=self.window).open()

    def _show_crash(self, report: CrashReport) -> None:
        from desktop.ui.crash_dialog import show_crash

        show_crash(report, self.window)

    def open_settings(self) -> None:
        from desktop.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(
            self.ctx.settings,
            self.ctx.secrets,
            self.ctx.profile,
            lambda coro, name: self.ctx.tasks.spawn(coro, name=name),
            self.window,
        )
        dialog.applied.connect(lambda: self._settings_applied(dialog))
        dialog.test_requested.connect(
            lambda base, key: self.ctx.tasks.spawn(
                self._test_connection(dialog, base, key), name="settings: test connection"
            )
        )
        self.settings_dialog = dialog
        dialog.open()

    def _settings_applied(self, dialog: SettingsDialog) -> None:
        self.ctx.profile = dialog.selected_profile()
        self.ctx.forget_api_key()
        apply_theme(
            self.app,
            str(self.ctx.settings.get("theme")),
            float(self.ctx.settings.get("font_scale")),
        )
        self.ctx.tasks.spawn(self._read_key(), name="read the API key again")

    async def _test_connection(self, dialog: SettingsDialog, base: str, key: str) -> None:
        from desktop.core.connection_check import test_connection

        if not key:
            base = await self.ctx.ensure_sandbox()
            key = self.ctx.sandbox_key or ""
        ok, message = await test_connection(self.ctx.http(), base, key)
        dialog.show_test_result(ok, message)

    # -- practice calls -----------------------------------------------------------------------------
    def open_practice(self) -> None:
        self.ctx.tasks.spawn(self._practice_dialog(), name="practice: choose scenario")

    async def _practice_dialog(self) -> None:
        from desktop.core.practice import PracticeError, list_scenarios
        from desktop.ui.practice_dialog import PracticeDialog

        await self.ctx.decide_target()
        if not self.ctx.uses_sandbox():
            self._tell(
                "information",
                "Practice call",
                "Practice calls run on the embedded sandbox, and this profile uses Codat. "
                "Start LinkDesk with 'linkdesk gui --sandbox', or pick a profile without an API key.",
            )
            return
        self.window.statusBar().showMessage("Preparing the practice sandbox…")
        base = await self.ctx.ensure_sandbox()
        self.refresh_target()
        try:
            scenarios = await list_scenarios(self.ctx.http(), base)
        except PracticeError as exc:
            self.window.statusBar().showMessage(str(exc), 10000)
            return
        self.window.statusBar().clearMessage()
        dialog = PracticeDialog(scenarios, self.window)
        dialog.chosen.connect(
            lambda scenario, platform: self.ctx.tasks.spawn(
                self._start_practice(scenario, platform), name="practice: start"
            )
        )
        self.practice_dialog = dialog
        dialog.open()

    async def _start_practice(self, scenario: object, platform: str) -> None:
        from desktop.core.practice import Scenario, start_practice

        assert isinstance(scenario, Scenario)
        parts = getattr(self, "call_parts", None)
        if parts is None:
            return
        base = await self.ctx.ensure_sandbox()
        company = await start_practice(
            await self.ctx.codat(), self.ctx.http(), base, scenario, platform
        )
        session = parts.manager.open_call(company.id, company.name, company.redirect)
        parts.workspace.show_call(session.call_id)
        self.window.show_page("call")
        self.window.statusBar().showMessage(
            f"Practice call started: scenario {scenario.name}. The customer is on autopilot.", 10000
        )

    def open_about(self) -> None:
        self.ctx.tasks.spawn(self._about(), name="about: keyring backend")

    async def _about(self) -> None:
        from desktop.ui.about_dialog import AboutDialog

        backend = await self.ctx.secrets.abackend()  # may load keyring's backends: not here
        self.about_dialog = AboutDialog(backend.name, self.window)
        self.about_dialog.open()
