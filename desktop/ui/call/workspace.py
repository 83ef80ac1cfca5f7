"""The call page: the open calls on the left, the chosen call (or the start panel) on the right."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

import shiboken6
from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from desktop.core.calls.manager import CallManager
from desktop.core.calls.outcome import Outcome, suggested_outcome
from desktop.core.calls.session import CallSession
from desktop.core.codat.models import Company
from desktop.core.guides.library import GuideLibrary
from desktop.core.reconnect import plan_link
from desktop.core.store import StoreError
from desktop.ui.call.call_view import CallView
from desktop.ui.call.notify import Notifier, TrayNotifier
from desktop.ui.call.outcome_dialog import OutcomeDialog
from desktop.ui.call.past_call import PastCallView, UndoBar
from desktop.ui.call.start_panel import StartPanel
from desktop.ui.call.store_banner import StoreBanner
from desktop.ui.rich_text import plain_label, plain_tooltip

GuideFactory = Callable[[], QWidget | None]


class LayoutMemory(Protocol):
    """Where the page's splitters were left (Qt's saveState, base64), kept across restarts."""

    def load(self) -> Mapping[str, str]: ...

    def save(self, states: Mapping[str, str]) -> None: ...


# (call id, "markdown" or "text") -> the call's export, secrets removed (see export_call).
Exporter = Callable[[int, str], str]
UNDO_MS = 8000  # how long an ended call can be brought back
STORE_RETRY_MS = 3000  # while the database refuses writes, try again this often
EXPORT_SUFFIXES = {"markdown": "md", "text": "txt"}
EXPORT_FILTERS = {"markdown": "Markdown (*.md)", "text": "Plain text (*.txt)"}


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
        notifier: Notifier | None = None,
        exporter: Exporter | None = None,
        export_dir: Callable[[], Path] | None = None,
        notify_enabled: Callable[[], bool] = lambda: True,
        layout_memory: LayoutMemory | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._memory = layout_memory
        self._layout_states: dict[str, str] = dict(layout_memory.load()) if layout_memory else {}
        self.manager = manager
        self.library = library
        self._template = invitation_template
        self._agent = agent_name
        self._guide_factory = guide_factory
        self.tray = tray
        self.notifier: Notifier | None = notifier or (TrayNotifier(tray) if tray else None)
        self._exporter = exporter
        self._notify_enabled = (
            notify_enabled  # the "Notify when a followed journey changes" setting
        )
        self._export_dir = export_dir
        self.export_dialog: QFileDialog | None = None
        self.views: dict[int, CallView] = {}
        self._items: dict[int, QListWidgetItem] = {}  # each open call's row in the list
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
        self.copy_md_button = QPushButton("Copy as Markdown")
        self.copy_md_button.setAccessibleName("Copy the call as Markdown")
        self.copy_md_button.setToolTip(
            "Copy the timeline, problems, checklist and notes as Markdown for the CRM "
            "(Ctrl+Shift+E)"
        )
        self.copy_md_button.clicked.connect(lambda: self.copy_export("markdown"))
        self.copy_text_button = QPushButton("Copy as text")
        self.copy_text_button.setAccessibleName("Copy the call as plain text")
        self.copy_text_button.setToolTip("Copy the call as plain text for the CRM (Ctrl+Alt+E)")
        self.copy_text_button.clicked.connect(lambda: self.copy_export("text"))
        self.export_button = QPushButton("Export…")
        self.export_button.setAccessibleName("Export the call to a file")
        self.export_button.setToolTip("Save the call as a Markdown or text file (Ctrl+E)")
        self.export_button.clicked.connect(self.export_to_file)
        self.export_status = plain_label()  # names a file and the system's reason
        self.export_status.setAccessibleName("Export status")
        self.export_status.setWordWrap(True)
        self.calls.setTextElideMode(Qt.TextElideMode.ElideRight)
        # The list is narrow (about 175 px at 1366x768) and its second line says where the call is
        # and what went wrong ("Step 4: Sign in and approve · connection error"): wrapped, so the
        # problem is never the part cut off. Rows grow a line instead.
        self.calls.setWordWrap(True)
        # Rows of two or three lines run together: shade every other call, as the Companies table does.
        self.calls.setAlternatingRowColors(True)
        self.calls.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side = QWidget()
        self.side = side
        self.presenting = False
        side.setMinimumWidth(side.fontMetrics().averageCharWidth() * 24)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 4, 0)
        heading = QLabel("Open calls")
        heading.setFont(bold_font())
        self.calls_empty = QLabel(
            "No call open. Start one on the right: find or create the customer's company (Ctrl+N)."
        )
        self.calls_empty.setWordWrap(True)
        self.calls_empty.setAccessibleName("No open calls")
        side_layout.addWidget(heading)
        side_layout.addWidget(self.calls_empty)
        side_layout.addWidget(self.calls, 1)
        side_layout.addWidget(self.new_button)
        side_layout.addWidget(self.close_button)
        side_layout.addWidget(self.copy_md_button)
        side_layout.addWidget(self.copy_text_button)
        side_layout.addWidget(self.export_button)
        side_layout.addWidget(self.export_status)
        recent_heading = QLabel("Recent calls")
        recent_heading.setFont(bold_font())
        self.recent = QListWidget()
        self.recent.setAccessibleName("Recent calls")
        self.recent.setToolTip("Calls you ended: choose one to read, copy or export it")
        self.recent.setTextElideMode(Qt.TextElideMode.ElideRight)
        # As the open calls: the outcome ("Linked and first sync done", or the agent's words)
        # wraps rather than being cut, and rows stay apart.
        self.recent.setWordWrap(True)
        self.recent.setAlternatingRowColors(True)
        self.recent.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.recent.currentItemChanged.connect(self._recent_chosen)
        self.recent_empty = QLabel("Calls you end are listed here.")
        self.recent_empty.setWordWrap(True)
        self.recent_empty.setAccessibleName("No recent calls")
        side_layout.addWidget(recent_heading)
        side_layout.addWidget(self.recent, 1)
        side_layout.addWidget(self.recent_empty)

        self.start_panel = start_panel
        self.start_panel.chosen.connect(self._company_chosen)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.start_panel)
        self.past = PastCallView()
        self.stack.addWidget(self.past)
        self.undo_bar = UndoBar()
        self.undo_bar.undo_requested.connect(self.undo_end)
        self.outcome_dialog: OutcomeDialog | None = None
        self._ending: tuple[int, Outcome] | None = None  # a call ended, still undoable
        self._end_timer = QTimer(self)
        self._end_timer.setSingleShot(True)
        self._end_timer.setInterval(UNDO_MS)
        self._end_timer.timeout.connect(self.finish_ending)
        self.store_banner = StoreBanner()
        self.store_banner.retry_requested.connect(self.retry_store)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("WorkspaceSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(side)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([side.fontMetrics().averageCharWidth() * 30, 10_000])
        saved = self._layout_states.get("workspace", "")
        if saved:
            self.splitter.restoreState(QByteArray.fromBase64(saved.encode("ascii")))
        self.splitter.splitterMoved.connect(lambda *_a: self._save_layout())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.store_banner)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.splitter, 1)

        for keys, slot in (
            ("Ctrl+N", self.show_start),
            ("Ctrl+L", self._copy_link),
            ("Ctrl+Shift+I", self._copy_invitation),
            ("Ctrl+Shift+1", lambda: self._confirm(1)),
            ("Ctrl+Shift+3", lambda: self._confirm(3)),
            ("Ctrl+Shift+E", lambda: self.copy_export("markdown")),
            ("Ctrl+Alt+E", lambda: self.copy_export("text")),
            ("Ctrl+E", self.export_to_file),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self._countdown.start()
        self._store_retry = QTimer(self)
        self._store_retry.setInterval(STORE_RETRY_MS)
        self._store_retry.timeout.connect(self.retry_store)
        manager.subscribe_store(self._store_changed)
        manager.subscribe(self._manager_changed)
        self._update_export_buttons()
        for session in manager.sessions.values():
            self._add(session)
        self.refresh_recent()

    # -- calls -------------------------------------------------------------------------------------
    def _company_chosen(self, company: Company) -> None:
        self.start_call(company)

    def start_call(self, company: Company, scenario: str | None = None) -> CallSession | None:
        """A call for ``company`` (its open call if it has one); None if the store refused it.

        One that already has connections is a reconnection call: the Link URL to send again and
        what the customer will see come from ``plan_link``. ``scenario`` is a practice call's.
        """
        existing = self.manager.by_company(company.id)
        if existing is not None:
            self.show_call(existing.call_id)
            return existing
        plan = plan_link(company)
        try:
            session = self.manager.open_call(
                company.id,
                company.name,
                plan.link_url,
                scenario=scenario,
                reconnection=plan.reconnection,
            )
        except StoreError as exc:  # a call needs its row in the database before it can start
            self.manager.report_store_error(exc)
            return None
        self.show_call(session.call_id)
        view = self.views.get(session.call_id)
        if view is not None and plan.reconnection:
            view.link.set_customer_sees(plan.customer_sees)
        return session

    def open_company(self, company_id: str, name: str) -> None:
        """From the Companies page: the shell resolves the company; see ``open_company_requested``."""
        existing = self.manager.by_company(company_id)
        if existing is not None:
            self.show_call(existing.call_id)
        else:
            self.open_company_requested.emit(company_id, name)

    def _manager_changed(self, manager: CallManager, session: CallSession | None) -> None:
        if not shiboken6.isValid(self):  # a call ended on quit, after the page was closed
            return
        if session is not None and session.call_id in manager.sessions:
            if session.call_id not in self.views:
                self._add(session)
            self._update_item(session)
        removed = [call_id for call_id in self.views if call_id not in manager.sessions]
        for call_id in removed:
            self._remove(call_id)
        if removed:
            self.refresh_recent()

    def _add(self, session: CallSession) -> None:
        guide = self._guide_factory() if self._guide_factory else None
        view = CallView(
            session,
            self.library,
            invitation_template=self._template(),
            agent_name=self._agent(),
            guide=guide,
            practice=session.practice,
        )
        self.views[session.call_id] = view
        view.restore_splitter(self._layout_states.get("call", ""))
        view.on_splitter_moved(self._call_splitter_moved)
        if self.presenting:
            view.set_presentation(True)
        self.stack.addWidget(view)
        item = QListWidgetItem()
        item.setData(Qt.ItemDataRole.UserRole, session.call_id)
        self.calls.addItem(item)
        self._items[session.call_id] = item
        self._update_item(session)
        self._update_export_buttons()

    # -- splitters remember their place -----------------------------------------------------------
    def _save_layout(self) -> None:
        self._layout_states["workspace"] = bytes(
            self.splitter.saveState().toBase64().data()
        ).decode("ascii")
        if self._memory is not None:
            self._memory.save(dict(self._layout_states))

    def _call_splitter_moved(self, state: str) -> None:
        self._layout_states["call"] = state
        for view in self.views.values():  # every call keeps the same layout
            if view.splitter_state() != state:
                view.restore_splitter(state)
        self._save_layout()

    def set_presentation(self, on: bool) -> None:
        """On a shared screen the customer must not see other customers' calls or the agent's tools."""
        self.presenting = on
        self.side.setVisible(not on)
        self.start_panel.set_presentation(on)
        for view in self.views.values():
            view.set_presentation(on)

    def _item(self, call_id: int) -> QListWidgetItem | None:
        # Kept by call id: looking through the list asked Qt for every row's data (a wrapper
        # and a conversion each) on every journey update of every call.
        return self._items.get(call_id)

    def _update_item(self, session: CallSession) -> None:
        item = self._item(session.call_id)
        if item is None:
            return
        summary = session.summary()
        item.setText(f"{session.company_name}\n{summary}")
        item.setToolTip(plain_tooltip(f"{session.company_name}\n{summary}"))
        previous = self._summaries.get(session.call_id)
        self._summaries[session.call_id] = summary
        if previous is not None and previous != summary:
            self._notify(session, summary)

    def _notify(self, session: CallSession, summary: str) -> None:
        if self.notifier is None or self.window().isActiveWindow() or not self._notify_enabled():
            return
        self.notifier.show(f"LinkDesk: {session.company_name}", summary)

    def _remove(self, call_id: int) -> None:
        view = self.views.pop(call_id)
        self.stack.removeWidget(view)
        view.deleteLater()
        item = self._items.pop(call_id, None)
        if item is not None:
            self.calls.takeItem(self.calls.row(item))
        self._summaries.pop(call_id, None)
        self._update_export_buttons()

    def _clear_recent(self) -> None:
        self.recent.blockSignals(True)
        self.recent.setCurrentItem(None)  # type: ignore[call-overload]
        self.recent.blockSignals(False)

    def show_start(self) -> None:
        self._clear_recent()
        self.calls.setCurrentItem(None)  # type: ignore[call-overload]
        self.stack.setCurrentWidget(self.start_panel)
        self.manager.focus(None)
        self.start_panel.search_edit.setFocus()
        self._update_export_buttons()

    def show_call(self, call_id: int) -> None:
        item = self._item(call_id)
        if item is not None:
            self.calls.setCurrentItem(item)
        view = self.views.get(call_id)
        if view is not None:
            self.stack.setCurrentWidget(view)
            self.manager.focus(call_id)
        self._update_export_buttons()

    def current_view(self) -> CallView | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, CallView) else None

    def _current_changed(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is None:
            return
        view = self.views.get(item.data(Qt.ItemDataRole.UserRole))
        if view is not None:
            self._clear_recent()
            self.stack.setCurrentWidget(view)
            self.manager.focus(view.session.call_id)
        self._update_export_buttons()

    # -- ending a call: its outcome, undoable for a few seconds -----------------------------------
    def close_current(self) -> None:
        """End call: asks how it ended (opened, never exec'd), then ends it undoably."""
        view = self.current_view()
        if view is None:
            return
        state = view.session.state
        dialog = OutcomeDialog(
            view.session.company_name, suggested_outcome(state.linked, state.synced), self
        )
        call_id = view.session.call_id
        dialog.chosen.connect(lambda outcome: self.end_call(call_id, outcome))
        self.outcome_dialog = dialog
        dialog.open()

    def end_call(self, call_id: int, outcome: Outcome) -> None:
        """The call leaves the list now and is ended for good after UNDO_MS, unless undone."""
        self.finish_ending()  # one undo at a time: an earlier ending becomes final
        view = self.views.get(call_id)
        if view is None:
            return
        view.notes.save_now()
        self._ending = (call_id, outcome)
        item = self._item(call_id)
        if item is not None:
            item.setHidden(True)
        self.show_start()
        self.undo_bar.show_ended(view.session.company_name, outcome.words(), UNDO_MS // 1000)
        self._end_timer.start()

    def undo_end(self) -> None:
        ending, self._ending = self._ending, None
        self._end_timer.stop()
        self.undo_bar.setVisible(False)
        if ending is None:
            return
        item = self._item(ending[0])
        if item is not None:
            item.setHidden(False)
        self.show_call(ending[0])

    def finish_ending(self) -> None:
        """End the call waiting for its undo now (its time ran out, or the app is closing)."""
        ending, self._ending = self._ending, None
        if shiboken6.isValid(self):  # on quit the page may be gone already; the call is not
            self._end_timer.stop()
            self.undo_bar.setVisible(False)
        if ending is not None:
            self.manager.close_call(ending[0], ending[1])

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
        if view is not None and (view.session.retry_at is not None or view.session.pace):
            view.tick_countdown()

    def save_all_notes(self) -> None:
        """On quit: every note typed, and a call ended a moment ago ended for good."""
        if shiboken6.isValid(self):
            for view in self.views.values():
                view.notes.save_now()
        self.finish_ending()

    # -- recent calls ------------------------------------------------------------------------------
    def refresh_recent(self) -> None:
        chosen = self._recent_id()
        self.recent.blockSignals(True)
        self.recent.clear()
        for call in self.manager.recent_calls():
            kind = "Practice · " if call.practice else ""
            when = time.strftime("%d %b %H:%M", time.localtime(call.closed_at))
            item = QListWidgetItem(
                f"{call.company_name}\n{kind}{when} · {call.outcome or 'no outcome'}"
            )
            item.setData(Qt.ItemDataRole.UserRole, call.call_id)
            item.setToolTip(
                plain_tooltip(f"{call.company_name}\n{call.outcome or 'No outcome recorded'}")
            )
            self.recent.addItem(item)
            if call.call_id == chosen:
                self.recent.setCurrentItem(item)
        self.recent.blockSignals(False)
        self.recent_empty.setVisible(self.recent.count() == 0)
        self.recent.setVisible(self.recent.count() > 0)

    def _recent_id(self) -> int | None:
        item = self.recent.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return value if isinstance(value, int) else None

    def _recent_chosen(self, item: QListWidgetItem | None, _previous: object) -> None:
        call_id = self._recent_id()
        if item is None or call_id is None:
            return
        self.calls.setCurrentItem(None)  # type: ignore[call-overload]
        text = ""
        if self._exporter is not None:
            try:
                text = self._exporter(call_id, "text")
            except StoreError as exc:
                self.manager.report_store_error(exc)
        self.past.show_call(call_id, text)
        self.stack.setCurrentWidget(self.past)
        self._update_export_buttons()

    # -- export for the CRM ------------------------------------------------------------------------
    def selected_call_id(self) -> int | None:
        """The call the side buttons act on: the one shown, open or ended."""
        view = self.current_view()
        if view is not None:
            return view.session.call_id
        if self.stack.currentWidget() is self.past:
            return self.past.call_id
        return None

    def _update_export_buttons(self) -> None:
        shown = sum(1 for row in range(self.calls.count()) if not self.calls.item(row).isHidden())
        self.calls_empty.setVisible(shown == 0)
        selected = self.selected_call_id()
        able = self._exporter is not None and selected is not None
        for button in (self.copy_md_button, self.copy_text_button, self.export_button):
            button.setEnabled(able)
        self.close_button.setEnabled(self.current_view() is not None)

    def export_text(self, fmt: str) -> str | None:
        """The current call as ``fmt``, with the notes just typed; None if there is nothing."""
        call_id = self.selected_call_id()
        if call_id is None or self._exporter is None:
            return None
        view = self.current_view()
        if view is not None:
            view.notes.save_now()
        try:
            return self._exporter(call_id, fmt)
        except StoreError as exc:
            self.manager.report_store_error(exc)
            return None

    def copy_export(self, fmt: str) -> None:
        text = self.export_text(fmt)
        if text is None:
            return
        QGuiApplication.clipboard().setText(text)
        words = "Markdown" if fmt == "markdown" else "plain text"
        self.export_status.setText(f"Copied the call as {words}.")

    def export_to_file(self) -> None:
        """Asks where to save (opened, never exec'd: the asyncio loop keeps running)."""
        call_id = self.selected_call_id()
        if call_id is None or self._exporter is None:
            return
        view = self.views.get(call_id)
        name = view.session.company_name if view is not None else self.past.company
        dialog = QFileDialog(self, "Export call")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setNameFilters(list(EXPORT_FILTERS.values()))
        dialog.setDefaultSuffix(EXPORT_SUFFIXES["markdown"])
        dialog.filterSelected.connect(
            lambda chosen: dialog.setDefaultSuffix("txt" if "*.txt" in chosen else "md")
        )
        if self._export_dir is not None:
            dialog.setDirectory(str(self._export_dir()))
        dialog.selectFile(export_file_name(call_id, name))
        dialog.fileSelected.connect(lambda path: self.write_export(call_id, Path(path)))
        self.export_dialog = dialog
        dialog.open()

    def write_export(self, call_id: int, path: Path) -> bool:
        """Writes the call to ``path``: plain text for a .txt name, Markdown otherwise."""
        if self._exporter is None:
            return False
        fmt = "text" if path.suffix.lower() == ".txt" else "markdown"
        view = self.views.get(call_id)
        if view is not None:
            view.notes.save_now()
        try:
            text = self._exporter(call_id, fmt)
            path.write_text(text, encoding="utf-8")
        except StoreError as exc:
            self.manager.report_store_error(exc)
            return False
        except OSError as exc:
            self.export_status.setText(f"Could not write {path}: {exc.strerror or exc}")
            return False
        self.export_status.setText(f"Saved the call to {path}.")
        return True

    # -- a database that refuses writes ------------------------------------------------------------
    def _store_changed(self, error: StoreError | None) -> None:
        if error is None:
            self.store_banner.setVisible(False)
            self._store_retry.stop()
            return
        self.store_banner.show_error(error)
        if error.queued and not self._store_retry.isActive():
            self._store_retry.start()

    def retry_store(self) -> None:
        self.manager.retry_store()


def bold_font() -> QFont:
    """Bold and nothing else: size and family still follow the app (text size, presentation)."""
    font = QFont()
    font.setBold(True)
    return font


def export_file_name(call_id: int, company: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", company).strip("-").lower()[:40] or "call"
    return f"call-{call_id}-{slug}.{EXPORT_SUFFIXES['markdown']}"
