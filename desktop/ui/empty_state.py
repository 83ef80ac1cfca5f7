"""A calm, centred message for a page that has nothing to show yet."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class EmptyState(QWidget):
    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title = QLabel(title)
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # it may quote what the user typed
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.text = QLabel(text)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setFixedWidth(520)  # a fixed width lets the wrapped text get its full height
        layout.addWidget(self.title)
        layout.addWidget(self.text, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.setAccessibleName(title)
        self.setAccessibleDescription(text)
        self._fit_text()

    def _fit_text(self) -> None:
        # The layout does not ask a wrapped label for its height again when its text changes
        # later, so the text would be cut off: it gets the height its lines need, at its width.
        self.text.setMinimumHeight(max(0, self.text.heightForWidth(self.text.width())))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (
            QEvent.Type.FontChange,
            QEvent.Type.ApplicationFontChange,
            QEvent.Type.StyleChange,
        ):
            self._fit_text()  # larger text (presentation) needs more lines

    def set_message(self, title: str, text: str) -> None:
        """Say something else: ``title`` (also the accessible name) and ``text``, as plain text."""
        self.title.setText(title)
        self.text.setText(text)
        self.setAccessibleName(title)
        self.setAccessibleDescription(text)
        self._fit_text()
