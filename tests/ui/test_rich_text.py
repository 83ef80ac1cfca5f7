from __future__ import annotations

from PySide6.QtGui import QTextDocument

from desktop.ui.rich_text import escape


def test_escaped_text_shows_exactly_as_typed_in_qt_rich_text() -> None:
    typed = 'Xero & <b>Sage</b> "50" > QuickBooks &amp; co'
    doc = QTextDocument()
    doc.setHtml(f"<p>{escape(typed)}</p>")
    assert doc.toPlainText() == typed
