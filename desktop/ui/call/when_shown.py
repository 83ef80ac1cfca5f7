"""Bring a widget up to date now when it is on screen, else when it is next shown.

With a hundred calls followed at once, all but one call view are hidden behind the shown one:
updating each of them on every journey change spent the Qt loop's time on widgets no one sees.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class _ShowWatcher(QObject):
    """Runs the pending refresh when its widget is shown (before the widget paints)."""

    def __init__(self, widget: QWidget, refresh: Callable[[], None]) -> None:
        super().__init__(widget)
        self.refresh = refresh
        self.stale = False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and self.stale:
            self.stale = False
            self.refresh()
        return False


def refresh_when_shown(widget: QWidget, refresh: Callable[[], None]) -> Callable[[object], None]:
    """A listener for ``widget``'s subject: ``refresh()`` now if the widget is visible, else once
    when it is next shown (changes while hidden collapse into that one refresh)."""
    watcher = _ShowWatcher(widget, refresh)

    def changed(_subject: object) -> None:
        if widget.isVisible():
            refresh()
        else:
            watcher.stale = True

    return changed
