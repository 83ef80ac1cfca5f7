"""The main window's pages and dialogs, given the narrow services they use.

The shell shows and collects; it never builds a service. ``desktop.app.shell_wiring`` creates the
services (the tracker, the call store, the Codat client) and hands the shell what each page needs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, Literal

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QWidget

from desktop.core.crash import CrashReport
from desktop.ui.main_window import MainWindow

if TYPE_CHECKING:
    from PySide6.QtWidgets import QSystemTrayIcon

    from desktop.core.guides import GuideLibrary
    from desktop.core.practice import Scenario
    from desktop.core.secrets import SecretStore
    from desktop.core.settings import Settings
    from desktop.ui.about_dialog import AboutDialog
    from desktop.ui.companies import CompaniesPage
    from desktop.ui.companies.page import Loader
    from desktop.ui.guides.page import GuidesPage
    from desktop.ui.practice_dialog import PracticeDialog
    from desktop.ui.reports import ReportsPage, ReportsSource, TeamReportsSource
    from desktop.ui.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)

Spawn = Callable[[Coroutine[Any, Any, Any], str], Any]


class Shell(QObject):
    """Installs the pages into the main window and opens its dialogs and messages."""

    def __init__(self, app: QApplication, window: MainWindow, spawn: Spawn) -> None:
        super().__init__(window)
        self.app = app
        self.window = window
        self._spawn = spawn
        self.guides_page: GuidesPage | None = None
        self.companies_page: CompaniesPage | None = None
        self.reports_page: ReportsPage | None = None
        self.call_page: QWidget | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.about_dialog: AboutDialog | None = None
        self.practice_dialog: PracticeDialog | None = None
        self._companies_loaded = False

    # Each page installs itself into its navigation slot; one method per page keeps them apart.
    def install_guides(self, library: GuideLibrary) -> GuidesPage:
        from desktop.ui.guides.page import GuidesPage

        page = GuidesPage(library)
        self.guides_page = page
        self.window.set_page("guides", page)
        self.window.presentation_changed.connect(page.set_presentation)
        page.start_call_requested.connect(self.start_call)
        return page

    def start_call(self) -> None:
        """ "Start a call" on the Guides page: the Call page, at its start panel."""
        self.window.show_page("call")
        workspace = getattr(self, "call_page", None)
        if workspace is not None:
            workspace.show_start()

    def install_call(self, workspace: Any) -> None:
        """``workspace`` is the call page (a ``CallWorkspace``), built by the app's wiring."""
        self.call_page = workspace
        self.window.presentation_changed.connect(workspace.set_presentation)
        workspace.set_presentation(self.window.presentation_action.isChecked())
        self.window.set_page("call", workspace)

    def install_companies(
        self,
        loader: Loader,
        open_company: Callable[[str, str], None],
        target_kind: Callable[[], str] | None = None,
    ) -> CompaniesPage:
        """``target_kind`` says what the app runs against ("sandbox", "codat", "unknown"), so an
        empty list can say why it is empty."""
        from desktop.ui.companies import CompaniesPage

        page = CompaniesPage(loader, self._spawn, target_kind=target_kind)
        page.open_company.connect(open_company)
        self.window.presentation_changed.connect(page.set_presentation)
        page.set_presentation(self.window.presentation_action.isChecked())
        self.companies_page = page
        self.window.set_page("companies", page)
        self.window.page_actions["companies"].triggered.connect(self._first_companies_load)
        return page

    def install_reports(
        self, source: ReportsSource, team: TeamReportsSource | None = None
    ) -> ReportsPage:
        """The Reports page over ``source`` (and ``team``, its Team view, with a team hub); its
        charts load when it is first shown."""
        from desktop.ui.reports import ReportsPage

        page = ReportsPage(source, self._spawn, team=team)
        self.window.presentation_changed.connect(page.set_presentation)
        page.set_presentation(self.window.presentation_action.isChecked())
        self.reports_page = page
        self.window.set_page("reports", page)
        return page

    def _first_companies_load(self) -> None:
        if not self._companies_loaded and self.companies_page is not None:
            self._companies_loaded = True
            self.companies_page.load(1)

    def make_tray(self) -> QSystemTrayIcon | None:
        """The notification area icon, where the system has one."""
        # Imported here: the tray is made after the first frame, and each Qt class a module
        # imports is set up (its type, its enums) when imported.
        from PySide6.QtWidgets import QSystemTrayIcon

        if not QSystemTrayIcon.isSystemTrayAvailable():
            return None
        tray = QSystemTrayIcon(self.app.windowIcon(), self)
        tray.setToolTip("LinkDesk")
        tray.show()
        return tray

    # -- messages ----------------------------------------------------------------------------------
    def set_target(self, label: str, profile: str) -> None:
        self.window.set_target(label, profile)

    def status(self, text: str, timeout_ms: int = 0) -> None:
        self.window.statusBar().showMessage(text, timeout_ms)

    def clear_status(self) -> None:
        self.window.statusBar().clearMessage()

    def tell(self, kind: Literal["warning", "information"], title: str, text: str) -> None:
        """A window-modal message that does not block: never exec(), we may be in a coroutine."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

        icon = QMessageBox.Icon.Warning if kind == "warning" else QMessageBox.Icon.Information
        box = QMessageBox(icon, title, text, parent=self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)  # messages quote files, paths and Codat
        box.open()

    def show_crash(self, report: CrashReport) -> None:
        from desktop.ui.crash_dialog import show_crash

        show_crash(report, self.window)

    # -- dialogs -----------------------------------------------------------------------------------
    def open_settings(
        self,
        settings: Settings,
        secrets: SecretStore,
        profile: str,
        *,
        applied: Callable[[str], None],
        test: Callable[[str, str], Awaitable[tuple[bool, str]]],
    ) -> SettingsDialog:
        """``applied(profile)`` after the agent saves; ``test(base, key)`` checks a connection."""
        from desktop.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(settings, secrets, profile, self._spawn, self.window)
        dialog.applied.connect(lambda: applied(dialog.selected_profile()))
        dialog.test_requested.connect(
            lambda base, key: self._spawn(
                self._run_test(dialog, test, base, key), "settings: test connection"
            )
        )
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    @staticmethod
    async def _run_test(
        dialog: SettingsDialog,
        test: Callable[[str, str], Awaitable[tuple[bool, str]]],
        base: str,
        key: str,
    ) -> None:
        ok, message = await test(base, key)
        dialog.show_test_result(ok, message)

    def open_practice(
        self, scenarios: list[Scenario], chosen: Callable[[Scenario, str], None]
    ) -> PracticeDialog:
        """The scenario picker; ``chosen(scenario, platform_key)`` starts the practice call."""
        from desktop.ui.practice_dialog import PracticeDialog

        dialog = PracticeDialog(scenarios, self.window)
        dialog.chosen.connect(chosen)
        self.practice_dialog = dialog
        dialog.open()
        return dialog

    def open_about(self, keyring_backend: str) -> None:
        from desktop.ui.about_dialog import AboutDialog

        self.about_dialog = AboutDialog(keyring_backend, self.window)
        self.about_dialog.open()
