"""Notes that save themselves: a second after typing stops, and when the field loses focus."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

PAUSE_MS = 500  # a pause in typing saves
MAX_MS = 1000  # and steady typing is saved at least this often, so a crash loses at most a second


class NotesEdit(QPlainTextEdit):
    def __init__(self, save: Callable[[str], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._save = save
        self.setAccessibleName("Call notes")
        self.setPlaceholderText("Notes for this call (saved as you type)")
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(PAUSE_MS)
        self._pause.timeout.connect(self.save_now)
        self._max = QTimer(self)
        self._max.setSingleShot(True)
        self._max.setInterval(MAX_MS)
        self._max.timeout.connect(self.save_now)
        self.textChanged.connect(self._typed)

    def _typed(self) -> None:
        self._pause.start()
        if not self._max.isActive():
            self._max.start()

    def set_notes(self, text: str) -> None:
        self.blockSignals(True)
        self.setPlainText(text)
        self.blockSignals(False)

    def save_now(self) -> None:
        self._pause.stop()
        self._max.stop()
        self._save(self.toPlainText())

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.save_now()
        super().focusOutEvent(event)
