"""A word-wrapped label for long guide text, cheap to lay out again and again.

A guide is built a card per event-loop turn while the agent follows a call: every card shown makes
the layout ask every wrapped label for its height again, and every label whose text can be selected
holds a whole text document. Both costs fell on the loop turn that showed the card.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QEnterEvent
from PySide6.QtWidgets import QLabel

SELECTABLE = Qt.TextInteractionFlag.TextSelectableByMouse


class WrappedLabel(QLabel):
    """A label that remembers its height for the last widths a layout asked about, and gets its
    selectable text (a text document) when the mouse first comes over it.

    QLabel wraps its whole text again for every height it is asked: a guide built a card per
    event-loop turn spent 70 ms re-wrapping the cards already there, up to 10 ms in one turn.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._heights: dict[int, int] = {}

    def heightForWidth(self, width: int) -> int:
        height = self._heights.get(width)
        if height is None:
            if len(self._heights) >= 8:  # a few widths are asked about in a row: keep those
                self._heights.clear()
            height = self._heights[width] = super().heightForWidth(width)
        return height

    def setText(self, text: str) -> None:
        self._heights.clear()
        super().setText(text)

    def changeEvent(self, event: QEvent) -> None:
        # A new font, style sheet or presentation mode changes the wrapping.
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._heights.clear()
        super().changeEvent(event)

    def enterEvent(self, event: QEnterEvent) -> None:
        # Before any press: the mouse selects as in any label.
        if not self.textInteractionFlags() & SELECTABLE:
            self.setTextInteractionFlags(self.textInteractionFlags() | SELECTABLE)
        super().enterEvent(event)
