"""A line edit whose placeholder is the longest of its wordings that fits the field.

QLineEdit cuts a placeholder that is too long ("Type a platform, alias or ke…"): in presentation
mode's larger type, or in a narrow window, the example that says what to type was the part lost.
This edit is given wordings from the longest to the shortest and shows the first that fits at its
width and font; the longest stays in the tooltip and the accessible description.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLineEdit, QWidget

FRAME_PAD = 6  # px a side: the frame and the inner padding around a line edit's text


class FittedHintEdit(QLineEdit):
    """``hints``: the placeholder's wordings, longest first (at least one)."""

    def __init__(self, hints: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if not hints:
            raise ValueError("FittedHintEdit needs at least one wording")
        self._hints = tuple(hints)
        self.setToolTip(self._hints[0])  # our own words: no markup in them
        self.setAccessibleDescription(self._hints[0])
        self._fit()

    def hints(self) -> tuple[str, ...]:
        return self._hints

    def text_room(self) -> int:
        """Pixels the placeholder may take: the widget less its frame and padding (FRAME_PAD a
        side, a little more than Fusion's), the text margins and, when the clear button is on,
        the room Qt keeps for it (about the field's height).

        Measured without QStyle on purpose: this field is on the first page, and the first frame
        does without QStyle's Python wrapper (tests/e2e/test_first_frame_wrappers.py)."""
        contents = self.contentsRect()
        margins = self.textMargins()
        room = contents.width() - margins.left() - margins.right() - 2 * FRAME_PAD
        if self.isClearButtonEnabled():
            room -= contents.height()
        return room

    def _fit(self) -> None:
        room = self.text_room()
        metrics = self.fontMetrics()
        chosen = next(
            (hint for hint in self._hints if metrics.horizontalAdvance(hint) <= room),
            self._hints[-1],
        )
        if chosen != self.placeholderText():
            self.setPlaceholderText(chosen)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()
