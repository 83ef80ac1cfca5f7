"""The guide viewer's wrapped labels remember their heights, and forget them when wrapping changes."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFont

from desktop.ui.guides.wrapped_label import WrappedLabel

TEXT = "Sign in to QuickBooks Online with an admin account, then approve the connection. " * 4


def test_a_wrapped_label_answers_as_qlabel_and_follows_text_and_font(qtbot: Any) -> None:
    label = WrappedLabel(TEXT)
    label.setWordWrap(True)
    qtbot.addWidget(label)
    narrow = label.heightForWidth(200)
    assert narrow > label.heightForWidth(600) > 0
    assert label.heightForWidth(200) == narrow  # remembered

    label.setText("Short.")
    assert label.heightForWidth(200) < narrow  # a new text is wrapped again

    label.setText(TEXT)
    assert label.heightForWidth(200) == narrow
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 2)
    label.setFont(font)
    assert label.heightForWidth(200) > narrow  # a larger font wraps into more, taller lines

    larger = label.heightForWidth(200)
    label.setStyleSheet("padding: 40px;")
    assert label.heightForWidth(200) >= larger + 80  # a style sheet's padding counts too


def test_a_wrapped_label_is_selectable_once_the_mouse_comes_over_it(qtbot: Any) -> None:
    label = WrappedLabel(TEXT)
    qtbot.addWidget(label)
    label.show()
    selectable = Qt.TextInteractionFlag.TextSelectableByMouse
    assert not label.textInteractionFlags() & selectable  # no text document until needed
    qtbot.mouseMove(label, QPoint(5, 5))
    qtbot.waitUntil(lambda: bool(label.textInteractionFlags() & selectable), timeout=3000)
