"""Small bridges between Qt and asyncio on the qasync loop."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class _PaintWatcher(QObject):
    def __init__(self, future: asyncio.Future[None]) -> None:
        super().__init__()
        self.future = future

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.future.done():
            # Resolve after this paint completes, not before it runs.
            self.future.get_loop().call_soon(self._done)
        return False

    def _done(self) -> None:
        if not self.future.done():
            self.future.set_result(None)


async def first_paint(widget: QWidget, timeout: float = 10.0) -> None:
    """Wait until the widget has painted once (the window is really on screen)."""
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    watcher = _PaintWatcher(future)
    widget.installEventFilter(watcher)
    widget.update()
    try:
        await asyncio.wait_for(future, timeout)
    finally:
        widget.removeEventFilter(watcher)


async def signal_once(signal: Any, timeout: float | None = None) -> tuple[Any, ...]:
    """Await the next emission of a Qt signal; returns its arguments."""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def _on(*args: Any) -> None:
        if not future.done():
            future.set_result(args)

    signal.connect(_on)
    try:
        return await asyncio.wait_for(future, timeout)
    finally:
        signal.disconnect(_on)
