"""Contrast of text against what is behind it, read from the widgets' palettes (WCAG 2.x).

The foreground is the widget's own palette colour for its foreground role (a style sheet's
``color`` lands there when Qt polishes the widget). The background is the palette colour of the
nearest widget, itself or an ancestor, that paints one (auto-fill, a style sheet background, or a
scroll area's viewport); a translucent background is laid over the one behind it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

AA_NORMAL = 4.5


def _channel(value: float) -> float:
    c = value / 255.0
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: QColor) -> float:
    return (
        0.2126 * _channel(color.red())
        + 0.7152 * _channel(color.green())
        + 0.0722 * _channel(color.blue())
    )


def ratio(a: QColor, b: QColor) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _over(top: QColor, below: QColor) -> QColor:
    alpha = top.alphaF()
    return QColor(
        round(top.red() * alpha + below.red() * (1 - alpha)),
        round(top.green() * alpha + below.green() * (1 - alpha)),
        round(top.blue() * alpha + below.blue() * (1 - alpha)),
    )


def _paints_background(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    is_viewport = isinstance(parent, QAbstractScrollArea) and parent.viewport() is widget
    return (
        widget.autoFillBackground()
        or widget.testAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        or is_viewport
        or widget.isWindow()
    )


def background(widget: QWidget) -> QColor:
    layers: list[QColor] = []
    current: QWidget | None = widget
    while current is not None:
        if _paints_background(current):
            color = current.palette().color(current.backgroundRole())
            layers.append(color)
            if color.alpha() == 255:
                break
        current = current.parentWidget()
    result = QColor("#ffffff") if not layers or layers[-1].alpha() < 255 else layers[-1]
    for layer in reversed(layers[:-1] if layers and layers[-1].alpha() == 255 else layers):
        result = _over(layer, result)
    return result


def _has_text(widget: QWidget) -> bool:
    if isinstance(widget, QLabel):
        return bool(widget.text().strip()) and widget.pixmap().isNull()
    if isinstance(widget, QAbstractButton):
        return bool(widget.text().strip())
    if isinstance(widget, QGroupBox):
        return bool(widget.title().strip())
    return isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit))


def foreground(widget: QWidget) -> QColor:
    role = widget.foregroundRole()
    if isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit)):
        role = QPalette.ColorRole.Text
    return widget.palette().color(role)


def poor_contrast(root: QWidget, minimum: float = AA_NORMAL) -> list[str]:
    """Every visible, enabled text widget under ``root`` below ``minimum``, in words."""
    found: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible() or not widget.isEnabled() or not _has_text(widget):
            continue
        if isinstance(widget, QAbstractButton) and not isinstance(widget, QGroupBox):
            # Buttons paint their own face: text against the button colour.
            bg = widget.palette().color(QPalette.ColorRole.Button)
        elif isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit)):
            bg = widget.palette().color(QPalette.ColorRole.Base)
        else:
            bg = background(widget)
        fg = foreground(widget)
        value = ratio(fg, bg)
        if value < minimum:
            name = widget.accessibleName() or widget.objectName() or type(widget).__name__
            found.append(f"{name}: {fg.name()} on {bg.name()} is {value:.2f}:1")
    return found
