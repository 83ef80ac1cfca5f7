"""Light and dark palettes (resources/themes/*.json), the font scale for screen share."""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QCheckBox, QRadioButton, QWidget

from desktop.core.assets import asset

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyle

THEMES = ("system", "light", "dark")
# Presentation mode's type, against the app's: large enough to read on a shared screen, small
# enough that every page still fits 1366x768 without clipped buttons.
PRESENTATION_SCALE = 1.35
_BASE_POINT_SIZE: float | None = None

# Every theme is Fusion's, recoloured. LinkDesk starts with ``-style Fusion`` (see
# desktop.app.root) and marks the application with this property, so the first frame never calls
# setStyle(): it hands a QStyle to Python, which makes PySide build QStyle's 566 enum members
# (about 8 ms and 0.3 MiB, PySide6 6.11) before anything is drawn.
STYLE = "Fusion"
STYLE_PROPERTY = "linkdesk_style"
OUTLINING_STYLE = "Fusion, tick boxes outlined"  # the dark theme's (see _outlining_style_class)


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
    _use_style(app, name)
    app.setPalette(build_palette(name))
    font = QFont(app.font())
    if _BASE_POINT_SIZE is None:
        _BASE_POINT_SIZE = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
    font.setPointSizeF(_BASE_POINT_SIZE * max(0.75, min(font_scale, 3.0)))
    app.setFont(font)
    app.setProperty("linkdesk_theme", name)
    _outline_every_indicator(app, name)
    theme_signals().changed.emit()
    return name


@cache  # read for every tick box Qt polishes; the theme files do not change while running
def indicator_style(name: str) -> str:
    """Fusion outlines tick boxes and radio buttons in a shade of the window colour, nearly
    invisible on the dark theme: a visible outline there ("" on the light theme)."""
    if name != "dark":
        return ""
    spec = _palette_spec(name)
    # A style sheet that styles the indicator draws no tick of its own: a ticked box was a plain
    # blue square (seen by a new user in Settings). The tick and the dot are pictures, drawn in
    # the HighlightedText colour (scripts/render_icons.py renders them from resources/icons).
    tick = asset("icons", "png", "tick-dark-28.png").as_posix()
    dot = asset("icons", "png", "dot-dark-28.png").as_posix()
    return (
        f"QCheckBox::indicator, QRadioButton::indicator {{ width: 14px; height: 14px;"
        f" border: 2px solid {spec['PlaceholderText']}; background: {spec['Base']}; }}"
        "QCheckBox::indicator { border-radius: 3px; }"
        "QRadioButton::indicator { border-radius: 9px; }"
        f"QCheckBox::indicator:checked, QRadioButton::indicator:checked {{"
        f" background: {spec['Highlight']}; border-color: {spec['Highlight']}; }}"
        f"QCheckBox::indicator:checked {{ image: url({tick}); }}"
        f"QRadioButton::indicator:checked {{ image: url({dot}); }}"
        f"QCheckBox::indicator:disabled, QRadioButton::indicator:disabled {{"
        f" border-color: {spec['Mid']}; }}"
    )


def is_dark(app: QApplication) -> bool:
    return bool(app.property("linkdesk_theme") == "dark")


def presentation_font(on: bool) -> QFont:
    """The font a page area gets in presentation mode: the app's, PRESENTATION_SCALE larger; off,
    a font that resolves nothing, so the area follows the app's font (text size) again."""
    if not on:
        return QFont()
    font = QFont(QApplication.font())
    font.setPointSizeF(font.pointSizeF() * PRESENTATION_SCALE)
    return font


def _restyle_indicator(box: QWidget, style: str) -> None:
    # A box whose style sheet is someone else's (not "" nor an indicator style) is left alone.
    own = box.styleSheet()
    if own != style and own in ("", indicator_style("dark")):
        box.setStyleSheet(style)


@cache
def _outlining_style_class() -> type[QStyle]:
    """Fusion, outlining every tick box and radio button as Qt polishes it (before it is first
    shown), wherever it was made: a page, a dialog, a table's editor. Used with the dark theme
    only. A style's polish() runs once a widget; an event filter on the application (the first
    way this was done) ran Python for every event of every widget, 2 µs each.

    Made on first use: QProxyStyle brings QStyle's 566 enum members, which the first frame of
    the light theme does without (see STYLE_PROPERTY)."""
    from PySide6.QtWidgets import QProxyStyle

    class OutliningStyle(QProxyStyle):
        def __init__(self) -> None:
            super().__init__(STYLE)
            self.indicator_style = indicator_style("dark")

        def polish(self, target: Any) -> None:  # a QWidget, QApplication or QPalette
            super().polish(target)
            if isinstance(target, (QCheckBox, QRadioButton)):
                _restyle_indicator(target, self.indicator_style)

    return OutliningStyle


_OUTLINING: QStyle | None = None  # kept here: Qt owns the style, Python its polish()


def _use_style(app: QApplication, name: str) -> None:
    """Plain Fusion with the light theme; Fusion outlining the tick boxes with the dark one. Set
    only when it changes (setStyle repolishes every widget, and see STYLE_PROPERTY)."""
    global _OUTLINING
    wanted = OUTLINING_STYLE if indicator_style(name) else STYLE
    if app.property(STYLE_PROPERTY) == wanted:
        return
    if wanted == OUTLINING_STYLE:
        _OUTLINING = _outlining_style_class()()
        app.setStyle(_OUTLINING)
    else:
        app.setStyle(STYLE)
        _OUTLINING = None
    app.setProperty(STYLE_PROPERTY, wanted)


def _outline_every_indicator(app: QApplication, name: str) -> None:
    """Why not an application style sheet: it stops fonts from reaching child widgets, and
    presentation mode enlarges a page by its font. Each box gets its own small sheet instead:
    the boxes made from now on by the style (see _outlining_style_class), those already made here."""
    style = indicator_style(name)
    for widget in app.allWidgets():
        if isinstance(widget, (QCheckBox, QRadioButton)):
            _restyle_indicator(widget, style)


def outline_indicators(*boxes: QAbstractButton) -> None:
    """Kept for the widgets that ask for it by name: every tick box and radio button is outlined
    by apply_theme already (see _outlining_style_class); this styles ``boxes`` now, for a widget made
    before the first apply_theme."""
    app = QApplication.instance()
    name = app.property("linkdesk_theme") if isinstance(app, QApplication) else None
    style = indicator_style(str(name or "light"))
    for box in boxes:
        _restyle_indicator(box, style)
