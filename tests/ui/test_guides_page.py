"""The Guides page: tiles, search, filters and keyboard use, as an agent types during a call."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.core.guides import GuideLibrary, builtin_guides_dir, load_library
from desktop.ui.guides.page import GuidesPage


@pytest.fixture
def page(qtbot: Any, library: GuideLibrary) -> GuidesPage:
    widget = GuidesPage(library)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_all_tiles_shown_with_count(page: GuidesPage) -> None:
    assert len(page.visible_slugs()) == 16
    assert page.count_label.text() == "16 of 16"
    assert page.tiles_view.viewMode().name == "IconMode"
    assert not page.no_match_label.isVisible()


def test_search_ranks_and_filters_tiles(qtbot: Any, page: GuidesPage) -> None:
    qtbot.keyClicks(page.search_field, "qbo")
    assert page.visible_slugs()[0] == "quickbooks-online"
    assert page.count_label.text().endswith("of 16")
    page.search_field.clear()
    qtbot.keyClicks(page.search_field, "akxx")
    assert page.visible_slugs() == ["netsuite"]
    page.search_field.setText("nothing like this")
    assert page.visible_slugs() == [] and page.no_match_label.isVisible()


def test_region_and_tag_filters(page: GuidesPage) -> None:
    page.set_filters(region="NL")
    shown = page.visible_slugs()
    assert "exact-online" in shown and "sage-50-accounts" not in shown
    page.set_filters(region="", tag="on-premise")
    assert sorted(page.visible_slugs()) == ["quickbooks-desktop", "sage-50-accounts"]
    page.search_field.setText("sage")
    assert page.visible_slugs() == ["sage-50-accounts"]
    page.set_filters()
    assert len(page.visible_slugs()) == 4


def test_typing_on_the_tiles_goes_to_search(qtbot: Any, page: GuidesPage) -> None:
    page.tiles_view.setFocus()
    qtbot.keyClicks(page.tiles_view, "Xe")
    assert page.search_field.text() == "Xe"
    assert page.search_field.hasFocus()
    assert page.visible_slugs()[0] == "xero"


def test_arrows_move_between_tiles_and_enter_opens(qtbot: Any, page: GuidesPage) -> None:
    page.search_field.setFocus()
    qtbot.keyClick(page.search_field, Qt.Key.Key_Down)
    assert page.tiles_view.hasFocus()
    first = page.current_slug()
    assert first == page.visible_slugs()[0]
    qtbot.keyClick(page.tiles_view, Qt.Key.Key_Right)
    second = page.current_slug()
    assert second == page.visible_slugs()[1]
    qtbot.keyClick(page.tiles_view, Qt.Key.Key_Down)
    below = page.current_slug()
    assert below not in (first, second)
    with qtbot.waitSignal(page.guide_opened) as opened:
        qtbot.keyClick(page.tiles_view, Qt.Key.Key_Return)
    assert opened.args == [below]
    assert page.stack.currentWidget() is page.viewer
    assert page.viewer.guide is not None and page.viewer.guide.key == below
    qtbot.keyClick(page.viewer, Qt.Key.Key_Escape)
    assert page.stack.currentWidget() is page.tiles_panel


def test_enter_in_search_opens_the_best_match(qtbot: Any, page: GuidesPage) -> None:
    qtbot.keyClicks(page.search_field, "ns")
    with qtbot.waitSignal(page.guide_opened) as opened:
        qtbot.keyClick(page.search_field, Qt.Key.Key_Return)
    assert opened.args == ["netsuite"]


def test_open_platform_for_the_live_call(qtbot: Any, page: GuidesPage) -> None:
    with qtbot.waitSignal(page.guide_opened) as opened:
        assert page.open_platform("qudb", 4)
    assert opened.args == ["exact-online"]
    assert page.stack.currentWidget() is page.viewer
    step = page.viewer.current_step
    assert step is not None and page.viewer.guide.steps[step - 1].stage == 4  # type: ignore[union-attr]
    assert page.open_platform("zzzz", 2) is False


def test_presentation_hides_file_errors_and_enlarges_tiles(qtbot: Any, tmp_path: Path) -> None:
    folder = tmp_path / "guides"
    shutil.copytree(builtin_guides_dir(), folder)
    broken = folder / "xero.md"
    broken.write_text(broken.read_text().replace('name = "Xero"\n', ""))
    library = load_library(folder)
    page = GuidesPage(library)
    qtbot.addWidget(page)
    page.show()
    assert page.errors_label.isVisible() and "xero.md" in page.errors_label.text()
    assert len(page.visible_slugs()) == 15
    small = page.tiles_view.gridSize()
    natural = page.delegate.natural_width()
    page.set_presentation(True)
    assert not page.errors_label.isVisible()
    assert page.delegate.natural_width() > natural
    assert page.tiles_view.gridSize().height() > small.height()
    assert page.tiles_panel.font().pointSizeF() > page.side_tabs.font().pointSizeF()
    page.set_presentation(False)
    assert page.errors_label.isVisible() and page.tiles_view.gridSize() == small


def test_every_control_has_an_accessible_name(page: GuidesPage) -> None:
    from PySide6.QtWidgets import (
        QAbstractButton,
        QCheckBox,
        QComboBox,
        QLineEdit,
        QListView,
        QTabBar,
    )

    page.open_guide("netsuite", 2)
    page.side_tabs.setCurrentWidget(page.questions_slot)  # its content is built when first shown
    checked = 0
    for kind in (QAbstractButton, QCheckBox, QComboBox, QLineEdit, QListView):
        for control in page.findChildren(kind):
            if isinstance(control.parent(), QLineEdit | QTabBar):
                continue  # Qt's own parts: a line edit's clear button, tab scroll arrows
            assert control.accessibleName(), f"{type(control).__name__} without a name"
            checked += 1
    assert checked > 40


def test_questions_tab_is_built_when_first_shown(qtbot: Any, page: GuidesPage) -> None:
    before = page._questions_pane  # a name: mypy would keep the attribute None past the keys
    assert before is None
    page.set_presentation(True)  # before it exists: it must still open in presentation type
    qtbot.keyClick(
        page.search_field,
        Qt.Key.Key_Q,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    pane = page._questions_pane
    assert pane is not None and pane.isVisible()
    assert pane.search_field.hasFocus()
    assert len(pane.visible_keys()) == len(page.library.questions)
    big = pane.font().pointSizeF()
    page.set_presentation(False)
    assert pane.font().pointSizeF() < big


def _columns(page: GuidesPage) -> int:
    tops = [page.tiles_view.visualRect(page.tiles_model.index(row)).top() for row in range(16)]
    return tops.count(tops[0])


def test_tiles_share_the_row_width_whatever_the_window_size(qtbot: Any, page: GuidesPage) -> None:
    view = page.tiles_view
    for width in (1200, 760, 1500):
        page.resize(width, 800)
        qtbot.waitUntil(lambda: page._tiles_room == view.viewport().width())
        columns = _columns(page)
        grid = view.gridSize().width()
        assert columns >= 1 and grid >= page.delegate.natural_width()
        # The tiles fill the row: what is left is under a pixel per column (integer division).
        assert 0 <= view.viewport().width() - 2 * view.spacing() - columns * grid < columns
        assert view.visualRect(page.tiles_model.index(0)).width() == grid


def test_a_narrow_page_keeps_a_usable_search_field(qtbot: Any, page: GuidesPage) -> None:
    page.resize(500, 600)
    qtbot.wait(10)
    metrics = page.search_field.fontMetrics()
    assert page.search_field.width() >= metrics.averageCharWidth() * 20


def _tile_states(page: GuidesPage) -> dict[int, tuple[bool, bool]]:
    """Each painted tile's row, and whether the delegate drew it selected and hovered."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPainter, QPalette

    drawn: dict[int, tuple[bool, bool]] = {}
    card = page.delegate._card

    def record(
        painter: QPainter, rect: QRectF, palette: QPalette, selected: bool, hovered: bool
    ) -> None:
        drawn[page.tiles_view.indexAt(rect.center().toPoint()).row()] = (selected, hovered)
        card(painter, rect, palette, selected, hovered)

    page.delegate._card = record  # type: ignore[method-assign]
    try:
        page.tiles_view.viewport().grab()
    finally:
        del page.delegate._card
    return drawn


def test_tiles_show_the_selected_one_and_the_one_under_the_mouse(
    qtbot: Any, page: GuidesPage
) -> None:
    """The delegate asks the view (not option.state, a QStyle flag the first frame does without)."""
    view = page.tiles_view
    page._select_row(2)
    states = _tile_states(page)
    assert states[2] == (True, False)
    assert [row for row, (selected, _) in states.items() if selected] == [2]
    assert not any(hovered for _, hovered in states.values())
    fifth = view.visualRect(page.tiles_model.index(4, 0)).center()
    qtbot.mouseMove(view.viewport(), fifth)
    qtbot.waitUntil(lambda: view.hovered_row == 4)
    states = _tile_states(page)
    assert states[4] == (False, True) and states[2] == (True, False)
    assert [row for row, (_, hovered) in states.items() if hovered] == [4]
    page.search_field.setText("xero")  # other guides in the rows: no tile is taken as hovered
    assert view.hovered_row == -1
    assert not any(hovered for _, hovered in _tile_states(page).values())


@pytest.mark.parametrize("scale", [0.75, 1.0, 1.5, 2.0])
def test_the_first_frame_keeps_the_side_tabs_room(
    qtbot: Any, library: GuideLibrary, scale: float
) -> None:
    """The side tabs come after the first frame; their room does not: nothing moves or widens."""
    from PySide6.QtWidgets import QApplication

    from desktop.ui.theme import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, "light", scale)
    try:
        page = GuidesPage(library)
        qtbot.addWidget(page)
        first = page.minimumSizeHint().width()
        page.build_side_pane()
        assert page.side_tabs.minimumSizeHint().width() <= page.side_slot.minimumSizeHint().width()
        assert page.minimumSizeHint().width() == first
    finally:
        apply_theme(app, "light")


def test_typing_at_first_start_goes_to_the_search(qtbot: Any, library: GuideLibrary) -> None:
    # A new user started the app and typed "xero": the letters were lost until they pressed
    # an arrow key or Ctrl+F.
    from PySide6.QtWidgets import QApplication

    from desktop.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    page = GuidesPage(library)
    window.set_page("guides", page)
    window.show()
    qtbot.waitActive(window)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.search_field)
    qtbot.keyClicks(QApplication.focusWidget(), "xero")
    assert page.visible_slugs() == ["xero"]
