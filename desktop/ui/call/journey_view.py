"""The journey as the agent follows it: five steps, sync progress, the problem and its fix."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
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
    QVBoxLayout,
    QWidget,
)

from desktop.core.calls.session import CallSnapshot, StepView
from desktop.core.guides.library import GuideLibrary
from desktop.core.journey import Step, StepStatus
from desktop.core.store.timefmt import duration
from desktop.ui.rich_text import escape

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

    def show_platform(self, platform_key: str, stage: int) -> None:
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
    confirm_requested = Signal(int)  # step number

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
        self.problem_key_shown: str | None = None
        # Filling a guide viewer takes tens of milliseconds; a call in the background (one of
        # many followed at once) shows its guide when it comes to the front, not on every update.
        self._latest: CallSnapshot | None = None
        self._steps_shown: dict[Step, StepView] = {}  # each row as last shown

        self.retry_banner = QLabel()
        self.retry_banner.setAccessibleName("Codat not answering")
        self.retry_banner.setProperty("role", "banner")
        self.retry_banner.setStyleSheet(
            "background:#fdecea; color:#611a15; padding:6px; border-radius:4px;"
        )
        self.retry_banner.setVisible(False)
        # Said when the team's quota (or Codat) slows tracking, with the time to the next check.
        self.pace_note = QLabel()
        self.pace_note.setAccessibleName("Tracking pace")
        self.pace_note.setTextFormat(Qt.TextFormat.PlainText)
        self.pace_note.setWordWrap(True)
        self.pace_note.setVisible(False)
        self.stall = QLabel()
        self.stall.setAccessibleName("Stall prompt")
        self.stall.setWordWrap(True)
        self.stall.setStyleSheet(
            "background:#fff8e1; color:#5d4200; padding:6px; border-radius:4px;"
        )
        self.stall.setVisible(False)

        steps_box = QGroupBox("Journey")
        grid = QGridLayout(steps_box)
        self.rows: dict[Step, dict[str, QWidget]] = {}
        for row, step in enumerate(Step):
            mark = QLabel()
            title = QLabel()
            badge = QLabel()
            badge.setStyleSheet("color:#555; font-size:small;")
            when = QLabel()
            took = QLabel()
            for label, what in ((mark, "status"), (title, "title"), (badge, "provenance")):
                label.setAccessibleName(f"Step {int(step)} {what}")
            when.setAccessibleName(f"Step {int(step)} time")
            took.setAccessibleName(f"Step {int(step)} duration")
            grid.addWidget(mark, row, 0)
            grid.addWidget(title, row, 1)
            grid.addWidget(badge, row, 2)
            grid.addWidget(when, row, 3)
            grid.addWidget(took, row, 4)
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
                grid.addWidget(button, row, 5)
                cells["confirm"] = button
            self.rows[step] = cells
        grid.setColumnStretch(1, 1)

        self.sync_box = QGroupBox("First sync")
        self.sync_layout = QVBoxLayout(self.sync_box)
        self.sync_bars: dict[str, QProgressBar] = {}
        self.sync_box.setVisible(False)

        self.problem_box = QGroupBox("Problem")
        self.problem_box.setStyleSheet("QGroupBox { border: 1px solid #c62828; }")
        self.problem_text = QLabel()
        self.problem_text.setAccessibleName("Problem")
        self.problem_text.setWordWrap(True)
        self.problem_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fix_text = QLabel()
        self.fix_text.setAccessibleName("How to fix it")
        self.fix_text.setWordWrap(True)
        self.fix_text.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_text = QLabel()
        self.detail_text.setAccessibleName("Codat's message")
        self.detail_text.setWordWrap(True)
        self.correlation = QLineEdit()
        self.correlation.setReadOnly(True)
        self.correlation.setAccessibleName("Correlation id")
        self.copy_correlation = QPushButton("Copy")
        self.copy_correlation.setAccessibleName("Copy correlation id")
        self.copy_correlation.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.correlation.text())
        )
        corr_row = QHBoxLayout()
        corr_row.addWidget(QLabel("Correlation id"))
        corr_row.addWidget(self.correlation, 1)
        corr_row.addWidget(self.copy_correlation)
        self.correlation_row = QWidget()
        self.correlation_row.setLayout(corr_row)
        problem_layout = QVBoxLayout(self.problem_box)
        problem_layout.addWidget(self.problem_text)
        problem_layout.addWidget(self.fix_text)
        problem_layout.addWidget(self.detail_text)
        problem_layout.addWidget(self.correlation_row)
        self.problem_box.setVisible(False)

        self.guide_box = QGroupBox("Guide")
        guide_layout = QVBoxLayout(self.guide_box)
        guide_layout.addWidget(self.guide)
        self.guide_box.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.retry_banner)
        layout.addWidget(self.pace_note)
        layout.addWidget(self.stall)
        layout.addWidget(steps_box)
        layout.addWidget(self.problem_box)
        layout.addWidget(self.sync_box)
        layout.addWidget(self.guide_box, 1)

    # -- update from a snapshot ----------------------------------------------------------------------
    def show_snapshot(self, snap: CallSnapshot) -> None:
        for view in snap.steps:
            self._show_step(view)
        self.retry_banner.setText(snap.retry_text or "")
        self.retry_banner.setVisible(bool(snap.retry_text))
        self.show_pace(snap.pace_text)
        self.stall.setText(snap.stall_prompt or "")
        self.stall.setVisible(bool(snap.stall_prompt))
        self._show_sync(snap)
        self._latest = snap
        self._show_problem(snap)
        if self.isVisible():
            self._show_guide(snap)

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
        title.setText(f"<b>{escape(text)}</b>" if view.status is StepStatus.CURRENT else text)
        title.setAccessibleDescription(view.status.value)
        badge = cells["badge"]
        assert isinstance(badge, QLabel)
        badge.setText(view.provenance or "")
        when = cells["when"]
        assert isinstance(when, QLabel)
        when.setText(clock_time(view.at))
        took = cells["took"]
        assert isinstance(took, QLabel)
        took.setText(duration(view.duration) if view.duration is not None else "")
        button = cells.get("confirm")
        if button is not None:
            button.setVisible(view.can_confirm)

    def _show_sync(self, snap: CallSnapshot) -> None:
        self.sync_box.setVisible(bool(snap.sync_progress))
        for data_type, percent, status in snap.sync_progress:
            bar = self.sync_bars.get(data_type)
            if bar is None:
                bar = QProgressBar()
                bar.setRange(0, 100)
                bar.setAccessibleName(f"Sync of {data_type}")
                self.sync_bars[data_type] = bar
                self.sync_layout.addWidget(bar)
            bar.setValue(percent)
            bar.setFormat(f"{data_type}: {status} (%p%)")
        if snap.finished:
            self.sync_box.setTitle("First sync: done")
        else:
            self.sync_box.setTitle("First sync")

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
            self.problem_key_shown = key
            show = getattr(self.guide, "show_problem", None)
            if show is not None:
                show(key)

    def _show_guide(self, snap: CallSnapshot) -> None:
        if not snap.platform_key:
            return
        stage = int(snap.current) if snap.current is not None else int(Step.COMPLETE)
        wanted = (snap.platform_key, stage)
        if wanted == self.guide_shown:
            return
        self.guide_shown = wanted
        self.guide_box.setTitle(f"Guide: {snap.platform_name or snap.platform_key}")
        show = getattr(self.guide, "show_platform", None)
        if show is not None:
            # Filled before its box is shown: Qt then lays the guide out once, not per widget added.
            show(snap.platform_key, stage)
        self.guide_box.setVisible(True)
        if snap.problem is not None and self.problem_key_shown is None:
            self._show_problem(snap)


def separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    return line
