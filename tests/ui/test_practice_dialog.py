"""The Practice dialog: every scenario's description is read whole, without scrolling sideways."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QListWidget

from desktop.core.practice import Scenario
from desktop.ui.practice_dialog import PracticeDialog

LONG = (
    "opens the link, picks the software, consents, signs in, approves; the first sync "
    "completes and the data status lists every data type as fetched, one after another"
)


def _scenarios() -> list[Scenario]:
    return [
        Scenario("happy-path", LONG, "gbol", True),
        Scenario("cancel-at-selection", "opens the link and cancels at selection", "gbol", False),
        Scenario("never-synced", LONG + ", then nothing more", "gbol", True),
    ]


def _whole(view: QListWidget, row: int) -> bool:
    """The item's text fits, wrapped, in the rectangle the list gives it."""
    rect = view.visualRect(view.model().index(row, 0))
    text = view.item(row).text()
    need = view.fontMetrics().boundingRect(
        QRect(0, 0, rect.width() - 8, 10_000), int(Qt.TextFlag.TextWordWrap), text
    )
    return rect.right() <= view.viewport().width() and need.height() <= rect.height()


@pytest.mark.parametrize("width", [None, 520, 900])
def test_descriptions_wrap_to_the_dialog_width(qtbot: Any, width: int | None) -> None:
    dialog = PracticeDialog(_scenarios())
    qtbot.addWidget(dialog)
    if width is not None:
        dialog.resize(width, 420)
    dialog.show()
    qtbot.waitExposed(dialog)
    view = dialog.list
    qtbot.waitUntil(lambda: view.visualRect(view.model().index(0, 0)).isValid(), timeout=2000)
    assert not view.horizontalScrollBar().isVisible()
    assert view.horizontalScrollBar().maximum() == 0
    for row in range(view.count()):
        assert _whole(view, row), view.item(row).text()
    # A long description takes more than one line; a short one stays one line.
    line = view.fontMetrics().height()
    assert view.visualRect(view.model().index(0, 0)).height() >= 2 * line
    assert view.visualRect(view.model().index(1, 0)).height() < 2 * line


def test_keyboard_and_names_unchanged(qtbot: Any) -> None:
    dialog = PracticeDialog(_scenarios())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.list.accessibleName() == "Scenarios"
    assert dialog.platform.accessibleName() == "Platform"
    dialog.list.setFocus()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Down)
    selected = dialog.selected()
    assert selected is not None and selected.name == "cancel-at-selection"
    assert not dialog.platform.isEnabled()  # this scenario picks its own platform
