"""Is a widget really seen? Shown, not covered or cut by its parents, and its text not clipped."""

from __future__ import annotations

from PySide6.QtGui import QRegion
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget


def hidden_part(widget: QWidget) -> str | None:
    """None if ``widget`` is shown whole with all its text; else what is wrong, in words."""
    name = widget.accessibleName() or widget.objectName() or type(widget).__name__
    if not widget.isVisible():
        return f"{name}: not shown"
    if widget.width() <= 0 or widget.height() <= 0:
        return f"{name}: no room ({widget.width()}x{widget.height()})"
    missing = QRegion(widget.rect()).subtracted(widget.visibleRegion())
    if not missing.isEmpty():
        box = missing.boundingRect()
        return (
            f"{name}: {box.width()}x{box.height()} px at ({box.x()},{box.y()}) of "
            f"{widget.width()}x{widget.height()} is cut off"
        )
    if isinstance(widget, QLabel) and widget.text():
        room = widget.contentsRect()
        if widget.wordWrap():
            needed = widget.heightForWidth(room.width())
            if needed > room.height() + 1:
                return f"{name}: wrapped text needs {needed} px, has {room.height()}"
        elif (
            widget.sizePolicy().horizontalPolicy().name != "Ignored"
        ):  # elided labels cut on purpose
            needed = widget.minimumSizeHint().width()
            if needed > widget.width() + 1:
                return f"{name}: text needs {needed} px, has {widget.width()}"
    if isinstance(widget, QAbstractButton):
        needed = widget.minimumSizeHint().width()
        if needed > widget.width() + 1:
            return f"{name}: button needs {needed} px, has {widget.width()}"
    return None
