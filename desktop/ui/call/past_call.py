"""An ended call, read back from the store; and the bar that undoes an End call for a moment."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.call.styles import NoticeLabel
from desktop.ui.elide import ElidedLabel


class PastCallView(QWidget):
    """What the export says about an ended call (plain text, read-only): Copy and Export work on it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.call_id: int | None = None
        self.company = ""
        self.title = ElidedLabel()
        self.title.setAccessibleName("Ended call")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.title.setFont(font)
        self.note = QLabel(
            "An ended call, as it was saved. Copy or export it from the buttons on the left."
        )
        self.note.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Ended call as text")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        layout.addWidget(self.text, 1)

    def show_call(self, call_id: int, text: str) -> None:
        self.call_id = call_id
        first = text.splitlines()[0] if text else f"Call {call_id}"
        self.company = first.removeprefix("Call with ").strip()
        self.title.set_full_text(first)
        self.text.setPlainText(text)


class UndoBar(QWidget):
    """ "Call with X ended (outcome). Undo" for a few seconds after End call."""

    undo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = NoticeLabel("warning")
        self.message.setAccessibleName("Call ended")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setAccessibleName("Undo ending the call")
        self.undo_button.setShortcut("Ctrl+Z")
        self.undo_button.setToolTip("Bring the call back (Ctrl+Z)")
        self.undo_button.clicked.connect(self.undo_requested)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.message, 1)
        row.addWidget(self.undo_button)
        self.setVisible(False)

    def show_ended(self, company: str, outcome: str, seconds: int) -> None:
        short = company if len(company) <= 60 else company[:59] + "…"
        self.message.setText(
            f"Call with {short} ended: {outcome}. Undo within {seconds} s to bring it back."
        )
        self.setVisible(True)
