"""The call page: the open calls on the left, the chosen call (or the start panel) on the right."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from desktop.core.call_session import CallManager, CallSession
from desktop.core.codat.models import Company
from desktop.core.guides.library import GuideLibrary
from desktop.ui.call.call_view import CallView
from desktop.ui.call.start_panel import StartPanel

GuideFactory = Callable[[], QWidget | None]


class CallWorkspace(QWidget):
    open_company_requested = Signal(str, str)  # company id, name: the shell fetches and opens it

    def __init__(
        self,
        manager: CallManager,
        start_panel: StartPanel,
        library: GuideLibrary | None,
        *,
        invitation_template: Callable[[], str],
        agent_name: Callable[[], str],
        guide_factory: GuideFactory | None = None,
        tray: QSystemTrayIcon | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.manager = manager
        self.library = library
        self._template = invitation_template
        self._agent = agent_name
        self._guide_factory = guide_factory
        self.tray = tray
        self.views: dict[int, CallView] = {}
        self._summaries: dict[int, str] = {}

        self.calls = QListWidget()
        self.calls.setAccessibleName("Open calls")
        self.calls.currentItemChanged.connect(self._current_changed)
        self.new_button = QPushButton("New call")
        self.new_button.setAccessibleName("New call")
        self.new_button.setToolTip("Start a new call (Ctrl+N)")
        self.new_button.clicked.connect(self.show_start)
        self.close_button = QPushButton("End call")
        self.close_button.setAccessibleName("End the selected call")
        self.close_button.clicked.connect(self.close_current)
        side = QWidget()
        side.setMaximumWidth(280)
        side_layout = QVBoxLayout(side)
        heading = QLabel("Open calls")
        heading.setStyleSheet("font-weight: 600;")
        side_layout.addWidget(heading)
        side_layout.addWidget(self.calls, 1)
        side_layout.addWidget(self.new_button)
        side_layout.addWidget(self.close_button)

        self.start_panel = start_panel
        self.start_panel.chosen.connect(self._company_chosen)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.start_panel)
        layout = QHBoxLayout(self)
        layout.addWidget(side)
        layout.addWidget(self.stack, 1)

        for keys, slot in (
            ("Ctrl+N", self.show_start),
            ("Ctrl+L", self._copy_link),
            ("Ctrl+Shift+I", self._copy_invitation),
            ("Ctrl+Shift+1", lambda: self._confirm(1)),
            ("Ctrl+Shift+3", lambda: self._confirm(3)),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self._countdown.start()
        manager.subscribe(self._manager_changed)
        for session in manager.sessions.values():
            self._add(session)

    # -- calls -------------------------------------------------------------------------------------
    def _company_chosen(self, company: Company) -> None:
        session = self.manager.open_call(company.id, company.name, company.redirect)
        self.show_call(session.call_id)

    def open_company(self, company_id: str, name: str) -> None:
        """From the Companies page: the shell resolves the company; see ``open_company_requested``."""
        existing = self.manager.by_company(company_id)
        if existing is not None:
            self.show_call(existing.call_id)
        else:
            self.open_company_requested.emit(company_id, name)

    def _manager_changed(self, manager: CallManager, session: CallSession | None) -> None:
        if session is not None and session.call_id in manager.sessions:
            if session.call_id not in self.views:
                self._add(session)
            self._update_item(session)
        for call_id in list(self.views):
            if call_id not in manager.sessions:
                self._remove(call_id)

    def _add(self, session: CallSession) -> None:
        guide = self._guide_factory() if self._guide_factory else None
        view = CallView(
            session,
            self.library,
            invitation_template=self._template(),
            agent_name=self._agent(),
            guide=guide,
        )
        self.views[session.call_id] = view
        self.stack.addWidget(view)
        item = QListWidgetItem()
        item.setData(Qt.ItemDataRole.UserRole, session.call_id)
        self.calls.addItem(item)
        self._update_item(session)

    def _item(self, call_id: int) -> QListWidgetItem | None:
        for row in range(self.calls.count()):
            item = self.calls.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == call_id:
                return item
        return None

    def _update_item(self, session: CallSession) -> None:
        item = self._item(session.call_id)
        if item is None:
            return
        summary = session.summary()
        item.setText(f"{session.company_name}\n{summary}")
        item.setToolTip(summary)
        previous = self._summaries.get(session.call_id)
        self._summaries[session.call_id] = summary
        if previous is not None and previous != summary:
            self._notify(session, summary)

    def _notify(self, session: CallSession, summary: str) -> None:
        window = self.window()
        if window.isActiveWindow() or self.tray is None:
            return
        if QSystemTrayIcon.isSystemTrayAvailable() and self.tray.isVisible():
            self.tray.showMessage(
                f"LinkDesk: {session.company_name}",
                summary,
                QSystemTrayIcon.MessageIcon.Information,
            )

    def _remove(self, call_id: int) -> None:
        view = self.views.pop(call_id)
        self.stack.removeWidget(view)
        view.deleteLater()
        item = self._item(call_id)
        if item is not None:
            self.calls.takeItem(self.calls.row(item))
        self._summaries.pop(call_id, None)

    def show_start(self) -> None:
        self.calls.setCurrentItem(None)  # type: ignore[arg-type]
        self.stack.setCurrentWidget(self.start_panel)
        self.start_panel.search_edit.setFocus()

    def show_call(self, call_id: int) -> None:
        item = self._item(call_id)
        if item is not None:
            self.calls.setCurrentItem(item)
        view = self.views.get(call_id)
        if view is not None:
            self.stack.setCurrentWidget(view)

    def current_view(self) -> CallView | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, CallView) else None

    def _current_changed(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is None:
            return
        view = self.views.get(item.data(Qt.ItemDataRole.UserRole))
        if view is not None:
            self.stack.setCurrentWidget(view)

    def close_current(self) -> None:
        view = self.current_view()
        if view is not None:
            view.notes.save_now()
            self.manager.close_call(view.session.call_id)
            self.show_start()

    def _copy_link(self) -> None:
        view = self.current_view()
        if view is not None:
            view.link.copy_link()

    def _copy_invitation(self) -> None:
        view = self.current_view()
        if view is not None:
            view.link.copy_invitation()

    def _confirm(self, step: int) -> None:
        view = self.current_view()
        if view is not None:
            view.session.confirm_step(step)

    def _tick(self) -> None:
        view = self.current_view()
        if view is not None and view.session.retry_at is not None:
            view.tick_countdown()

    def save_all_notes(self) -> None:
        for view in self.views.values():
            view.notes.save_now()
