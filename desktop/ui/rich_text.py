"""Text from outside made safe for Qt, which reads anything that looks like markup as rich text.

A QLabel, a QMessageBox and every tooltip guess the format (Qt::AutoText): a Codat error body that
is a gateway's HTML page, a company named ``<img src=…>`` or a guide field with tags would be drawn
as markup, and images loaded. Text that comes from Codat, the customer, a guide's plain fields or
the agent goes through these helpers, so it shows exactly as it was written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel, QMessageBox


def escape(text: str) -> str:
    """Escape what Qt's rich text would read as markup.

    Not ``html.escape``: importing ``html`` builds its table of 2,000 named entities, which costs
    the first frame close to 1 MiB for four characters.
    """
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def plain(widget: QLabel | QMessageBox) -> QLabel | QMessageBox:
    """Show the widget's text as plain text, whatever it looks like; returns the widget."""
    from PySide6.QtCore import Qt

    widget.setTextFormat(Qt.TextFormat.PlainText)
    return widget


def plain_label(text: str = "") -> QLabel:
    """A QLabel that never reads its text as markup."""
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    plain(label)
    label.setText(text)
    return label


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` as written (tooltips have no plain-text switch)."""
    if not text:
        return ""
    return "<qt>" + escape(text).replace("\n", "<br>") + "</qt>"


def markdown_source(text: str) -> str:
    """Markdown from a guide with any raw HTML turned into literal text.

    Qt's Markdown reader passes raw HTML through (an ``<img src=…>`` would be loaded). Escaped
    with a backslash, as CommonMark allows for any punctuation, a ``<`` shows as itself. (The
    entity ``&lt;`` would too, but Qt warns when a list item starts with an entity.)
    """
    return text.replace("<", "\\<")
