"""Telling the agent about a followed journey while LinkDesk is behind other windows."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QSystemTrayIcon


class Notifier(Protocol):
    """Shows a short desktop notification; the workspace calls it only when it is not in front."""

    def show(self, title: str, message: str) -> None: ...


class TrayNotifier:
    """Notifications through the system tray icon, where the desktop has a tray."""

    def __init__(self, tray: QSystemTrayIcon) -> None:
        self.tray = tray

    def show(self, title: str, message: str) -> None:
        if QSystemTrayIcon.isSystemTrayAvailable() and self.tray.isVisible():
            self.tray.showMessage(title, message, QSystemTrayIcon.MessageIcon.Information)
