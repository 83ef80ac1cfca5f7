"""FittedHintEdit: the longest placeholder wording that fits, at any width and type size."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QFont

from desktop.ui.fitted_hint import FittedHintEdit
from desktop.ui.guides.page import GuidesPage

HINTS = ("Type a platform, alias or key (e.g. QBO, NetSuite, gbol)", "Platform or key", "Find")


def _fits(edit: FittedHintEdit) -> bool:
    return edit.fontMetrics().horizontalAdvance(edit.placeholderText()) <= edit.text_room()


def test_the_longest_wording_that_fits_is_shown(qtbot: Any) -> None:
    edit = FittedHintEdit(HINTS)
    qtbot.addWidget(edit)
    edit.setClearButtonEnabled(True)
    edit.resize(900, edit.sizeHint().height())
    edit.show()
    qtbot.waitExposed(edit)
    assert edit.placeholderText() == HINTS[0]
    edit.resize(edit.fontMetrics().horizontalAdvance(HINTS[1]) + 80, edit.height())
    qtbot.waitUntil(lambda: edit.placeholderText() == HINTS[1])
    assert _fits(edit)
    assert edit.toolTip() == HINTS[0] and edit.accessibleDescription() == HINTS[0]


def test_larger_type_picks_a_shorter_wording(qtbot: Any) -> None:
    edit = FittedHintEdit(HINTS)
    qtbot.addWidget(edit)
    edit.resize(edit.fontMetrics().horizontalAdvance(HINTS[0]) + 40, 30)
    edit.show()
    qtbot.waitExposed(edit)
    assert edit.placeholderText() == HINTS[0]
    font = QFont(edit.font())
    font.setPointSizeF(font.pointSizeF() * 1.5)
    edit.setFont(font)
    assert edit.placeholderText() != HINTS[0] and _fits(edit)


def test_too_narrow_for_any_shows_the_shortest(qtbot: Any) -> None:
    edit = FittedHintEdit(HINTS)
    qtbot.addWidget(edit)
    edit.resize(20, 30)
    edit.show()
    qtbot.waitExposed(edit)
    assert edit.placeholderText() == HINTS[-1]


def test_no_wording_is_refused() -> None:
    with pytest.raises(ValueError):
        FittedHintEdit(())


def test_the_guides_search_hint_fits_when_presenting_at_a_laptops_width(qtbot: Any) -> None:
    # At 1366x768 in presentation mode the hint read "Type a platform, alias or ke…".
    from desktop.core.guides import builtin_guides_dir, load_library

    page = GuidesPage(load_library(builtin_guides_dir()))
    qtbot.addWidget(page)
    page.resize(1180, 700)  # the page's share of a 1366x768 window
    page.show()
    qtbot.waitExposed(page)
    field = page.search_field
    assert _fits(field)
    page.set_presentation(True)
    qtbot.waitUntil(lambda: _fits(field))
    # The larger type leaves no room for the whole example: a shorter wording, whole.
    assert field.placeholderText() in field.hints()[1:]
