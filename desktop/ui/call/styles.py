"""The call page's coloured boxes, painted from the palette at paint time.

Style sheets were tried first and failed in two ways: Qt stops passing a new application palette
to a widget whose palette a style sheet has set (the Problem text and the call title went dark on
dark after switching theme), and such a widget also keeps the font it was polished with (the
Problem box did not grow in presentation mode). These widgets set no style sheet: they paint
their frame and wash from the current palette, and their text inherits palette and font as usual.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QFrame, QLabel, QWidget

HUES = {
    # kind: (on a light theme, on a dark theme)
    "error": ("#c62828", "#ff8a80"),
    "warning": ("#b26a00", "#ffd54f"),
}


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def hue(kind: str, palette: QPalette) -> QColor:
    light, dark = HUES[kind]
    return QColor(dark if is_dark(palette) else light)


def wash(kind: str, palette: QPalette, share: float) -> QColor:
    """The window colour with a little of the kind's hue: text keeps its contrast on it."""
    paper = palette.color(QPalette.ColorRole.Window)
    tint = hue(kind, palette)
    return QColor(
        round(paper.red() * (1 - share) + tint.red() * share),
        round(paper.green() * (1 - share) + tint.green() * share),
        round(paper.blue() * (1 - share) + tint.blue() * share),
    )


class NoticeLabel(QLabel):
    """A wrapped message on a faint wash with a bar on its left: "error" or "warning"."""

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)  # may quote Codat's or the sandbox's words
        self.setContentsMargins(12, 6, 8, 6)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(wash(self.kind, self.palette(), 0.16))
        painter.drawRoundedRect(QRectF(self.rect()), 4, 4)
        painter.setBrush(hue(self.kind, self.palette()))
        painter.drawRect(QRectF(0, 0, 4, self.height()))
        painter.end()
        super().paintEvent(event)


class ProblemFrame(QFrame):
    """The Problem box: a red frame around a faint red wash."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setContentsMargins(4, 4, 4, 4)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(hue("error", self.palette()), 2))
        painter.setBrush(wash("error", self.palette(), 0.08))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 6, 6)
        painter.end()
