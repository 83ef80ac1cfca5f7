"""One call's screen, laid out for a laptop (1366×768 down to a 1024×700 window).

Top: the company (one line, elided) and the Link URL with its actions. Below, side by side in a
splitter the agent can move: the journey column (banners, the problem with its fix, the five steps
with their provenance and Confirm buttons, the first sync) and a pane of tabs: the platform's guide,
the customer checklist, the notes and the timeline. The journey column never scrolls sideways.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QEvent, QSize, Qt
from PySide6.QtGui import QFont, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.calls.session import CallSession
from desktop.core.guides.library import GuideLibrary
from desktop.ui.call.checklist import ChecklistBox, checklist_text
from desktop.ui.call.journey_view import JourneyView, clock_time
from desktop.ui.call.link_panel import LinkPanel, render_invitation
from desktop.ui.call.notes import NotesEdit
from desktop.ui.call.when_shown import refresh_when_shown
from desktop.ui.elide import ElidedLabel
from desktop.ui.guides import presentation

TITLE_SCALE = 1.5  # the company name, relative to the text size the agent chose
# The journey column's share of the splitter at first; the guide pane gets the rest.
JOURNEY_SHARE = 0.46


class _Column(QScrollArea):
    """Scrolls up and down only: it is always at least as wide as what it holds needs."""

    def __init__(self, inner: QWidget) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(inner)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        inner = self.widget()
        if inner is not None:
            bar = self.verticalScrollBar().sizeHint().width()
            hint.setWidth(inner.minimumSizeHint().width() + bar + 2 * self.frameWidth())
        return hint


class CallView(QWidget):
    def __init__(
        self,
        session: CallSession,
        library: GuideLibrary | None,
        *,
        invitation_template: str,
        agent_name: str,
        guide: QWidget | None = None,
        practice: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        checklist = library.checklist if library else None
        self.title = ElidedLabel(session.company_name)
        self.title.setAccessibleName("Customer company")
        self.title.setProperty("role", "title")
        self._scale_title()
        self._practice = practice or ""
        self.kind = QLabel(f"Practice call · {practice}" if practice else "")
        self.kind.setAccessibleName("Kind of call")
        self.kind.setTextFormat(Qt.TextFormat.PlainText)  # the scenario's name is the sandbox's
        self.kind.setVisible(bool(practice))
        self.link = LinkPanel()
        self.link.set_link(
            session.link_url,
            render_invitation(
                invitation_template,
                session.company_name,
                session.link_url,
                checklist_text(checklist),
                agent_name,
            ),
        )
        self.link.copied.connect(session.note_action)
        self.checklist = ChecklistBox(checklist)
        self.checklist.set_ticks(session.ticks)
        self.checklist.ticked.connect(
            lambda key, on: session.set_tick(key, on, self.checklist.label(key))
        )
        self.journey = JourneyView(library, guide)
        self.journey.confirm_requested.connect(session.confirm_step)
        self.notes_box = QWidget()
        self.notes_box.setAccessibleName("Notes")
        self.notes = NotesEdit(session.save_notes)
        self.notes.set_notes(session.notes)
        QVBoxLayout(self.notes_box).addWidget(self.notes)
        self.timeline_box = QWidget()
        self.timeline_box.setAccessibleName("Timeline")
        self.timeline = QListWidget()
        self.timeline.setAccessibleName("Call timeline")
        self.timeline.setWordWrap(True)
        self.timeline.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QVBoxLayout(self.timeline_box).addWidget(self.timeline)

        # The guide's tab: a word on what comes until the customer picks their software.
        self.guide_page = QWidget()
        self.guide_page.setAccessibleName("Guide")
        self.guide_waiting = QLabel(
            "The platform's guide opens here, at the customer's step, as soon as they pick "
            "their accounting software in Link."
        )
        self.guide_waiting.setWordWrap(True)
        self.guide_waiting.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        guide_layout = QVBoxLayout(self.guide_page)
        guide_layout.setContentsMargins(4, 4, 4, 4)
        guide_layout.addWidget(self.guide_waiting)
        guide_layout.addWidget(self.journey.guide_box, 1)
        checklist_page = QScrollArea()
        checklist_page.setWidgetResizable(True)
        checklist_page.setFrameShape(QFrame.Shape.NoFrame)
        checklist_page.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        checklist_page.setWidget(self.checklist)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Guide, checklist, notes and timeline")
        self.tabs.setDocumentMode(True)
        # Alt+C, Alt+G, Alt+N, Alt+T choose a tab without the mouse (the call page's other
        # shortcuts hold Ctrl, so none of these is taken).
        self.checklist_tab = self.tabs.addTab(checklist_page, "&Checklist")
        self.guide_tab = self.tabs.addTab(self.guide_page, "&Guide")
        self.notes_tab = self.tabs.addTab(self.notes_box, "&Notes")
        self.timeline_tab = self.tabs.addTab(self.timeline_box, "&Timeline")
        self.journey.guide_opened.connect(self.show_guide_tab)
        self.tabs.currentChanged.connect(self._tab_chosen)

        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.kind)
        self.column = _Column(self.journey)
        self.column.setAccessibleName("Journey column")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("CallSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.column)
        self.splitter.addWidget(self.tabs)
        # A wider window widens the guide; the journey column keeps the width it was given.
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.tabs.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._sized = False
        self._pending_state: QByteArray | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.link)
        layout.addWidget(self.splitter, 1)
        self.guide = guide
        self.presenting = False
        self._unsubscribe = session.subscribe(refresh_when_shown(self, self.refresh))
        self.destroyed.connect(lambda *_a: self._unsubscribe())
        self.refresh()

    def _scale_title(self) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), 1.0) * TITLE_SCALE)
        font.setBold(True)
        self.title.setFont(font)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # text size or presentation: the title too
            self._scale_title()

    # -- the splitter -------------------------------------------------------------------------------
    def splitter_state(self) -> str:
        return bytes(self.splitter.saveState().toBase64().data()).decode("ascii")

    def restore_splitter(self, text: str) -> bool:
        """Put the splitter where the agent left it; False if ``text`` is not a saved state.

        Before the view has its size the state is kept and applied on the first resize: a state
        applied earlier is redistributed when the window lays the view out.
        """
        if not text:
            return False
        state = QByteArray.fromBase64(text.encode("ascii"))
        if not self._sized:
            self._pending_state = state
            return True
        return self.splitter.restoreState(state)

    def on_splitter_moved(self, save: Callable[[str], None]) -> None:
        self.splitter.splitterMoved.connect(lambda *_a: save(self.splitter_state()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._first_size()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._first_size()

    def _first_size(self) -> None:
        if self._sized or not self.isVisible() or self.splitter.width() <= 0:
            return
        self._sized = True
        if self._pending_state is not None and self.splitter.restoreState(self._pending_state):
            return
        # First shown: the journey column gets its share, never less than it needs.
        total = self.splitter.width() - self.splitter.handleWidth()
        left = max(self.column.minimumSizeHint().width(), round(total * JOURNEY_SHARE))
        self.splitter.setSizes([left, max(0, total - left)])

    # -- tabs -----------------------------------------------------------------------------------------
    def show_guide_tab(self) -> None:
        self.guide_waiting.setVisible(False)
        self.tabs.setCurrentIndex(self.guide_tab)

    def _tab_chosen(self, index: int) -> None:
        # On a shared screen the agent's notes and timeline never show, not even by a shortcut.
        if self.presenting and index in (self.notes_tab, self.timeline_tab):
            shown = (
                self.guide_tab if self.journey.guide_box.isVisibleTo(self) else self.checklist_tab
            )
            self.tabs.setCurrentIndex(shown)

    def set_presentation(self, on: bool) -> None:
        """For a shared screen: larger type, high contrast, and the agent's notes and timeline hidden."""
        self.presenting = on
        if self._practice:  # the scenario and platform key are the trainer's, not the screen's
            self.kind.setText("Practice call" if on else f"Practice call · {self._practice}")
        # Shared, the Link URL shows from its start and unselected, wherever focus went.
        self.link.url_edit.deselect()
        self.link.url_edit.setCursorPosition(0)
        self._tab_chosen(self.tabs.currentIndex())
        self.tabs.setTabVisible(self.notes_tab, not on)
        self.tabs.setTabVisible(self.timeline_tab, not on)
        presentation.apply(self, on)
        self._scale_title()
        set_guide = getattr(self.guide, "set_presentation", None)
        if set_guide is not None:
            set_guide(on)
        if on and self.journey.guide_box.isVisibleTo(self):
            self.show_guide_tab()

    def refresh(self) -> None:
        snap = self.session.snapshot()
        self.journey.show_snapshot(snap)
        # The timeline only grows; add what is new rather than rebuilding the list.
        new = snap.timeline[self.timeline.count() :]
        for entry in new:
            self.timeline.addItem(f"{clock_time(entry.at)}  {entry.message}")
        if new:  # scrolling lays the whole list out again: only when it grew
            self.timeline.scrollToBottom()

    def tick_countdown(self) -> None:
        """Once a second, so the retry banner and the pace count down between tracker reports."""
        text = self.session.retry_text()
        self.journey.retry_banner.setText(text or "")
        self.journey.retry_banner.setVisible(bool(text))
        self.journey.show_pace(self.session.pace_text())
