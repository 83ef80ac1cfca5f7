"""The journey as the agent follows it: five steps, sync progress, the problem and its fix."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.calls.session import CallSnapshot, StepView
from desktop.core.guides.library import GuideLibrary
from desktop.core.journey import Step, StepStatus
from desktop.core.store.timefmt import duration
from desktop.ui.call.styles import NoticeLabel, ProblemFrame
from desktop.ui.rich_text import escape, plain_label

COPIED_MS = 2000  # how long a Copy button says "Copied ✓"

STATUS_MARK: dict[StepStatus, str] = {
    StepStatus.WAITING: "○",
    StepStatus.CURRENT: "●",
    StepStatus.DONE: "✓",
    StepStatus.FAILED: "✗",
    StepStatus.SKIPPED: "–",
}


def clock_time(epoch: float | None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch)) if epoch is not None else ""


class GuideText(QTextBrowser):
    """A plain guide view, used when no guide viewer from the guides page is given."""

    def __init__(self, library: GuideLibrary | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.setAccessibleName("Platform guide")
        self.platform_key: str | None = None
        self.stage: int | None = None
        self.problem_key: str | None = None

    def show_platform(self, platform_key: str, stage: int, *, last_of_stage: bool = False) -> None:
        del last_of_stage  # the plain view highlights every step of the stage
        self.platform_key, self.stage = platform_key, stage
        guide = self.library.by_platform_key(platform_key) if self.library else None
        if guide is None:
            self.setHtml(f"<p>No guide for platform {escape(platform_key)}.</p>")
            return
        parts = [f"<h3>{escape(guide.name)}</h3>"]
        for i, step in enumerate(guide.steps, 1):
            body = escape(step.title)
            if step.stage == stage:
                parts.append(f"<p style='background:#fff3c4'><b>{i}. {body}</b><br>")
                parts.append(f"{escape(step.body)}</p>")
            else:
                parts.append(f"<p>{i}. {body}</p>")
        self.setHtml("".join(parts))

    def show_problem(self, key: str) -> None:
        self.problem_key = key


class JourneyView(QWidget):
    """The journey column: banners, the five steps, the problem with its fix, the first sync.

    The guide is built here (it follows the journey) but shown by the call view in its own pane:
    ``guide_box`` is not part of this widget's layout.
    """

    confirm_requested = Signal(int)  # step number
    guide_opened = Signal()  # the guide box was filled for the first time: the call view shows it

    def __init__(
        self,
        library: GuideLibrary | None,
        guide: QWidget | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.guide: QWidget = guide if guide is not None else GuideText(library)
        self.guide_shown: tuple[str, int] | None = None
        self._guide_at_sync = False
        self.problem_key_shown: str | None = None
        # Filling a guide viewer takes tens of milliseconds; a call in the background (one of
        # many followed at once) shows its guide when it comes to the front, not on every update.
        self._latest: CallSnapshot | None = None
        self._guide_timer = QTimer(self)
        self._guide_timer.setSingleShot(True)
        self._guide_timer.setInterval(0)
        self._guide_timer.timeout.connect(self._show_latest_guide)
        self._viewer_timer = QTimer(self)
        self._viewer_timer.setSingleShot(True)
        self._viewer_timer.setInterval(0)
        self._viewer_timer.timeout.connect(self._fill_viewer)
        self._steps_shown: dict[Step, StepView] = {}  # each row as last shown

        self.retry_banner = NoticeLabel("error")
        self.retry_banner.setAccessibleName("Codat not answering")
        self.retry_banner.setProperty("role", "banner")
        self.retry_banner.setVisible(False)
        # Said when the team's quota (or Codat) slows tracking, with the time to the next check.
        self.pace_note = QLabel()
        self.pace_note.setAccessibleName("Tracking pace")
        self.pace_note.setTextFormat(Qt.TextFormat.PlainText)
        self.pace_note.setWordWrap(True)
        self.pace_note.setVisible(False)
        self.stall = NoticeLabel("warning")
        self.stall.setAccessibleName("Stall prompt")
        self.stall.setVisible(False)
        self.hint = NoticeLabel("warning")
        self.hint.setAccessibleName("What to notice")
        self.hint.setVisible(False)

        self.steps_box = QGroupBox("Journey")
        grid = QGridLayout(self.steps_box)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(0)
        self.rows: dict[Step, dict[str, QWidget]] = {}
        for index, step in enumerate(Step):
            row = index * 2
            mark = QLabel()
            mark.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
            title = QLabel()
            title.setWordWrap(True)
            title.setTextFormat(Qt.TextFormat.RichText)  # only our own step titles, escaped
            badge = QLabel()
            when = QLabel()
            took = QLabel()
            for label, what in ((mark, "status"), (title, "title"), (badge, "provenance")):
                label.setAccessibleName(f"Step {int(step)} {what}")
            when.setAccessibleName(f"Step {int(step)} time")
            took.setAccessibleName(f"Step {int(step)} duration")
            details = QHBoxLayout()
            details.setContentsMargins(0, 0, 0, 6)
            details.setSpacing(10)
            details.addWidget(badge)
            details.addWidget(when)
            details.addWidget(took)
            details.addStretch(1)
            grid.addWidget(mark, row, 0, 2, 1)
            grid.addWidget(title, row, 1)
            grid.addLayout(details, row + 1, 1)
            cells: dict[str, QWidget] = {
                "mark": mark,
                "title": title,
                "badge": badge,
                "when": when,
                "took": took,
            }
            if step in (Step.OPEN_LINK, Step.REVIEW_AND_START):
                button = QPushButton("Confirm")
                button.setAccessibleName(f"Confirm step {int(step)}")
                button.setToolTip(
                    f"The API cannot see this step: confirm it when you see it on the customer's "
                    f"screen (Ctrl+Shift+{int(step)})"
                )
                button.clicked.connect(lambda _c=False, s=int(step): self.confirm_requested.emit(s))
                grid.addWidget(button, row, 2, 2, 1, Qt.AlignmentFlag.AlignVCenter)
                cells["confirm"] = button
            self.rows[step] = cells
        grid.setColumnStretch(1, 1)

        self.sync_box = QGroupBox("First sync")
        self.sync_layout = QVBoxLayout(self.sync_box)
        self.sync_bar = QProgressBar()
        self.sync_bar.setRange(0, 100)
        self.sync_bar.setAccessibleName("First sync progress")
        self.sync_counts = QLabel()
        self.sync_counts.setAccessibleName("First sync counts")
        self.sync_counts.setWordWrap(True)
        self.sync_counts.setTextFormat(Qt.TextFormat.PlainText)
        self.sync_details_button = QToolButton()
        self.sync_details_button.setText("Show each data type")
        self.sync_details_button.setCheckable(True)
        self.sync_details_button.setAccessibleName("Show each data type of the first sync")
        self.sync_details = QWidget()
        self.sync_details_layout = QVBoxLayout(self.sync_details)
        self.sync_details_layout.setContentsMargins(0, 0, 0, 0)
        self.sync_details.setVisible(False)
        self.sync_details_button.toggled.connect(self._toggle_sync_details)
        self.sync_layout.addWidget(self.sync_bar)
        self.sync_layout.addWidget(self.sync_counts)
        self.sync_layout.addWidget(self.sync_details_button)
        self.sync_layout.addWidget(self.sync_details)
        self.sync_bars: dict[str, QProgressBar] = {}
        self.sync_box.setVisible(False)

        self.problem_box = ProblemFrame()
        self.problem_box.setObjectName("ProblemBox")
        self.problem_box.setAccessibleName("Problem and its fix")
        problem_title = QLabel("Problem")
        problem_title.setObjectName("ProblemTitle")
        bold = problem_title.font()
        bold.setBold(True)
        problem_title.setFont(bold)
        self.problem_text = plain_label()  # Codat's or our words: never markup
        self.problem_text.setAccessibleName("Problem")
        self.problem_text.setWordWrap(True)
        self.problem_text.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fix_text = QLabel()
        self.fix_text.setAccessibleName("How to fix it")
        self.fix_text.setWordWrap(True)
        self.fix_text.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_text = plain_label()  # Codat's own words: a gateway's HTML page shows as text
        self.detail_text.setAccessibleName("Codat's message")
        self.detail_text.setWordWrap(True)
        self.detail_text.setTextFormat(Qt.TextFormat.PlainText)
        self.correlation = QLineEdit()
        self.correlation.setReadOnly(True)
        self.correlation.setAccessibleName("Correlation id")
        self.copy_correlation = QPushButton("Copy")
        self.copy_correlation.setAccessibleName("Copy correlation id")
        self.copy_correlation.clicked.connect(self._copy_correlation)
        corr_row = QHBoxLayout()
        corr_row.setContentsMargins(0, 0, 0, 0)
        corr_row.addWidget(QLabel("Correlation id"))
        corr_row.addWidget(self.correlation, 1)
        corr_row.addWidget(self.copy_correlation)
        self.correlation_row = QWidget()
        self.correlation_row.setLayout(corr_row)
        problem_layout = QVBoxLayout(self.problem_box)
        problem_layout.addWidget(problem_title)
        problem_layout.addWidget(self.problem_text)
        problem_layout.addWidget(self.fix_text)
        problem_layout.addWidget(self.detail_text)
        problem_layout.addWidget(self.correlation_row)
        self.problem_box.setVisible(False)

        self.guide_box = QGroupBox("Guide")
        self.guide_box.setFlat(True)
        guide_layout = QVBoxLayout(self.guide_box)
        guide_layout.setContentsMargins(0, 0, 0, 0)
        guide_layout.addWidget(self.guide)
        self.guide_box.setVisible(False)
        # Polished now, while the agent talks: not when the customer picks their software.
        self.guide_box.ensurePolished()
        warm_up = getattr(self.guide, "warm_up", None)
        if warm_up is not None:
            warm_up()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.retry_banner)
        layout.addWidget(self.pace_note)
        layout.addWidget(self.stall)
        layout.addWidget(self.hint)
        layout.addWidget(self.problem_box)
        layout.addWidget(self.steps_box)
        layout.addWidget(self.sync_box)
        layout.addStretch(1)
        # Polished now, hidden ones too: showing a label for the first time during an update
        # would polish it then, which made the first visible change wait for it.
        self.ensurePolished()
        for widget in self.findChildren(QWidget):
            widget.ensurePolished()

    def _copy_correlation(self) -> None:
        QGuiApplication.clipboard().setText(self.correlation.text())
        self.copy_correlation.setText("Copied ✓")
        QTimer.singleShot(COPIED_MS, lambda: self.copy_correlation.setText("Copy"))

    def _toggle_sync_details(self, shown: bool) -> None:
        if shown and self._latest is not None:
            self._show_sync_rows(self._latest)
        self.sync_details.setVisible(shown)
        self.sync_details_button.setText("Hide each data type" if shown else "Show each data type")

    # -- update from a snapshot ----------------------------------------------------------------------
    def show_snapshot(self, snap: CallSnapshot) -> None:
        for view in snap.steps:
            self._show_step(view)
        self.retry_banner.setText(snap.retry_text or "")
        self.retry_banner.setVisible(bool(snap.retry_text))
        self.show_pace(snap.pace_text)
        self.stall.setText(snap.stall_prompt or "")
        self.stall.setVisible(bool(snap.stall_prompt))
        hint = getattr(snap, "hint", None)
        self.hint.setText(hint or "")
        self.hint.setVisible(bool(hint))
        self._show_sync(snap)
        self._latest = snap
        self._show_problem(snap)
        if self.isVisible() and snap.platform_key:
            # The guide is filled on the next loop turn: the rows above are painted first, so
            # the agent sees the change at once however long the guide takes.
            self._guide_timer.start()

    def _show_latest_guide(self) -> None:
        if self._latest is not None and self.isVisible():
            self._show_guide(self._latest)

    def show_pace(self, text: str | None) -> None:
        self.pace_note.setText(text or "")
        self.pace_note.setVisible(bool(text))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._latest is not None:
            self._show_guide(self._latest)

    def _show_step(self, view: StepView) -> None:
        if self._steps_shown.get(view.step) == view:
            return  # an unchanged row: nothing set, nothing repainted
        self._steps_shown[view.step] = view
        cells = self.rows[view.step]
        assert isinstance(cells["mark"], QLabel)
        cells["mark"].setText(STATUS_MARK[view.status])
        cells["mark"].setToolTip(view.status.value)
        title = cells["title"]
        assert isinstance(title, QLabel)
        text = f"{int(view.step)}. {view.title}"
        title.setText(
            f"<b>{escape(text)}</b>" if view.status is StepStatus.CURRENT else escape(text)
        )
        title.setAccessibleDescription(view.status.value)
        badge = cells["badge"]
        assert isinstance(badge, QLabel)
        badge.setText(view.provenance or "")
        _show(badge, bool(view.provenance))
        when = cells["when"]
        assert isinstance(when, QLabel)
        when.setText(clock_time(view.at))
        _show(when, view.at is not None)
        took = cells["took"]
        assert isinstance(took, QLabel)
        took.setText(f"took {duration(view.duration)}" if view.duration is not None else "")
        _show(took, view.duration is not None)
        button = cells.get("confirm")
        if button is not None:
            _show(button, view.can_confirm)

    def _show_sync(self, snap: CallSnapshot) -> None:
        summary = snap.sync_summary
        self.sync_box.setVisible(summary is not None)
        if summary is None:
            return
        self.sync_bar.setValue(summary.percent)
        self.sync_bar.setFormat(summary.bar_words())
        self.sync_counts.setText(summary.words())
        # Each data type's bar is made and kept up to date only while the agent asked to see
        # them: made in the update that started the first sync, 13 bars held the loop.
        if self.sync_details_button.isChecked():
            self._show_sync_rows(snap)
        self.sync_box.setTitle("First sync: done" if snap.finished else "First sync")

    def _show_sync_rows(self, snap: CallSnapshot) -> None:
        for row in snap.sync_rows:
            bar = self.sync_bars.get(row.data_type)
            if bar is None:
                bar = QProgressBar()
                bar.setRange(0, 100)
                bar.setAccessibleName(f"Sync of {row.words}")
                self.sync_bars[row.data_type] = bar
                self.sync_details_layout.addWidget(bar)
            bar.setValue(row.percent)
            bar.setFormat(row.bar_words())

    def _show_problem(self, snap: CallSnapshot) -> None:
        problem = snap.problem
        self.problem_box.setVisible(problem is not None)
        if problem is None:
            self.problem_key_shown = None
            return
        self.problem_text.setText(problem.message)
        fix = (
            self.library.fix_for(snap.platform_key, problem.guide_keys)
            if self.library is not None
            else None
        )
        self.fix_text.setText(f"{fix.title}\n{fix.body}" if fix else "")
        self.fix_text.setVisible(fix is not None)
        self.detail_text.setText(f"Codat says: {problem.detail}" if problem.detail else "")
        self.detail_text.setVisible(bool(problem.detail))
        self.correlation.setText(snap.correlation_id or "")
        self.correlation_row.setVisible(bool(snap.correlation_id))
        key = problem.guide_keys[0]
        if key != self.problem_key_shown and snap.platform_key and self.isVisible():
            show = getattr(self.guide, "show_problem", None)
            # Only once the guide took it: before the guide is open there is no card to show.
            if show is not None and show(key) is not False:
                self.problem_key_shown = key

    def _show_guide(self, snap: CallSnapshot) -> None:
        if not snap.platform_key:
            return
        stage = int(snap.current) if snap.current is not None else int(Step.COMPLETE)
        wanted = (snap.platform_key, stage)
        # Once the first sync runs, the guide moves on to its card about the sync.
        syncing = stage == int(Step.COMPLETE) and snap.sync_summary is not None
        if wanted == self.guide_shown and syncing == self._guide_at_sync:
            return
        first = self.guide_shown is None
        self.guide_shown = wanted
        self._guide_at_sync = syncing
        self.guide_box.setTitle(f"Guide: {snap.platform_name or snap.platform_key}")
        # Shown first: a viewer that builds a guide bit by bit paints the current step's card as
        # soon as it is made, which it can only do on screen.
        self.guide_box.setVisible(True)
        if first:
            self.guide_opened.emit()
            # The guide's tab has just come to the front: it is laid out and painted in this
            # loop turn, the viewer is filled in the next (both in one turn held the loop).
            self._viewer_timer.start()
        else:
            self._fill_viewer()

    def _fill_viewer(self) -> None:
        """The viewer at the platform's guide, at the step (or the sync card) now shown."""
        snap = self._latest
        if snap is None or self.guide_shown is None or not snap.platform_key:
            return
        platform_key, stage = self.guide_shown
        show = getattr(self.guide, "show_platform", None)
        if show is not None:
            if self._guide_at_sync:
                show(platform_key, stage, last_of_stage=True)
            else:
                show(platform_key, stage)
        if snap.problem is not None and self.problem_key_shown is None:
            self._show_problem(snap)


def _show(widget: QWidget, shown: bool) -> None:
    """setVisible only on a change: even an unchanged call costs the update half a millisecond."""
    if widget.isHidden() == shown:
        widget.setVisible(shown)


def separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    return line
