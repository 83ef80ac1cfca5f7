"""Presentation mode (Ctrl+Shift+P) as the customer sees it on a shared screen, at 1366x768 and
at the default window size: every page's text is larger, nothing is cut off, nothing that does
nothing is offered, and the dark theme's tick boxes stand out on every page."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QLabel,
    QRadioButton,
    QScrollArea,
    QWidget,
)

from desktop.core.codat.models import Page
from desktop.core.guides.library import GuideLibrary
from desktop.core.stats.service import StatsService
from desktop.core.store import CallStore
from desktop.ui.companies import CompaniesPage
from desktop.ui.guides.checklist import ChecklistPane
from desktop.ui.guides.page import GuidesPage
from desktop.ui.main_window import MainWindow, default_size
from desktop.ui.reports import ReportsPage
from desktop.ui.theme import PRESENTATION_SCALE, apply_theme, indicator_style
from tests.ui.call_workspace_kit import Kit, make_kit
from tests.ui.layout_checks import hidden_part
from tests.ui.test_theme_contrast import _indicator_contrast


def _settle() -> None:
    for _ in range(6):
        QApplication.processEvents()


@pytest.fixture
def light_after(qapp: QApplication) -> Iterator[None]:
    apply_theme(qapp, "light", 1.0)
    yield
    apply_theme(qapp, "light", 1.0)


OpenWindow = Callable[[QSize], tuple[MainWindow, Kit, ReportsPage]]


@pytest.fixture
def open_window(
    qtbot: Any, qloop: Any, tmp_path: Path, library: GuideLibrary, light_after: None
) -> OpenWindow:
    """Opens the main window at a size with the four pages installed as the shell installs them
    (the Reports page loads on the qasync loop); the light theme at 1.0 again afterwards."""
    return lambda size: _window(qtbot, tmp_path, library, size)


def _window(
    qtbot: Any, tmp_path: Path, library: GuideLibrary, size: QSize
) -> tuple[MainWindow, Kit, ReportsPage]:
    async def load(text: str, page: int) -> Page[Any]:
        return Page((), 1, 20, 0, {})

    window = MainWindow()
    qtbot.addWidget(window)
    kit = make_kit(qtbot, tmp_path, real_guide=True)
    reports = ReportsPage(
        StatsService(tmp_path / "calls.sqlite3"), lambda coro, name: asyncio.ensure_future(coro)
    )
    pages: dict[str, Any] = {
        "guides": GuidesPage(library),
        "call": kit.workspace,
        "companies": CompaniesPage(load, lambda coro, name: coro.close()),
        "reports": reports,
    }
    for key, page in pages.items():  # as the shell installs them
        window.set_page(key, page)
        window.presentation_changed.connect(page.set_presentation)
    window.resize(size)
    window.show()
    qtbot.waitExposed(window)
    return window, kit, reports


def _presenting_checklist(window: MainWindow) -> ChecklistPane:
    """The Guides page's checklist, shown on a shared screen (presentation on)."""
    window.show_page("guides")
    window.set_presentation(True)
    _settle()
    guides = window.pages["guides"]
    assert isinstance(guides, GuidesPage)
    return guides.checklist_pane


def _scroll_to(widget: QWidget) -> None:
    """As a user scrolls to read it: the nearest scroll area around ``widget`` brings it in."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(widget, 0, 0)
            _settle()
            return
        parent = parent.parentWidget()


@pytest.mark.parametrize("size", [QSize(1366, 768), default_size(QSize(1366, 768))])
def test_every_checklist_item_can_be_read_whole_while_presenting(
    open_window: OpenWindow, size: QSize
) -> None:
    window, _kit, _reports = open_window(size)
    pane = _presenting_checklist(window)
    texts = [
        label for label in pane.findChildren(QLabel) if label.accessibleName().startswith("About:")
    ]
    assert len(texts) == len(pane.boxes) > 3
    for label in texts:
        _scroll_to(label)
        assert hidden_part(label) is None, hidden_part(label)
    for button in (pane.copy_button, pane.clear_button):  # below the items, never scrolled away
        assert hidden_part(button) is None, hidden_part(button)


def _shown(page: QWidget, kind: type[QWidget]) -> list[QWidget]:
    return [w for w in page.findChildren(kind) if w.isVisibleTo(page)]


def test_every_page_is_enlarged_alike_and_nothing_is_clipped(
    qtbot: Any, open_window: OpenWindow
) -> None:
    window, kit, reports = open_window(QSize(1366, 768))
    normal = QApplication.font().pointSizeF()
    window.set_presentation(True)
    for key in ("guides", "call", "companies", "reports"):
        if key == "reports":  # its figures load when first shown: wait for them
            with qtbot.waitSignal(reports.report_shown, timeout=10000):
                window.show_page(key)
        else:
            window.show_page(key)
        _settle()
        page = window.pages[key]
        texts = _shown(page, QLabel) + _shown(page, QAbstractButton)
        assert texts, key
        for widget in texts:  # at least presentation's size (a title may be larger still)
            assert widget.font().pointSizeF() >= normal * PRESENTATION_SCALE - 0.01, (
                key,
                widget.accessibleName() or getattr(widget, "text", lambda: "")(),
            )
        for button in _shown(page, QAbstractButton):
            if button.isVisible() and button.parentWidget() is not None:
                problem = hidden_part(button)
                # A button scrolled out of a scroll area is not clipped: only those in view count.
                if problem is not None and "cut off" in problem:
                    area = button.parentWidget()
                    while area is not None and not isinstance(area, QScrollArea):
                        area = area.parentWidget()
                    if area is not None:
                        continue
                assert problem is None, (key, problem)
    # Off again: every page back to the app's size.
    window.set_presentation(False)
    _settle()
    assert reports.headline.font().pointSizeF() == pytest.approx(normal)
    assert kit.workspace.start_panel.title.font().pointSizeF() == pytest.approx(normal * 1.5)


def test_a_new_text_size_while_presenting_keeps_the_pages_enlarged(
    open_window: OpenWindow, qapp: QApplication
) -> None:
    window, _kit, reports = open_window(QSize(1366, 768))
    window.set_presentation(True)
    apply_theme(qapp, "light", 1.2)
    _settle()
    wanted = QApplication.font().pointSizeF() * PRESENTATION_SCALE
    assert reports.headline.font().pointSizeF() == pytest.approx(wanted, rel=0.02)


def test_companies_offers_no_list_controls_while_presenting(qtbot: Any) -> None:
    async def load(text: str, page: int) -> Page[Any]:
        return Page((), 1, 20, 0, {})

    page = CompaniesPage(load, lambda coro, name: coro.close())
    qtbot.addWidget(page)
    page.show()
    page.set_presentation(True)
    shown = [w for w in _shown(page, QAbstractButton) if isinstance(w, QAbstractButton)]
    assert shown == [], [b.text() for b in shown]
    assert not page.search.isVisibleTo(page) and not page.progress.isVisibleTo(page)
    page._show_error("Codat said no (correlation id abc)")
    assert not page.error.isVisibleTo(page)  # not while presenting
    page.set_presentation(False)
    assert page.refresh_button.isVisibleTo(page) and page.next_button.isVisibleTo(page)
    assert page.error.isVisibleTo(page)


def test_the_dark_themes_tick_boxes_reach_the_reports_page(
    qtbot: Any, qloop: Any, tmp_path: Path, qapp: QApplication, light_after: None
) -> None:
    apply_theme(qapp, "dark")  # as at start-up with the dark theme saved
    CallStore(tmp_path / "calls.sqlite3").close()  # no calls saved yet
    page = ReportsPage(
        StatsService(tmp_path / "calls.sqlite3"), lambda coro, name: asyncio.ensure_future(coro)
    )
    qtbot.addWidget(page)
    page.resize(1366, 700)
    with qtbot.waitSignal(page.report_shown, timeout=10000):
        page.show()
    _settle()
    boxes = [page.since_on, page.until_on, page.practice, page.team]
    for box in boxes:
        assert box.styleSheet() == indicator_style("dark"), box.text()
        assert _indicator_contrast(box) >= 3.0, box.text()  # WCAG 2.1 non-text contrast
    # Any box or radio button anywhere, made after the theme was applied, and after a switch.
    later = QRadioButton("Later")
    qtbot.addWidget(later)
    later.show()
    assert later.styleSheet() == indicator_style("dark")
    apply_theme(qapp, "light")
    assert all(box.styleSheet() == "" for box in (*boxes, later))
    apply_theme(qapp, "dark")
    assert all(box.styleSheet() == indicator_style("dark") for box in (*boxes, later))
    # A box with a style sheet of its own keeps it.
    own = QCheckBox("Own")
    own.setStyleSheet("QCheckBox { color: red; }")
    qtbot.addWidget(own)
    own.show()
    assert own.styleSheet() == "QCheckBox { color: red; }"


def test_tab_to_a_checklist_item_scrolls_it_into_view(open_window: OpenWindow) -> None:
    window, _kit, _reports = open_window(default_size(QSize(1366, 768)))
    pane = _presenting_checklist(window)
    last = list(pane.boxes.values())[-1]
    text = next(
        w
        for w in pane.findChildren(QLabel)
        if w.accessibleName() == "About: " + last.accessibleName()
    )
    assert hidden_part(text) is not None  # below the fold at first
    window.activateWindow()
    last.setFocus()
    _settle()
    assert hidden_part(last) is None, hidden_part(last)
    assert hidden_part(text) is None, hidden_part(text)
