"""The Reports page (Ctrl+4): where customers get stuck, per platform and per step.

Four views, each a chart with a table beside it (the table is what screen readers read, and
double-clicking one of its rows does what clicking the bar does): the step funnel, time per step,
problems, platforms. Clicking a bar lists the calls behind it below; opening one shows the saved
call. The page holds no figures of its own: it asks the ``ReportsSource`` it is given (the app
passes ``desktop.core.stats.StatsService``) and shows the answer. The "Team calls" toggle asks the
team source instead (``desktop.core.stats.team.TeamStatsService``, the team's calls read from the
team hub), and adds the Agents view; without a team hub the toggle explains how to get one. The charts' library (pyqtgraph)
is imported the first time the page is shown, never at start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QDate, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.stats.behind import UNKNOWN_PLATFORM, Behind
from desktop.core.stats.filters import StatsFilter
from desktop.core.store.timefmt import duration, local
from desktop.ui.empty_state import EmptyState
from desktop.ui.theme import PRESENTATION_SCALE

if TYPE_CHECKING:
    from desktop.core.stats.report import Group, Report
    from desktop.core.store import Call
    from desktop.ui.reports.charts import BarChart

log = logging.getLogger(__name__)
Spawn = Callable[[Coroutine[Any, Any, Any], str], Any]
TABLE_MOST = 560  # pixels (at 1x): the widest a table beside its chart may ask to be
CHART_LEAST = 300  # pixels: the narrowest chart worth drawing
VIEWS = ("funnel", "times", "problems", "platforms", "agents")
CLICK_HINT = "Click a bar (a step, a problem, a platform, an agent) to list its calls."
COMPANY_COLUMN = 2  # of the calls behind a figure
NOT_WHILE_PRESENTING = (
    "Saved calls open only outside presentation mode: they name the customer's company."
)
NO_TEAM_HUB = (
    "The team's calls come from the team hub, and none is set up on this computer: add its URL "
    "in Settings → Team hub (from the next start, every LinkDesk of the team shares the calls it "
    "ends there). Until then these are the calls saved here."
)


class ReportsSource(Protocol):
    async def report(self, filters: StatsFilter) -> Report: ...
    async def calls_behind(self, filters: StatsFilter, behind: Behind) -> list[Call]: ...
    async def choices(self) -> tuple[list[tuple[str, str]], list[str]]: ...
    async def call_text(self, call_id: int) -> str: ...


class TeamReportsSource(ReportsSource, Protocol):
    notice: str  # plain words on the last read of the team stream

    async def refresh(self, *, force: bool = False) -> bool: ...


def _table(name: str, headers: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.horizontalHeader().setAccessibleName(f"{name} columns")
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _wanted_width(table: QTableWidget) -> int:
    """Pixels to show every column whole, with room for a vertical scroll bar."""
    header = table.horizontalHeader()
    widths = [
        max(table.sizeHintForColumn(c), header.sectionSizeHint(c))
        for c in range(table.columnCount())
    ]
    if widths and header.stretchLastSection():  # a stretched section is never below the default
        widths[-1] = max(widths[-1], header.defaultSectionSize())
    columns = sum(widths)
    return columns + 2 * table.frameWidth() + table.verticalScrollBar().sizeHint().width() + 2


def _fill(table: QTableWidget, rows: list[tuple[str, ...]], numbers: range) -> None:
    """Rows of plain text (names come from outside); the ``numbers`` columns aligned right."""
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if c in numbers:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0%}"


def _seconds(value: float | None) -> str:
    return "-" if value is None else duration(value)


class CallTextDialog(QDialog):
    """A saved call, read-only, as the CRM export shows it."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(720, 560)
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Saved call")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)


class ReportsPage(QWidget):
    """See the module docstring. ``report_shown`` fires each time new figures are on screen."""

    report_shown = Signal()
    calls_listed = Signal()

    def __init__(
        self,
        source: ReportsSource,
        spawn: Spawn,
        parent: QWidget | None = None,
        *,
        team: TeamReportsSource | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Reports")
        self.local_source = source
        self.team_source = team
        self.source: ReportsSource = source
        self.spawn = spawn
        self.report: Report | None = None
        self.behind_calls: list[Call] = []
        self.behind: Behind | None = None
        self.charts: dict[str, BarChart] = {}
        self.presentation = False
        self._choices_loaded = False
        self._reread_team = False  # Refresh/F5 in the Team view: read the hub now
        self._dialogs: list[QWidget] = []  # keep the open dialogs alive
        self._build()

    # -- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self._filters_rows())
        self.headline = QLabel("Reading the saved calls…")
        self.headline.setAccessibleName("Report summary")
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.headline)
        self.team_note = QLabel()
        self.team_note.setAccessibleName("Team calls note")
        self.team_note.setWordWrap(True)
        self.team_note.setTextFormat(Qt.TextFormat.PlainText)
        self.team_note.setVisible(False)
        layout.addWidget(self.team_note)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Report views")
        self.tables = {
            "funnel": _table("Funnel table", ("Step", "Reached", "Passed", "Stopped here")),
            "times": _table("Time per step table", ("Step", "Calls timed", "Median", "90%")),
            "problems": _table("Problems table", ("Problem", "Calls", "Share")),
            "platforms": _table(
                "Platforms table", ("Platform", "Calls", "Linked", "Synced", "Top problem")
            ),
            "agents": _table("Agents table", ("Agent", "Calls", "Linked", "Synced", "Top problem")),
        }
        self.chart_slots: dict[str, QSplitter] = {}
        titles = {
            "funnel": "&Funnel",
            "times": "&Time per step",
            "problems": "P&roblems",
            "platforms": "P&latforms",
            "agents": "Age&nts",
        }
        for key in VIEWS:
            split = QSplitter(Qt.Orientation.Horizontal)
            split.addWidget(self.tables[key])
            split.setChildrenCollapsible(False)
            self.chart_slots[key] = split
            self.tables[key].itemActivated.connect(
                lambda item, k=key: self._row_activated(k, item.row())
            )
            self.tabs.addTab(split, titles[key])
        self.tabs.setTabVisible(VIEWS.index("agents"), False)  # the team view's
        self._table_wanted: dict[str, int] = {}
        self.tabs.currentChanged.connect(
            lambda _index: QTimer.singleShot(0, self, self._size_tables)
        )
        layout.addWidget(self.tabs, 3)
        # In the views' place when no saved call passes the filters: why, and what makes calls count.
        self.empty = EmptyState("No calls saved yet", "")
        self.empty.hide()
        layout.addWidget(self.empty, 4)
        self.behind_label = QLabel(CLICK_HINT)
        self.behind_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.behind_label)
        self.tabs.currentChanged.connect(lambda _index: self._sync_hint())
        self.behind_table = _table(
            "Calls behind the figure", ("Call", "Opened", "Company", "Platform", "Outcome")
        )
        self.behind_table.itemActivated.connect(lambda item: self.open_call(item.row()))
        layout.addWidget(self.behind_table, 1)
        self.status = QLabel()
        self.status.setAccessibleName("Reports status")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.status)
        QShortcut(QKeySequence("F5"), self, self.reread)

    def _filters_rows(self) -> QVBoxLayout:
        """Two rows, so the page (and with it the window) still fits a 1024-pixel laptop screen:
        which calls (dates, platform, agent), then which kind and what to do with them."""
        rows = QVBoxLayout()
        row = QHBoxLayout()
        rows.addLayout(row)
        today = QDate.currentDate()
        self.since_on = QCheckBox("&From")
        self.since = QDateEdit(today.addDays(-30))
        self.until_on = QCheckBox("T&o")
        self.until = QDateEdit(today)
        for check, edit, name in (
            (self.since_on, self.since, "From date"),
            (self.until_on, self.until, "To date"),
        ):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.lineEdit().setAccessibleName(name)
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(self.refresh)
            edit.dateChanged.connect(self.refresh)
            row.addWidget(check)
            row.addWidget(edit)
        self.platform = QComboBox()
        self.platform.setAccessibleName("Platform")
        self.platform.addItem("All platforms", None)
        self.agent = QComboBox()
        self.agent.setAccessibleName("Agent")
        self.agent.addItem("All agents", None)
        for combo in (self.platform, self.agent):
            combo.currentIndexChanged.connect(self.refresh)
            row.addWidget(combo)
        row.addStretch(1)
        row = QHBoxLayout()
        rows.addLayout(row)
        self.practice = QCheckBox("Include &practice calls")
        self.practice.toggled.connect(self.refresh)
        row.addWidget(self.practice)
        self.team = QCheckBox("T&eam calls")
        self.team.setAccessibleName("Team calls (every agent's, from the team hub)")
        self.team.setToolTip("Every agent's finished calls, read from the team hub")
        self.team.toggled.connect(self._team_toggled)
        row.addWidget(self.team)
        row.addStretch(1)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Read the saved calls again (F5)")
        self.refresh_button.clicked.connect(self.reread)
        self.csv_button = QPushButton("Export &CSV…")
        self.csv_button.clicked.connect(self.ask_csv_path)
        self.png_button = QPushButton("Export PN&G…")
        self.png_button.setToolTip("Save the chart on screen as a picture")
        self.png_button.clicked.connect(self.ask_png_path)
        for button in (self.refresh_button, self.csv_button, self.png_button):
            row.addWidget(button)
        return rows

    # -- showing ----------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:
        """Charts on the first visit; fresh figures on every visit (calls end meanwhile)."""
        super().showEvent(event)
        if not self.charts:
            self._build_charts()
        self.refresh()

    def _build_charts(self) -> None:
        from desktop.ui.reports.charts import BarChart

        self.charts = {
            "funnel": BarChart("Calls reaching each step (pale: stopped there)"),
            "times": BarChart(
                "Median time per step, seconds (pale: 90%)",
                empty_text="No step of these calls has been timed yet.",
            ),
            "problems": BarChart(
                "Calls meeting each problem",
                horizontal=True,
                empty_text="None of these calls met a problem.",
            ),
            "platforms": BarChart("Calls per platform (pale: linked)", horizontal=True),
            "agents": BarChart("Calls per agent (pale: linked)", horizontal=True),
        }
        for key, chart in self.charts.items():
            self.chart_slots[key].insertWidget(0, chart)
            self.chart_slots[key].setStretchFactor(0, 1)  # the table keeps its width
            self.chart_slots[key].setStretchFactor(1, 0)
            chart.bar_clicked.connect(lambda index, k=key: self._row_activated(k, index))
            chart.set_font_scale(PRESENTATION_SCALE if self.presentation else 1.0)
        if self.report is not None:
            self._draw(self.report)
        self._sync_hint()

    def set_presentation(self, on: bool) -> None:
        """For a shared screen. The text grows with the page stack's font (MainWindow); the
        charts draw their own text, so they are told. Other customers' company names never show:
        not the Company column, nor a saved call (its title and text name the company), nor the
        exports (a file dialog over the agent's folders)."""
        self.presentation = on
        for chart in self.charts.values():
            chart.set_font_scale(PRESENTATION_SCALE if on else 1.0)
        self.behind_table.setColumnHidden(COMPANY_COLUMN, on)
        self._fill_behind()  # the names are left out of the cells too, not only hidden
        for button in (self.csv_button, self.png_button):
            button.setVisible(not on)
        if on:
            for dialog in list(self._dialogs):
                if isinstance(dialog, (CallTextDialog, QFileDialog)):
                    dialog.reject()
        self._fit_tables()  # larger text, wider columns

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            for chart in self.charts.values():
                chart.restyle()
        if event.type() == QEvent.Type.FontChange:  # text size or presentation: wider columns
            self._fit_tables()

    # -- filters and figures ----------------------------------------------------------------
    def filters(self) -> StatsFilter:
        """The filters as set on the page; the "to" day is included (up to the next midnight)."""
        since = _midnight(_day(self.since.date())) if self.since_on.isChecked() else None
        until = None
        if self.until_on.isChecked():
            until = _midnight(_day(self.until.date()) + timedelta(days=1))
        return StatsFilter(
            since=since,
            until=until,
            platform=self.platform.currentData(),
            agent=self.agent.currentData(),
            practice=self.practice.isChecked(),
        )

    def _team_toggled(self, on: bool) -> None:
        """Switch between this computer's calls and the team's (or say how to get the team's)."""
        if self.team_source is None:
            self.team_note.setText(NO_TEAM_HUB if on else "")
            self.team_note.setVisible(on)
            return
        self.source = self.team_source if on else self.local_source
        self.team_note.setVisible(on)
        self.team_note.setText("Reading the team's calls from the team hub…" if on else "")
        self.tabs.setTabVisible(VIEWS.index("agents"), on)
        self._choices_loaded = False  # the platforms and agents of the other set of calls
        self.behind_calls = []
        self.behind_table.setRowCount(0)
        self.refresh()

    def reread(self) -> None:
        """Refresh (F5): the figures again, and in the Team view the hub read again at once."""
        self._reread_team = self.source is self.team_source
        self.refresh()

    def refresh(self) -> None:
        if not self.isVisible() and self.report is None and not self.charts:
            return  # nothing is asked until the page is first shown
        self.status.setText("Reading the saved calls…")
        self.spawn(self._load(self.source, self.filters()), "reports: compute")

    async def _load(self, source: ReportsSource, filters: StatsFilter) -> None:
        from desktop.core.store import StoreError

        try:
            if source is self.team_source:
                # The hub is read before the choices are: the calls a read adds bring agents and
                # platforms the combos must offer (the report's own refresh is then not due).
                force, self._reread_team = self._reread_team, False
                if await self.team_source.refresh(force=force):
                    self._choices_loaded = False
            if not self._choices_loaded:
                self._choices_loaded = True
                platforms, agents = await source.choices()
                self.set_choices(platforms, agents)
                filters = self.filters()  # a choice that is none of these calls' is dropped
            report = await source.report(filters)
        except StoreError as exc:
            self.status.setText(exc.plain_message)
            return
        if filters != self.filters() or source is not self.source:
            return  # the filters changed meanwhile; their own answer is on its way
        if source is self.team_source:
            self.team_note.setText(self.team_source.notice)
        self.show_report(report)

    def set_choices(self, platforms: list[tuple[str, str]], agents: list[str]) -> None:
        """The platforms and agents to filter on; the choice made stays when it is still one."""
        chosen = {combo: combo.currentData() for combo in (self.platform, self.agent)}
        for combo in (self.platform, self.agent):
            combo.blockSignals(True)
            while combo.count() > 1:  # "All platforms" / "All agents" stay
                combo.removeItem(combo.count() - 1)
        for key, name in platforms:
            self.platform.addItem(f"{name} ({key})", key)
        for agent in agents:
            self.agent.addItem(agent or "(no name)", agent)
        for combo in (self.platform, self.agent):
            found = combo.findData(chosen[combo]) if chosen[combo] is not None else 0
            combo.setCurrentIndex(max(found, 0))
            combo.blockSignals(False)

    def show_report(self, report: Report) -> None:
        self.report = report
        g = report.all
        self.headline.setText(
            f"{g.calls} call(s), {g.open} still open. Of {g.closed} closed: linked {g.linked}"
            f" ({_percent(g.linked_rate)}), first sync done {g.synced}"
            f" ({_percent(g.synced_rate)}). First connections {report.first_connections.calls}"
            f" (linked {_percent(report.first_connections.linked_rate)}), reconnections"
            f" {report.reconnections.calls} (linked {_percent(report.reconnections.linked_rate)})."
        )
        _fill(
            self.tables["funnel"],
            [
                (f"{f.step} {f.title}", str(f.reached), str(f.passed), str(f.stopped_here))
                for f in g.funnel
            ],
            range(1, 4),
        )
        _fill(
            self.tables["times"],
            [
                (f"{t.step} {t.title}", str(t.count), _seconds(t.median), _seconds(t.p90))
                for t in g.step_times
            ],
            range(1, 4),
        )
        _fill(
            self.tables["problems"],
            [(p.key, str(p.calls), _percent(p.share)) for p in g.problems],
            range(1, 3),
        )
        _fill(
            self.tables["platforms"],
            [
                (
                    _platform_name(p),
                    str(p.calls),
                    _percent(p.linked_rate),
                    _percent(p.synced_rate),
                    p.problems[0].key if p.problems else "-",
                )
                for p in report.platforms
            ],
            range(1, 4),
        )
        _fill(
            self.tables["agents"],
            [
                (
                    a.agent or "(no name)",
                    str(a.calls),
                    _percent(a.linked_rate),
                    _percent(a.synced_rate),
                    a.problems[0].key if a.problems else "-",
                )
                for a in report.agents
            ],
            range(1, 4),
        )
        self._draw(report)
        self._fit_tables()
        self._sync_empty(report)
        self.status.setText("")
        self.report_shown.emit()

    def empty_message(self, report: Report) -> tuple[str, str] | None:
        """Why ``report`` has no call and what would bring some, as (title, text); None when it
        has calls."""
        if report.all.calls:
            return None
        f = report.filters
        practice = (
            "" if f.practice else " Practice calls count when “Include practice calls” is ticked."
        )
        if self.source is self.team_source:
            return (
                "No team calls yet",
                "The team's calls appear here once the agents' LinkDesks have finished calls and"
                " sent them to the team hub. Press Refresh (F5) to read the hub again." + practice,
            )
        if any(v is not None for v in (f.since, f.until, f.platform, f.agent)):
            return (
                "No calls match these filters",
                "No saved call is within the dates, platform and agent chosen above: widen them"
                " to see more." + practice,
            )
        return ("No calls saved yet", "Reports appear after your first call." + practice)

    def _sync_empty(self, report: Report) -> None:
        message = self.empty_message(report)
        if message is not None:
            self.empty.set_message(*message)
        self.empty.setVisible(message is not None)
        for widget in (self.tabs, self.behind_table):
            widget.setVisible(message is None)
        self._sync_hint()

    def _sync_hint(self) -> None:
        """The click hint (or the calls listed) only where there are bars to click."""
        chart = self.charts.get(VIEWS[self.tabs.currentIndex()])
        bars = chart is None or chart.has_bars()
        self.behind_label.setVisible(self.empty.isHidden() and (bars or bool(self.behind_calls)))

    def _fit_tables(self) -> None:
        """Each table whole (its widest text, no sideways scrolling) beside its chart: the chart
        takes what is left, and gives way first when the window narrows."""
        if not self.charts:
            return
        for key, split in self.chart_slots.items():
            table = self.tables[key]
            table.resizeColumnsToContents()
            # At most TABLE_MOST wide: a name from outside (a platform, an agent) may be very long.
            want = min(_wanted_width(table), round(TABLE_MOST * self._scale()))
            # Wanted, not a minimum: a minimum here would be the whole window's (the pages share
            # one stack), too wide for a small laptop screen; there the table scrolls instead.
            self._table_wanted[key] = want
            split.setStretchFactor(0, 1)
            split.setStretchFactor(1, 0)
        self._size_tables()

    def _size_tables(self) -> None:
        """Give each shown table its wanted width when its chart keeps CHART_LEAST (on a tab's
        first showing and when the page is resized too: a hidden tab has no width yet)."""
        for key, want in self._table_wanted.items():
            split = self.chart_slots[key]
            width = split.width()
            if split.isVisible() and width > want + CHART_LEAST:
                split.setSizes([width - want, want])

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._size_tables()

    def _scale(self) -> float:
        return PRESENTATION_SCALE if self.presentation else 1.0

    def _draw(self, report: Report) -> None:
        if not self.charts:
            return
        g = report.all
        self.charts["funnel"].set_data(
            [str(f.step) for f in g.funnel],
            [
                ("Reached", [f.reached for f in g.funnel]),
                ("Stopped here", [f.stopped_here for f in g.funnel]),
            ],
        )
        self.charts["times"].set_data(
            [str(t.step) for t in g.step_times],
            [
                ("Median", [t.median or 0.0 for t in g.step_times]),
                ("90%", [t.p90 or 0.0 for t in g.step_times]),
            ],
        )
        self.charts["problems"].set_data(
            [p.key for p in g.problems], [("Calls", [p.calls for p in g.problems])]
        )
        self.charts["platforms"].set_data(
            [_platform_name(p) for p in report.platforms],
            [
                ("Calls", [p.calls for p in report.platforms]),
                ("Linked", [p.linked for p in report.platforms]),
            ],
        )
        self.charts["agents"].set_data(
            [a.agent or "(no name)" for a in report.agents],
            [
                ("Calls", [a.calls for a in report.agents]),
                ("Linked", [a.linked for a in report.agents]),
            ],
        )

    # -- the calls behind a figure ----------------------------------------------------------
    def behind_for(self, view: str, index: int) -> tuple[Behind, str] | None:
        """What a bar (or table row) of ``view`` stands for, and words for it."""
        report = self.report
        if report is None:
            return None
        g: Group = report.all
        if view in ("funnel", "times") and 0 <= index < len(g.funnel):
            step = g.funnel[index]
            return Behind(stopped_at=step.step), f"Closed calls that stopped at step {step.step}"
        if view == "problems" and 0 <= index < len(g.problems):
            key = g.problems[index].key
            return Behind(problem=key), f"Calls that met “{key}”"
        if view == "platforms" and 0 <= index < len(report.platforms):
            p = report.platforms[index]
            key = p.platform_key if p.platform_key is not None else UNKNOWN_PLATFORM
            return Behind(platform_key=key), f"Calls on {_platform_name(p)}"
        if view == "agents" and 0 <= index < len(report.agents):
            a = report.agents[index]
            return Behind(agent=a.agent or ""), f"Calls of {a.agent or '(no name)'}"
        return None

    def _row_activated(self, view: str, index: int) -> None:
        found = self.behind_for(view, index)
        if found is None:
            return
        behind, words = found
        self.behind = behind
        self.behind_label.setText(words + " (reading…)")
        self.spawn(
            self._list_behind(self.source, self.filters(), behind, words), "reports: calls behind"
        )

    async def _list_behind(
        self, source: ReportsSource, filters: StatsFilter, behind: Behind, words: str
    ) -> None:
        from desktop.core.store import StoreError

        try:
            calls = await source.calls_behind(filters, behind)
        except StoreError as exc:
            self.status.setText(exc.plain_message)
            return
        self.show_calls(calls, words)

    def show_calls(self, calls: list[Call], words: str) -> None:
        self.behind_calls = calls
        self.behind_label.setText(f"{words}: {len(calls)} (double-click or Enter opens one)")
        self._fill_behind()
        self.calls_listed.emit()

    def _fill_behind(self) -> None:
        _fill(
            self.behind_table,
            [
                (
                    str(c.id),
                    local(c.opened_at).strftime("%Y-%m-%d %H:%M"),
                    # A team call names no company unless shared; none while presenting.
                    "" if self.presentation else c.company_name or "-",
                    c.platform_name or c.platform_key or "-",
                    c.outcome or ("open" if c.is_open else "-"),
                )
                for c in self.behind_calls
            ],
            range(0, 1),
        )

    def open_call(self, row: int) -> None:
        if self.presentation:
            self.status.setText(NOT_WHILE_PRESENTING)
            return
        if 0 <= row < len(self.behind_calls):
            call = self.behind_calls[row]
            self.spawn(self._open_call(self.source, call), "reports: open call")

    async def _open_call(self, source: ReportsSource, call: Call) -> None:
        from desktop.core.store import StoreError

        try:
            text = await source.call_text(call.id)
        except StoreError as exc:
            self.status.setText(exc.plain_message)
            return
        if self.presentation:  # switched on while the call was read
            self.status.setText(NOT_WHILE_PRESENTING)
            return
        title = f"Call {call.id}: {call.company_name}" if call.company_name else f"Call {call.id}"
        dialog = CallTextDialog(title, text, self)
        dialog.finished.connect(lambda _r: self._dialogs.remove(dialog))
        self._dialogs.append(dialog)
        dialog.open()

    # -- export -----------------------------------------------------------------------------
    def _save_dialog(self, title: str, name: str, pattern: str) -> QFileDialog:
        dialog = QFileDialog(self, title)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(pattern)
        dialog.selectFile(name)
        dialog.finished.connect(lambda _r: self._dialogs.remove(dialog))
        self._dialogs.append(dialog)
        return dialog

    def ask_csv_path(self) -> None:
        if self.presentation:
            return
        if self.report is None:
            self.status.setText("No report to export yet.")
            return
        dialog = self._save_dialog("Export the report as CSV", "linkdesk-report.csv", "CSV (*.csv)")
        dialog.fileSelected.connect(self.save_csv)
        dialog.open()

    def ask_png_path(self) -> None:
        if self.presentation:
            return
        view = VIEWS[self.tabs.currentIndex()]
        if view not in self.charts or not self.charts[view].has_bars():
            self.status.setText("No chart to export yet.")
            return
        dialog = self._save_dialog(
            "Export the chart as PNG", f"linkdesk-{view}.png", "PNG image (*.png)"
        )
        dialog.fileSelected.connect(self.save_png)
        dialog.open()

    def save_csv(self, path: str) -> None:
        if self.report is None:
            return
        try:
            with open(path, "w", encoding="utf-8", newline="") as out:
                out.write(self.report.to_csv())
        except OSError as exc:
            self.status.setText(f"Could not write {path}: {exc.strerror or exc}.")
            return
        self.status.setText(f"Report saved to {path}.")

    def save_png(self, path: str) -> None:
        chart = self.charts.get(VIEWS[self.tabs.currentIndex()])
        if chart is None:
            return
        if chart.save_png(path):
            self.status.setText(f"Chart saved to {path}.")
        else:
            self.status.setText(f"Could not write {path}.")


def _day(chosen: QDate) -> date:
    """A date edit's day as a ``date`` (QDate.toPython is typed as returning ``object``)."""
    return date(chosen.year(), chosen.month(), chosen.day())


def _midnight(day: date) -> float:
    """The epoch seconds of the day's local midnight."""
    return datetime(day.year, day.month, day.day).astimezone().timestamp()


def _platform_name(group: Group) -> str:
    if group.platform_key is None:
        return "(not chosen)"
    return group.platform_name or group.platform_key
