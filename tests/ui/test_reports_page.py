"""The Reports page over a hand-built store (tests/unit/stats/builders.py): figures, clicks,
filters, export, themes, and pyqtgraph loaded only when the page is first shown."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QFileDialog, QTableWidget

from desktop.core.stats.service import StatsService
from desktop.core.store import CallStore
from desktop.ui.reports import ReportsPage
from desktop.ui.theme import apply_theme
from tests.unit.stats.builders import Clock, build

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ids(tmp_path: Path) -> dict[str, int]:
    with CallStore(tmp_path / "calls.sqlite3", clock=Clock()) as store:
        return build(store, store._clock)  # type: ignore[arg-type]


@pytest.fixture
def page(qtbot: Any, qloop: Any, tmp_path: Path, ids: dict[str, int]) -> Iterator[ReportsPage]:
    widget = ReportsPage(
        StatsService(tmp_path / "calls.sqlite3"), lambda coro, name: asyncio.ensure_future(coro)
    )
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    with qtbot.waitSignal(widget.report_shown, timeout=10000):
        widget.show()
    yield widget
    apply_theme(QApplication.instance(), "light")  # type: ignore[arg-type]


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None, (row, column)
    return item.text()


def rows(page: ReportsPage, view: str) -> list[list[str]]:
    table = page.tables.get(view, page.behind_table)
    return [
        [cell(table, r, c) for c in range(table.columnCount())] for r in range(table.rowCount())
    ]


def click_bar(qtbot: Any, page: ReportsPage, view: str, index: int) -> None:
    """A real mouse click in the middle of bar ``index`` of ``view``'s chart."""
    page.tabs.setCurrentIndex(("funnel", "times", "problems", "platforms").index(view))
    chart = page.charts[view]
    qtbot.waitUntil(lambda: chart.plot.isVisible() and chart.plot.width() > 100, timeout=5000)
    series = chart.series[0][1]
    along, across = index - 0.15 if len(chart.series) > 1 else index, series[index] / 2
    point = QPointF(across, along) if chart.horizontal else QPointF(along, across)
    scene = chart.plot.getViewBox().mapViewToScene(point)
    pos = chart.plot.mapFromScene(scene)
    qtbot.mouseClick(chart.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_tables_show_the_known_figures(page: ReportsPage) -> None:
    assert rows(page, "funnel") == [
        ["1 Open the link", "5", "4", "0"],
        ["2 Choose software", "4", "4", "0"],
        ["3 Review and start", "4", "3", "1"],
        ["4 Sign in and approve", "3", "2", "1"],
        ["5 Complete and first sync", "2", "2", "0"],
    ]
    assert rows(page, "times")[3] == ["4 Sign in and approve", "2", "1 min 40 s", "5 min 00 s"]
    assert rows(page, "problems") == [
        ["cancelled", "1", "20%"],
        ["connection_error", "1", "20%"],
        ["stalled", "1", "20%"],
    ]
    assert rows(page, "platforms")[0] == ["QuickBooks Online", "2", "50%", "50%", "cancelled"]
    assert "5 call(s), 1 still open" in page.headline.text()
    assert "reconnections 1 (linked 100%)" in page.headline.text()
    assert page.charts["funnel"].series[0] == ("Reached", [5.0, 4.0, 4.0, 3.0, 2.0])


def test_click_a_bar_lists_its_calls_and_opens_one(
    qtbot: Any, page: ReportsPage, ids: dict[str, int]
) -> None:
    with qtbot.waitSignal(page.calls_listed, timeout=10000):
        click_bar(qtbot, page, "platforms", 1)  # Xero
    assert [r[0] for r in rows(page, "behind")] == [str(ids["B"]), str(ids["A"])]
    assert page.behind_label.text().startswith("Calls on Xero: 2")
    with qtbot.waitSignal(page.calls_listed, timeout=10000):
        click_bar(qtbot, page, "problems", 0)  # cancelled
    assert [r[0] for r in rows(page, "behind")] == [str(ids["C"])]
    with qtbot.waitSignal(page.calls_listed, timeout=10000):
        click_bar(qtbot, page, "funnel", 2)  # stopped at step 3
    assert [r[0] for r in rows(page, "behind")] == [str(ids["B"])]
    page.open_call(0)
    qtbot.waitUntil(lambda: bool(page._dialogs), timeout=10000)
    dialog = page._dialogs[0]
    assert (dialog.isVisible() and not dialog.isModal()) or dialog.isVisible()
    assert "Acme" in dialog.text.toPlainText()  # type: ignore[attr-defined]
    dialog.close()


def test_a_table_row_does_what_its_bar_does(
    qtbot: Any, page: ReportsPage, ids: dict[str, int]
) -> None:
    table = page.tables["problems"]
    with qtbot.waitSignal(page.calls_listed, timeout=10000):
        table.itemActivated.emit(table.item(1, 0))  # connection_error
    assert [r[0] for r in rows(page, "behind")] == [str(ids["B"])]


def test_filters_narrow_the_report(qtbot: Any, page: ReportsPage) -> None:
    qtbot.waitUntil(lambda: page.agent.count() == 4, timeout=10000)  # all, Ana, Ben, Sam
    assert [page.platform.itemText(i) for i in range(page.platform.count())] == [
        "All platforms",
        "QuickBooks Online (qbo)",
        "Xero (xero)",
    ]
    with qtbot.waitSignal(page.report_shown, timeout=10000):
        page.agent.setCurrentIndex(page.agent.findData("Ana"))
    assert page.report is not None and page.report.all.calls == 3
    with qtbot.waitSignal(page.report_shown, timeout=10000):
        page.practice.setChecked(True)
    assert page.report.all.calls == 4
    with qtbot.waitSignal(page.report_shown, timeout=10000):
        page.platform.setCurrentIndex(page.platform.findData("qbo"))
    assert page.report.all.calls == 1
    assert page.filters().platform == "qbo" and page.filters().practice


def test_export_csv_and_png(qtbot: Any, page: ReportsPage, tmp_path: Path) -> None:
    page.ask_csv_path()
    dialog = page._dialogs[-1]
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    csv_path = tmp_path / "report.csv"
    dialog.fileSelected.emit(str(csv_path))
    dialog.reject()
    assert csv_path.read_text(encoding="utf-8").startswith("group,section,item,measure,value\n")
    assert "all,calls,,calls,5" in csv_path.read_text(encoding="utf-8")
    page.tabs.setCurrentIndex(3)
    png = tmp_path / "platforms.png"
    page.save_png(str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.save_csv(str(tmp_path / "no-such-folder" / "x.csv"))
    assert page.status.text().startswith("Could not write")


def test_charts_follow_the_theme_and_presentation(qtbot: Any, page: ReportsPage) -> None:
    app = QApplication.instance()
    chart = page.charts["funnel"]
    for theme in ("dark", "light"):
        apply_theme(app, theme)  # type: ignore[arg-type]
        base = QApplication.palette().color(QPalette.ColorRole.Base)
        qtbot.waitUntil(
            lambda b=base: chart.plot.backgroundBrush().color().name() == b.name(), timeout=5000
        )
        axis = chart.plot.getAxis("bottom")
        text = QApplication.palette().color(QPalette.ColorRole.Text)
        assert axis.textPen().color().name() == text.name()
    page.set_presentation(True)  # the page's text grows with the window's page stack
    assert chart.font_scale > 1.0  # the charts draw their own text


def test_charts_library_loads_only_when_the_page_is_shown(tmp_path: Path) -> None:
    code = (
        "import sys, asyncio\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from desktop.core.stats.service import StatsService\n"
        "from desktop.ui.reports import ReportsPage\n"
        f"page = ReportsPage(StatsService(__import__('pathlib').Path({str(tmp_path)!r})),"
        " lambda c, n: c.close())\n"
        "print('before', 'pyqtgraph' in sys.modules, 'numpy' in sys.modules)\n"
        "page.show()\n"
        "print('after', 'pyqtgraph' in sys.modules)\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["before", "False", "False", "after", "True"]


def test_first_frame_does_not_import_the_charts(linkdesk_home: Path) -> None:
    from tests.e2e.gui_process import gui_env

    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "desktop", "gui", "--smoke"],
        capture_output=True,
        text=True,
        timeout=60,
        env=gui_env(linkdesk_home),
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    names = {line.rsplit("|", 1)[1].strip() for line in out.stderr.splitlines() if "|" in line}
    assert "desktop.ui.main_window" in names  # the listing is real
    assert not {"pyqtgraph", "numpy", "desktop.ui.reports.charts"} & names


def test_each_visit_reads_the_calls_again(
    qtbot: Any, page: ReportsPage, tmp_path: Path, ids: dict[str, int]
) -> None:
    from tests.unit.stats.builders import CALL_A, add_call

    page.hide()
    with CallStore(tmp_path / "calls.sqlite3", clock=Clock()) as store:
        add_call(store, store._clock, CALL_A)  # type: ignore[arg-type]
    with qtbot.waitSignal(page.report_shown, timeout=10000):
        page.show()
    assert page.report is not None and page.report.all.calls == 6


@pytest.mark.parametrize("presentation", [False, True])
def test_tables_fit_beside_their_charts_at_1366x768(
    qtbot: Any, page: ReportsPage, presentation: bool
) -> None:
    # The page's share of a 1366x768 screen, beside the navigation bar.
    page.set_presentation(presentation)
    page.resize(1080, 620)
    for index, view in enumerate(("funnel", "times", "problems", "platforms")):
        page.tabs.setCurrentIndex(index)
        table = page.tables[view]
        qtbot.waitUntil(lambda t=table: t.isVisible() and t.viewport().width() > 0, timeout=5000)
        qtbot.wait(50)  # one layout pass after the tab is shown
        assert not table.horizontalScrollBar().isVisible(), view
        assert table.horizontalHeader().length() <= table.viewport().width(), view


def _visible_text(page: ReportsPage) -> list[str]:
    """Every text a customer could read on the page: visible labels, cells, headers, tooltips."""
    from PySide6.QtWidgets import QAbstractButton, QLabel, QTableWidget

    seen: list[str] = []
    for label in page.findChildren(QLabel):
        if label.isVisibleTo(page):
            seen += [label.text(), label.toolTip()]
    for button in page.findChildren(QAbstractButton):
        if button.isVisibleTo(page):
            seen += [button.text(), button.toolTip()]
    for table in page.findChildren(QTableWidget):
        if not table.isVisibleTo(page):
            continue
        for c in range(table.columnCount()):
            if table.isColumnHidden(c):
                continue
            header = table.horizontalHeaderItem(c)
            seen.append(header.text() if header else "")
            for r in range(table.rowCount()):
                item = table.item(r, c)
                if item is not None:
                    seen += [item.text(), item.toolTip()]
    return seen


def test_presentation_shows_no_company_name(
    qtbot: Any, page: ReportsPage, ids: dict[str, int]
) -> None:
    with qtbot.waitSignal(page.calls_listed, timeout=10000):
        click_bar(qtbot, page, "platforms", 1)  # Xero: calls of the company "Acme"
    assert any("Acme" in text for text in _visible_text(page))
    page.set_presentation(True)
    assert not any("Acme" in text for text in _visible_text(page))
    assert not any("Company" in text for text in _visible_text(page))
    # Nor a saved call (its title and text name the company), nor the agent's exports.
    page.open_call(0)
    assert page.status.text().startswith("Saved calls open only outside presentation mode")
    assert not page._dialogs
    assert not page.csv_button.isVisibleTo(page) and not page.png_button.isVisibleTo(page)
    # Calls listed while presenting leave the name out too.
    with qtbot.waitSignal(page.calls_listed, timeout=10000):
        click_bar(qtbot, page, "platforms", 1)
    assert not any("Acme" in text for text in _visible_text(page))
    page.set_presentation(False)
    assert "Acme" in [r[2] for r in rows(page, "behind")]
    assert page.csv_button.isVisibleTo(page)


def test_presentation_closes_an_open_saved_call(
    qtbot: Any, page: ReportsPage, ids: dict[str, int]
) -> None:
    with qtbot.waitSignal(page.calls_listed, timeout=10000):
        click_bar(qtbot, page, "platforms", 1)
    page.open_call(0)
    qtbot.waitUntil(lambda: bool(page._dialogs), timeout=10000)
    page.set_presentation(True)
    qtbot.waitUntil(lambda: not page._dialogs, timeout=5000)
