"""A banner over the call page while the call database refuses writes (never a modal dialog)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QWidget

from desktop.core.store import StoreError
from desktop.ui.rich_text import plain_label


class StoreBanner(QFrame):
    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Calls not saved")
        self.setProperty("role", "banner")
        self.setStyleSheet(
            "StoreBanner { background:#fdecea; border-radius:4px; } QLabel { color:#611a15; }"
        )
        self.message = plain_label()  # the database's own message
        self.message.setAccessibleName("Why calls are not saved")
        self.message.setWordWrap(True)
        self.retry_button = QPushButton("Try again now")
        self.retry_button.setAccessibleName("Try saving again now")
        self.retry_button.clicked.connect(self.retry_requested)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setAccessibleName("Dismiss the saving problem")
        self.dismiss_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.retry_button)
        layout.addWidget(self.dismiss_button)
        self.setVisible(False)

    def show_error(self, error: StoreError) -> None:
        text = error.plain_message
        if not text.endswith("."):
            text += "."  # the message may end with the database's path
        if error.queued:
            text += " LinkDesk tries again every few seconds."
        else:
            # Nothing is kept for a retry: say so rather than let the agent believe it was saved.
            text += " The last change was not saved; what you see on screen is still here."
        self.message.setText(text)
        self.retry_button.setVisible(error.queued)
        self.dismiss_button.setVisible(not error.queued)
        self.setVisible(True)
