"""Styles of the call page made from the current palette, and made again when the theme changes.

A widget with its own style sheet keeps the colours it was polished with: switching to the dark
theme left the Problem text and the call title dark on dark. Each style here is a function of the
palette, and ``follow_palette`` applies it again on every palette change (theme or presentation).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

StyleFor = Callable[[QPalette], str]


def _dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def _mix(a: QColor, b: QColor, share_of_b: float) -> str:
    r = round(a.red() * (1 - share_of_b) + b.red() * share_of_b)
    g = round(a.green() * (1 - share_of_b) + b.green() * share_of_b)
    bl = round(a.blue() * (1 - share_of_b) + b.blue() * share_of_b)
    return QColor(r, g, bl).name()


def problem_style(palette: QPalette) -> str:
    """A red frame with a faint red wash; the text keeps the theme's own ink."""
    paper = palette.color(QPalette.ColorRole.Window)
    ink = palette.color(QPalette.ColorRole.WindowText).name()
    red = QColor("#ff8a80") if _dark(palette) else QColor("#c62828")
    return (
        f"QFrame#ProblemBox {{ border: 2px solid {red.name()}; border-radius: 6px;"
        f" background: {_mix(paper, red, 0.10)}; }}"
        f"QFrame#ProblemBox QLabel {{ color: {ink}; background: transparent; border: none; }}"
        f"QFrame#ProblemBox QLabel#ProblemTitle {{ color: {red.name() if _dark(palette) else ink}; }}"
    )


def notice_style(kind: str) -> StyleFor:
    """A banner ("error": Codat not answering) or a prompt ("warning": a stalled step)."""

    def style(palette: QPalette) -> str:
        paper = palette.color(QPalette.ColorRole.Window)
        ink = palette.color(QPalette.ColorRole.WindowText).name()
        if kind == "error":
            hue = QColor("#ff8a80") if _dark(palette) else QColor("#c62828")
        else:
            hue = QColor("#ffd54f") if _dark(palette) else QColor("#b26a00")
        return (
            f"QLabel {{ color: {ink}; background: {_mix(paper, hue, 0.18)};"
            f" border-left: 4px solid {hue.name()}; padding: 6px; border-radius: 4px; }}"
        )

    return style


def secondary_style(palette: QPalette) -> str:
    """Small print (provenance, times) that still reads at 4.5:1 on the window colour."""
    ink = palette.color(QPalette.ColorRole.WindowText)
    paper = palette.color(QPalette.ColorRole.Window)
    return f"QLabel {{ color: {_mix(ink, paper, 0.25)}; }}"


class _Follower(QObject):
    def __init__(self, widget: QWidget, style: StyleFor) -> None:
        super().__init__(widget)
        self.widget = widget
        self.style = style
        self.busy = False

    def apply(self) -> None:
        self.busy = True
        try:
            self.widget.setStyleSheet("")  # resolve the palette without our own colours first
            parent = self.widget.parentWidget()
            palette = parent.palette() if parent is not None else self.widget.palette()
            self.widget.setStyleSheet(self.style(palette))
        finally:
            self.busy = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.busy and event.type() in (
            QEvent.Type.ApplicationPaletteChange,
            QEvent.Type.ParentChange,
        ):
            self.apply()
        return False


def follow_palette(widget: QWidget, style: StyleFor) -> None:
    """Style ``widget`` from its parent's palette now and after every theme change."""
    follower = _Follower(widget, style)
    widget.installEventFilter(follower)
    follower.apply()


def restyle_all(root: QWidget) -> None:
    """Apply every followed style under ``root`` again (after a presentation palette change)."""
    for follower in root.findChildren(_Follower):
        follower.apply()
