"""Light and dark palettes (resources/themes/*.json), the font scale for screen share."""

from __future__ import annotations

import json
from functools import cache

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication

from desktop.core.assets import asset

THEMES = ("system", "light", "dark")
_BASE_POINT_SIZE: float | None = None


class ThemeSignals(QObject):
    """Told after every apply_theme. Widgets that style themselves from the palette (style
    sheets) listen: Qt stops propagating a new application palette at any widget whose palette
    a style sheet has set, so they would keep the old theme's colours."""

    changed = Signal()


_SIGNALS: ThemeSignals | None = None


def theme_signals() -> ThemeSignals:
    global _SIGNALS
    if _SIGNALS is None:
        _SIGNALS = ThemeSignals()
    return _SIGNALS


@cache
def _palette_spec(name: str) -> dict[str, str]:
    data: dict[str, str] = json.loads(asset("themes", f"{name}.json").read_text(encoding="utf-8"))
    return data


def resolve_theme(choice: str) -> str:
    if choice in ("light", "dark"):
        return choice
    hints = QGuiApplication.styleHints()
    return "dark" if hints.colorScheme() == Qt.ColorScheme.Dark else "light"


def build_palette(name: str) -> QPalette:
    palette = QPalette()
    for role_name, color in _palette_spec(name).items():
        role = getattr(QPalette.ColorRole, role_name)
        palette.setColor(QPalette.ColorGroup.All, role, QColor(color))
    disabled = QColor(_palette_spec(name)["PlaceholderText"])
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def apply_theme(app: QApplication, choice: str, font_scale: float = 1.0) -> str:
    """Apply a theme and text size to the whole app; returns the theme actually used."""
    global _BASE_POINT_SIZE
    name = resolve_theme(choice)
    app.setStyle("Fusion")
    app.setPalette(build_palette(name))
    font = QFont(app.font())
    if _BASE_POINT_SIZE is None:
        _BASE_POINT_SIZE = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
    font.setPointSizeF(_BASE_POINT_SIZE * max(0.75, min(font_scale, 3.0)))
    app.setFont(font)
    app.setProperty("linkdesk_theme", name)
    theme_signals().changed.emit()
    return name


def indicator_style(name: str) -> str:
    """Fusion outlines tick boxes and radio buttons in a shade of the window colour, nearly
    invisible on the dark theme: a visible outline there ("" on the light theme)."""
    if name != "dark":
        return ""
    spec = _palette_spec(name)
    return (
        f"QCheckBox::indicator, QRadioButton::indicator {{ width: 14px; height: 14px;"
        f" border: 2px solid {spec['PlaceholderText']}; background: {spec['Base']}; }}"
        "QCheckBox::indicator { border-radius: 3px; }"
        "QRadioButton::indicator { border-radius: 9px; }"
        f"QCheckBox::indicator:checked, QRadioButton::indicator:checked {{"
        f" background: {spec['Highlight']}; border-color: {spec['Highlight']}; }}"
        f"QCheckBox::indicator:disabled, QRadioButton::indicator:disabled {{"
        f" border-color: {spec['Mid']}; }}"
    )


def is_dark(app: QApplication) -> bool:
    return app.property("linkdesk_theme") == "dark"


class _IndicatorStyler(QObject):
    def __init__(self, boxes: tuple[QAbstractButton, ...]) -> None:
        super().__init__(boxes[0])  # goes with the boxes, and so does its connection
        self.boxes = boxes

    def restyle(self) -> None:
        app = QApplication.instance()
        name = app.property("linkdesk_theme") if isinstance(app, QApplication) else None
        style = indicator_style(str(name or "light"))
        for box in self.boxes:
            try:
                if box.styleSheet() != style:
                    box.setStyleSheet(style)
            except RuntimeError:  # that box is gone already
                continue


def outline_indicators(*boxes: QAbstractButton) -> None:
    """Tick boxes (or radio buttons) that stay visible on the dark theme, now and after every
    theme change. Their own style sheet, never the application's: an application style sheet
    stops fonts from reaching child widgets, and presentation mode enlarges the page by its font."""
    if not boxes:
        return
    styler = _IndicatorStyler(boxes)
    styler.restyle()
    theme_signals().changed.connect(styler.restyle)
