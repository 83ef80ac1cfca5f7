"""Paint a window once, before any event loop of ours runs (no asyncio needed)."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget


class _PaintSeen(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.seen = True
        return False


def paint_once(app: QApplication, widget: QWidget, timeout: float = 10.0) -> bool:
    """Let Qt process events until the widget has painted once; False if it never did."""
    watcher = _PaintSeen()
    widget.installEventFilter(watcher)
    widget.update()
    deadline = time.monotonic() + timeout
    try:
        while not watcher.seen and time.monotonic() < deadline:
            app.processEvents()
            if not watcher.seen:
                time.sleep(0.001)
        app.processEvents()  # the paint's own follow-ups (the backing store flush)
    finally:
        widget.removeEventFilter(watcher)
    return watcher.seen
