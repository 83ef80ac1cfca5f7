"""Presentation mode for the guide widgets: larger type and a high-contrast palette."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from desktop.ui.theme import PRESENTATION_SCALE

SCALE = PRESENTATION_SCALE  # the same as every page's (MainWindow scales the page stack)


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def high_contrast(base: QPalette) -> QPalette:
    """Pure black on white (or white on black in a dark theme), with a strong accent."""
    dark = is_dark(base)
    ink, paper = (
        (QColor("#ffffff"), QColor("#000000")) if dark else (QColor("#000000"), QColor("#ffffff"))
    )
    accent = QColor("#ffd400") if dark else QColor("#0038a8")
    palette = QPalette(base)
    for role in (
        QPalette.ColorRole.Window,
        QPalette.ColorRole.Base,
        QPalette.ColorRole.AlternateBase,
    ):
        palette.setColor(role, paper)
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(role, ink)
    palette.setColor(QPalette.ColorRole.Mid, ink)
    palette.setColor(QPalette.ColorRole.PlaceholderText, ink)
    palette.setColor(QPalette.ColorRole.Highlight, accent)
    palette.setColor(QPalette.ColorRole.HighlightedText, paper)
    palette.setColor(QPalette.ColorRole.Link, accent)
    return palette


def apply(widget: QWidget, on: bool) -> None:
    """Switch a top-level guide widget into or out of presentation mode."""
    if on:
        app_palette = QApplication.palette()
        widget.setPalette(high_contrast(app_palette))
        font = QFont(QApplication.font())
        font.setPointSizeF(font.pointSizeF() * SCALE)
        widget.setFont(font)
    else:
        # Default-constructed values resolve nothing, so the widget follows the app theme again.
        widget.setPalette(QPalette())
        widget.setFont(QFont())
    widget.setAutoFillBackground(on)


def checkbox_style(on: bool, palette: QPalette) -> str:
    """Fusion draws tick boxes from the window colour, which vanishes on pure black: outline them."""
    if not on:
        return ""
    ink = palette.color(QPalette.ColorRole.Text).name()
    accent = palette.color(QPalette.ColorRole.Highlight).name()
    return (
        f"QCheckBox::indicator {{ width: 18px; height: 18px; border: 2px solid {ink}; "
        "border-radius: 3px; }"
        f"QCheckBox::indicator:checked {{ background: {accent}; }}"
    )
