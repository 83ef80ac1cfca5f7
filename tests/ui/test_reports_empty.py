"""The Reports page with no saved call to show: an explanation in the charts' place, no click hint,
and the filters still usable; a chart with nothing to draw says so instead of drawing empty axes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.core.stats.service import StatsService
from desktop.core.store import CallStore
from desktop.ui.reports import ReportsPage
from tests.unit.stats.builders import Clock, build


def _page(qtbot: Any, path: Path) -> ReportsPage:
    widget = ReportsPage(StatsService(path), lambda coro, name: asyncio.ensure_future(coro))
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    with qtbot.waitSignal(widget.report_shown, timeout=10000):
        widget.show()
    return widget


@pytest.fixture
def empty_page(qtbot: Any, qloop: Any, tmp_path: Path) -> Iterator[ReportsPage]:
    with CallStore(tmp_path / "calls.sqlite3", clock=Clock()):
        pass  # a store with no call in it
    yield _page(qtbot, tmp_path / "calls.sqlite3")


def test_no_calls_explains_instead_of_an_empty_chart(empty_page: ReportsPage) -> None:
    page = empty_page
    assert page.report is not None and page.report.all.calls == 0
    assert page.empty.isVisible()
    assert page.empty.title.text() == "No calls saved yet"
    text = page.empty.text.text()
    assert "after your first call" in text and "Include practice calls" in text
    assert not page.tabs.isVisible()
    assert not page.behind_label.isVisible()  # "Click a bar…" with no bar to click
    assert not page.behind_table.isVisible()
    for control in (page.since_on, page.platform, page.practice, page.refresh_button):
        assert control.isVisible() and control.isEnabled()


def test_ticking_practice_calls_changes_the_advice(qtbot: Any, empty_page: ReportsPage) -> None:
    page = empty_page
    with qtbot.waitSignal(page.report_shown, timeout=10000):
        page.practice.setChecked(True)
    assert page.empty.isVisible()
    assert "Include practice calls" not in page.empty.text.text()
    with qtbot.waitSignal(page.report_shown, timeout=10000):
        page.since_on.setChecked(True)
    assert page.empty.title.text() == "No calls match these filters"


def test_filters_that_match_none_then_some(qtbot: Any, qloop: Any, tmp_path: Path) -> None:
    with CallStore(tmp_path / "calls.sqlite3", clock=Clock()) as store:
        build(store, store._clock)  # type: ignore[arg-type]
    page = _page(qtbot, tmp_path / "calls.sqlite3")
    assert not page.empty.isVisible() and page.tabs.isVisible()
    assert page.behind_label.isVisible()
    with qtbot.waitSignal(page.report_shown, timeout=10000):
        page.until_on.setChecked(True)
        page.until.setDate(page.until.date().addYears(-60))  # before any call
    assert page.report is not None and page.report.all.calls == 0
    assert page.empty.isVisible() and not page.tabs.isVisible()
    assert page.empty.title.text() == "No calls match these filters"
    with qtbot.waitSignal(page.report_shown, timeout=10000):
        page.until_on.setChecked(False)
    assert not page.empty.isVisible() and page.tabs.isVisible()
    assert page.behind_label.isVisible()


def test_a_chart_with_nothing_to_draw_says_so(qtbot: Any, qloop: Any) -> None:
    from desktop.ui.reports.charts import BarChart

    chart = BarChart("Calls meeting each problem", horizontal=True, empty_text="None met.")
    qtbot.addWidget(chart)
    chart.show()
    chart.set_data([], [("Calls", [])])
    assert not chart.has_bars() and not chart.plot.isVisible()
    assert chart.empty.isVisible() and "None met." in chart.empty.text()
    chart.set_data(["1", "2"], [("Calls", [0, 0])])
    assert not chart.has_bars() and chart.empty.isVisible()
    chart.set_data(["1", "2"], [("Calls", [0, 3])])
    assert chart.has_bars() and chart.plot.isVisible() and not chart.empty.isVisible()


def test_the_click_hint_only_where_there_are_bars(qtbot: Any, qloop: Any, tmp_path: Path) -> None:
    with CallStore(tmp_path / "calls.sqlite3", clock=Clock()) as store:
        build(store, store._clock)  # type: ignore[arg-type]
    page = _page(qtbot, tmp_path / "calls.sqlite3")
    page.charts["problems"].set_data([], [("Calls", [])])  # as for calls that met no problem
    page.tabs.setCurrentIndex(2)
    assert page.charts["problems"].empty.isVisible()
    assert not page.behind_label.isVisible()
    page.tabs.setCurrentIndex(0)
    assert page.behind_label.isVisible()
