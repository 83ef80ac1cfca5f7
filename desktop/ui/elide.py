"""A one-line label that never widens its window: long text is cut with "…", whole in the tooltip.

A plain QLabel asks for the width of its whole text, so a 300-character company name made the main
window 4,000 px wide and it could not shrink again. This label asks for a small minimum and elides
what does not fit; the full text stays in its tooltip and accessible description.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from desktop.ui.rich_text import plain_tooltip

MIN_CHARS = 12  # what the label still shows of a long name at its smallest


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # names come from outside: never rich text
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._full = ""
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(plain_tooltip(text))  # a tooltip reads markup unless escaped
        self.setAccessibleDescription(text)
        self._elide()

    def setText(self, text: str) -> None:
        self.set_full_text(text)

    def full_text(self) -> str:
        return self._full

    def is_elided(self) -> bool:
        return self.text() != self._full

    def minimumSizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.averageCharWidth() * MIN_CHARS, metrics.height())

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        wanted = metrics.horizontalAdvance(self._full) + 2 * self.margin() + 4
        return QSize(min(wanted, metrics.averageCharWidth() * 60), metrics.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._elide()  # a font change (text size, presentation) changes what fits

    def _elide(self) -> None:
        room = max(0, self.contentsRect().width() - 2 * self.margin())
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, room)
        if shown != self.text():
            QLabel.setText(self, shown)
