"""Turns Qt's own quit requests into LinkDesk's one orderly shutdown."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject


class QuitFilter(QObject):
    """Catches the Quit event that ``QApplication.quit()`` sends (a session ending, Cmd+Q).

    Left to Qt, that event ends the event loop at once, and with it the asyncio loop that the
    shutdown itself runs on: notes would not be saved nor tasks cancelled. Instead it asks for the
    same shutdown as closing the window, which ends the loop when it has finished.
    """

    def __init__(self, request_quit: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._request_quit = request_quit

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Quit:
            self._request_quit()
            return True
        return False
