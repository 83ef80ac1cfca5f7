"""Switching theme while the app runs repaints every page readably (WCAG AA, 4.5:1), presentation
mode shows the fix whole, and the text size reaches the guide cards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QRadioButton, QWidget

from desktop.core.codat.models import Page
from desktop.core.guides.library import GuideLibrary
from desktop.core.journey import Step
from desktop.ui.companies import CompaniesPage
from desktop.ui.guides.page import GuidesPage
from desktop.ui.guides.viewer import GuideViewer
from desktop.ui.main_window import MainWindow
from desktop.ui.theme import apply_theme
from tests.ui.call_stages import bring_to
from tests.ui.call_workspace_kit import Kit, make_kit
from tests.ui.contrast import luminance, poor_contrast, ratio
from tests.ui.layout_checks import hidden_part


def _settle() -> None:
    for _ in range(6):
        QApplication.processEvents()


@pytest.fixture
def light_after(qapp: QApplication) -> Any:
    apply_theme(qapp, "light")
    yield
    apply_theme(qapp, "light", 1.0)


def _window(qtbot: Any, tmp_path: Path, library: GuideLibrary) -> tuple[MainWindow, Kit]:
    async def load(text: str, page: int) -> Page[Any]:
        return Page((), 1, 20, 0, {})

    window = MainWindow()
    qtbot.addWidget(window)
    guides = GuidesPage(library)
    window.set_page("guides", guides)
    kit = make_kit(qtbot, tmp_path, real_guide=True)
    window.set_page("call", kit.workspace)
    window.set_page("companies", CompaniesPage(load, lambda coro, name: coro.close()))
    window.resize(1366, 768)
    window.show()
    guides.open_guide("netsuite", 3)
    first = kit.open_call("Harbour Bakery Ltd")
    bring_to(kit, first, "problem")
    second = kit.open_call("Corner Shop", "c0ffee00-0000-4000-8000-000000000005")
    bring_to(kit, second, "syncing")
    return window, kit


def _every_page(window: MainWindow, kit: Kit) -> list[str]:
    problems: list[str] = []
    for key in ("guides", "call", "companies"):
        window.show_page(key)
        if key == "call":
            for session in list(kit.manager.sessions.values()):
                kit.workspace.show_call(session.call_id)
                view = kit.workspace.views[session.call_id]
                for tab in range(view.tabs.count()):
                    view.tabs.setCurrentIndex(tab)
                    _settle()
                    problems += [
                        f"call {session.call_id} tab {tab}: {p}" for p in poor_contrast(window)
                    ]
            kit.workspace.show_start()
        _settle()
        problems += [f"{key}: {p}" for p in poor_contrast(window)]
    return sorted(set(problems))


def test_switching_theme_live_keeps_every_text_readable(
    qtbot: Any, tmp_path: Path, library: GuideLibrary, qapp: QApplication, light_after: Any
) -> None:
    window, kit = _window(qtbot, tmp_path, library)
    _settle()
    assert _every_page(window, kit) == []
    apply_theme(qapp, "dark")  # as Settings does, while everything is on screen
    _settle()
    assert _every_page(window, kit) == []
    apply_theme(qapp, "light")
    _settle()
    assert _every_page(window, kit) == []


def _indicator_contrast(box: QCheckBox) -> float:
    """The strongest contrast between the unticked box's outline and the window behind it."""
    image = box.grab().toImage()
    behind = box.palette().color(box.backgroundRole())
    size = box.style().pixelMetric(box.style().PixelMetric.PM_IndicatorWidth, None, box)
    best = 1.0
    for x in range(min(size + 4, image.width())):
        for y in range(image.height()):
            best = max(best, ratio(QColor(image.pixel(QPoint(x, y))), behind))
    return best


def test_tick_boxes_stand_out_in_the_dark_theme(
    qtbot: Any, tmp_path: Path, qapp: QApplication, light_after: Any
) -> None:
    apply_theme(qapp, "dark")  # as at start-up with the dark theme saved
    kit = make_kit(qtbot, tmp_path)
    session = kit.open_call("Harbour Bakery Ltd")
    view = kit.workspace.views[session.call_id]
    box = next(iter(view.checklist.boxes.values()))
    _settle()
    assert luminance(box.palette().color(box.backgroundRole())) < 0.1  # really dark
    assert _indicator_contrast(box) >= 3.0  # WCAG 2.1 non-text contrast


def _tick_pixels(box: QCheckBox | QRadioButton) -> int:
    """Pixels of the tick (or dot) inside a ticked indicator: within the square the Highlight
    colour fills, those in the HighlightedText colour (0 for a plain filled square)."""
    image = box.grab().toImage()
    fill = box.palette().color(QPalette.ColorRole.Highlight)
    ink = box.palette().color(QPalette.ColorRole.HighlightedText)
    size = box.style().pixelMetric(box.style().PixelMetric.PM_IndicatorWidth, None, box)
    width, height = min(size + 8, image.width()), image.height()
    filled = [
        (x, y)
        for x in range(width)
        for y in range(height)
        if ratio(QColor(image.pixel(QPoint(x, y))), fill) < 1.2
    ]
    if not filled:
        return 0
    xs, ys = [x for x, _ in filled], [y for _, y in filled]
    # The middle half of the filled shape: inside a round radio indicator too, away from its edge.
    left, right = min(xs), max(xs)
    top, bottom = min(ys), max(ys)
    inset_x, inset_y = (right - left) // 4, (bottom - top) // 4
    return sum(
        1
        for x in range(left + inset_x, right - inset_x + 1)
        for y in range(top + inset_y, bottom - inset_y + 1)
        if ratio(QColor(image.pixel(QPoint(x, y))), ink) < 1.5
    )


@pytest.mark.parametrize("kind", [QCheckBox, QRadioButton])
def test_a_ticked_box_shows_a_tick_in_the_dark_theme(
    qtbot: Any, qapp: QApplication, light_after: Any, kind: type[QCheckBox | QRadioButton]
) -> None:
    # A new user saw "Keep the key for this session only" ticked in Settings as a plain blue
    # square: the dark theme's indicator style drew no tick.
    apply_theme(qapp, "dark")
    box = kind("Keep the key for this session only")
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    _settle()
    box.setChecked(True)
    _settle()
    assert _tick_pixels(box) >= 10  # 0 for the plain filled square


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_presentation_shows_the_problem_and_the_guides_fix_whole(
    qtbot: Any,
    tmp_path: Path,
    library: GuideLibrary,
    qapp: QApplication,
    light_after: Any,
    theme: str,
) -> None:
    apply_theme(qapp, theme)
    window, kit = _window(qtbot, tmp_path, library)
    window.show_page("call")
    session = next(
        s for s in kit.manager.sessions.values() if s.company_name == "Harbour Bakery Ltd"
    )
    kit.workspace.show_call(session.call_id)
    view = kit.workspace.views[session.call_id]
    _settle()
    normal_size = view.journey.problem_text.font().pointSizeF()
    window.set_presentation(True)
    kit.workspace.set_presentation(True)
    _settle()
    guide = view.journey.guide
    assert isinstance(guide, GuideViewer) and guide.current_problem is not None
    fix_card = guide.trouble_cards[guide.current_problem]
    # Everything on the page is larger, not only what has its own font.
    for label in (view.journey.problem_text, view.journey.fix_text, view.link.copy_button):
        assert label.font().pointSizeF() > normal_size * 1.2, label.accessibleName()
    title = view.journey.rows[Step.OPEN_LINK]["title"]
    assert title.font().pointSizeF() > normal_size * 1.2
    assert view.tabs.currentIndex() == view.guide_tab
    for widget in (
        view.journey.problem_box,
        view.journey.problem_text,
        view.journey.fix_text,
        fix_card,
    ):
        assert hidden_part(widget) is None, hidden_part(widget)
    # Nothing internal, and no empty third of the screen: the two panes share the width.
    assert not kit.workspace.side.isVisible()
    left, right = view.splitter.sizes()
    assert min(left, right) > 0.3 * (left + right)


def test_text_size_reaches_the_guide_cards(
    qtbot: Any, library: GuideLibrary, qapp: QApplication, light_after: Any
) -> None:
    viewer = GuideViewer(library, embedded=True)
    qtbot.addWidget(viewer)
    viewer.resize(600, 700)
    viewer.show()
    viewer.show_guide("netsuite", 3)
    _settle()

    def body_size() -> float:
        card = viewer.step_cards[2]
        body = next(w for w in card.findChildren(QWidget) if w.objectName() == "StepBody")
        return body.font().pointSizeF()

    before = body_size()
    apply_theme(qapp, "light", 1.5)
    _settle()
    assert body_size() == pytest.approx(before * 1.5, rel=0.05)
