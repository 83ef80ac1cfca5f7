"""Every control a user can reach, on every page of the real window, says what it is."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from desktop.ui.main_window import PAGES

CONTROLS = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QPlainTextEdit,
    QTextEdit,
)


def _unnamed(root: QWidget) -> list[str]:
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or not widget.isVisibleTo(root):
            continue
        if widget.accessibleName():
            continue
        if isinstance(widget, QAbstractButton) and widget.text().strip("&… "):
            continue  # a button's own text is its accessible name
        missing.append(
            f"{type(widget).__name__} {widget.objectName()!r} in {type(widget.parent()).__name__}"
        )
    return missing


def test_every_page_names_its_controls(qtbot: Any, make_shell: Any) -> None:
    running = make_shell()
    window, shell = running.window, running.shell
    for key, _title, _shortcut in PAGES:
        window.show_page(key)
        qtbot.wait(10)
        assert _unnamed(window) == [], key
    shell.guides_page.open_platform("akxx", 4)  # the viewer, built on first use
    window.show_page("guides")
    assert _unnamed(window) == [], "guide viewer"
