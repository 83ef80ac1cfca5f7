"""About LinkDesk, with the versions an agent quotes when reporting a problem."""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop import APP_NAME, __version__


def version_text(keyring_backend: str) -> str:
    return "\n".join(
        (
            f"{APP_NAME} {__version__}",
            f"Python {platform.python_version()}",
            f"PySide6 {pyside_version}, Qt {qVersion()}",
            f"Keyring: {keyring_backend}",
            f"System: {platform.platform()}",
        )
    )


class AboutDialog(QDialog):
    def __init__(self, keyring_backend: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_NAME}")
        layout = QVBoxLayout(self)
        title = QLabel(
            f"<h2>{APP_NAME}</h2><p>Follow a customer's Codat connection step by step.</p>"
        )
        title.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(title)
        self.versions = QLabel(version_text(keyring_backend))
        self.versions.setAccessibleName("Versions")
        self.versions.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.versions)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("Copy versions")
        copy.setAccessibleName("Copy versions")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.versions.text()))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
