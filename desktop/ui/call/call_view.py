"""One call's screen: the Link URL, the checklist, the journey, the notes and the timeline."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QScrollArea,
    QSplitter,
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
from desktop.ui.guides import presentation


class CallView(QWidget):
    def __init__(
        self,
        session: CallSession,
        library: GuideLibrary | None,
        *,
        invitation_template: str,
        agent_name: str,
        guide: QWidget | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        checklist = library.checklist if library else None
        self.title = QLabel(session.company_name)
        self.title.setAccessibleName("Customer company")
        self.title.setProperty("role", "title")
        self.title.setStyleSheet("font-size: 16pt; font-weight: 600;")
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
        notes_box = QGroupBox("Notes")
        self.notes_box = notes_box
        self.notes = NotesEdit(session.save_notes)
        self.notes.set_notes(session.notes)
        notes_layout = QVBoxLayout(notes_box)
        notes_layout.addWidget(self.notes)
        timeline_box = QGroupBox("Timeline")
        self.timeline_box = timeline_box
        self.timeline = QListWidget()
        self.timeline.setAccessibleName("Call timeline")
        self.timeline.setWordWrap(True)
        self.timeline.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        timeline_layout = QVBoxLayout(timeline_box)
        timeline_layout.addWidget(self.timeline)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.title)
        left_layout.addWidget(self.link)
        left_layout.addWidget(self.checklist)
        left_layout.addWidget(notes_box, 1)
        middle = QScrollArea()
        middle.setWidgetResizable(True)
        middle.setWidget(self.journey)
        middle.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(timeline_box)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(middle)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        splitter.setSizes([400, 600, 400])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.guide = guide
        self._unsubscribe = session.subscribe(refresh_when_shown(self, self.refresh))
        self.destroyed.connect(lambda *_a: self._unsubscribe())
        self.refresh()

    def set_presentation(self, on: bool) -> None:
        """For a shared screen: larger type, high contrast, and the agent's notes and timeline hidden."""
        self.notes_box.setVisible(not on)
        self.timeline_box.setVisible(not on)
        presentation.apply(self, on)
        set_guide = getattr(self.guide, "set_presentation", None)
        if set_guide is not None:
            set_guide(on)

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
