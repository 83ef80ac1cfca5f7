"""The one dialog for unexpected errors: non-blocking, with the details one click from the clipboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.crash import CrashReport
from desktop.ui.rich_text import plain_label


class CrashDialog(QDialog):
    def __init__(self, report: CrashReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(report.title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.report = report
        layout = QVBoxLayout(self)
        intro = QLabel(
            "LinkDesk hit an unexpected error. Your calls and notes are saved. "
            "The details below are also in the log file."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        summary = plain_label(report.summary)
        summary.setWordWrap(True)
        summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(summary)
        self.details = QPlainTextEdit(report.details)
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Error details")
        self.details.setMinimumSize(560, 220)
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.setAccessibleName("Copy error details")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.report.summary + "\n\n" + self.report.details)
        self.copy_button.setText("Copied")


def show_crash(report: CrashReport, parent: QWidget | None = None) -> CrashDialog:
    """Shown with open()/show(), never exec(): a crash may be reported from inside a coroutine."""
    dialog = CrashDialog(report, parent)
    dialog.show()
    return dialog
