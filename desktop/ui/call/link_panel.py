"""The Link URL: copy it, show it as a QR code, copy the invitation text, open it in the browser."""

from __future__ import annotations

import io

import segno
from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFocusEvent, QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.codat.urls import RefusedUrl, check_link_url
from desktop.ui.rich_text import plain_label

COPIED_MS = 2000  # how long a Copy button says "Copied ✓"
# At this size each QR module is about 7 px: readable by a phone camera over a shared screen.
QR_PIXELS = 240


def qr_pixmap(text: str, pixels: int = QR_PIXELS) -> QPixmap:
    code = segno.make(text, error="m", micro=False)
    width = code.symbol_size(scale=1, border=2)[0]
    scale = max(4, pixels // width)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=2, dark="#000000", light="#ffffff")
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue())  # PNG, known by its signature
    return pixmap


def render_invitation(template: str, company: str, link: str, checklist: str, agent: str) -> str:
    values = {"company": company, "link": link, "checklist": checklist, "agent": agent}
    try:
        return template.format_map(values)
    except (KeyError, ValueError, IndexError):
        # A hand-edited template with a stray brace: fill what we can rather than fail the call.
        out = template
        for key, value in values.items():
            out = out.replace("{" + key + "}", value)
        return out


class UrlField(QLineEdit):
    """The read-only Link URL. Qt selects a line edit's whole text when it takes focus from the
    keyboard (or when a hidden widget hands focus on, as presentation mode does) and scrolls to
    the selection's end: a shared screen then showed "27.0.0.1:…/company/9ce6…", the link without
    its start. Here the selection runs backwards, so the start of the link stays in view."""

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.show_start()

    def show_start(self) -> None:
        """Scroll back to the link's first character, keeping a whole-text selection if any."""
        text = self.text()
        if self.hasSelectedText() and self.selectedText() == text:
            self.setSelection(len(text), -len(text))
        else:
            self.setCursorPosition(0)


class LinkPanel(QGroupBox):
    copied = Signal(str)  # what was copied, in words for the timeline

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Link URL", parent)
        self.url = ""
        self.invitation = ""
        self.url_edit = UrlField()
        self.url_edit.setReadOnly(True)
        self.url_edit.setAccessibleName("Link URL")
        self.copy_button = QPushButton("Copy link")
        self.copy_button.setAccessibleName("Copy Link URL")
        self.copy_button.setToolTip("Copy the Link URL (Ctrl+L)")
        self.copy_button.clicked.connect(self.copy_link)
        self.invite_button = QPushButton("Copy invitation")
        self.invite_button.setAccessibleName("Copy invitation text")
        self.invite_button.setToolTip("Copy the invitation text (Ctrl+Shift+I)")
        self.invite_button.clicked.connect(self.copy_invitation)
        self.open_button = QPushButton("Open in browser")
        self.open_button.setAccessibleName("Open Link URL in the browser")
        self.open_button.clicked.connect(self.open_in_browser)
        self.qr_button = QPushButton("QR code")
        self.qr_button.setAccessibleName("Show QR code")
        self.qr_button.setCheckable(True)
        self.qr_button.toggled.connect(self._toggle_qr)
        self.qr = QLabel()
        self.qr.setAccessibleName("QR code of the Link URL")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setVisible(False)
        # A reconnection call: what opening this link shows the customer (plain text).
        self.customer_sees = plain_label()
        self.customer_sees.setAccessibleName("What the customer will see")
        self.customer_sees.setWordWrap(True)
        self.customer_sees.setVisible(False)
        # Why a Link URL from Codat is not used (file:, javascript:, http on a public host, none).
        self.refused = plain_label()
        self.refused.setAccessibleName("Link URL refused")
        self.refused.setWordWrap(True)
        self.refused.setProperty("role", "warning")
        self.refused.setVisible(False)
        self.url_edit.setMinimumWidth(self.url_edit.fontMetrics().averageCharWidth() * 16)
        # One row: the call page keeps its height for the journey.
        row = QHBoxLayout()
        row.addWidget(self.url_edit, 1)
        for button in (self.copy_button, self.invite_button, self.qr_button, self.open_button):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(row)
        layout.addWidget(self.refused)
        layout.addWidget(self.customer_sees)
        layout.addWidget(self.qr)
        self._labels = {
            self.copy_button: self.copy_button.text(),
            self.invite_button: self.invite_button.text(),
        }
        self._restore = QTimer(self)
        self._restore.setSingleShot(True)
        self._restore.setInterval(COPIED_MS)
        self._restore.timeout.connect(self._unmark)

    def set_link(self, url: str | None, invitation: str) -> None:
        """Show a Link URL; one LinkDesk must not send (see check_link_url) is said and not used."""
        try:
            usable = check_link_url(url)
        except RefusedUrl as exc:
            usable = ""
            self.refused.setText(str(exc))
        self.refused.setVisible(not usable)
        self.url = usable
        self.invitation = invitation if usable else ""
        self.url_edit.setText(usable)
        self.url_edit.setCursorPosition(0)
        self.qr.clear()
        if usable:
            self.qr.setPixmap(qr_pixmap(usable))
        for button in (self.copy_button, self.invite_button, self.open_button, self.qr_button):
            button.setEnabled(bool(usable))

    def set_customer_sees(self, text: str) -> None:
        """For a company that already has connections: what the customer will see."""
        self.customer_sees.setText(f"What the customer will see: {text}" if text else "")
        self.customer_sees.setVisible(bool(text))

    def _toggle_qr(self, shown: bool) -> None:
        self.qr.setVisible(shown)

    def copy_link(self) -> None:
        if self.url:
            QGuiApplication.clipboard().setText(self.url)
            self._mark(self.copy_button)
            self.copied.emit("You copied the Link URL.")

    def copy_invitation(self) -> None:
        if self.invitation:
            QGuiApplication.clipboard().setText(self.invitation)
            self._mark(self.invite_button)
            self.copied.emit("You copied the invitation text.")

    def _mark(self, button: QPushButton) -> None:
        """Visible feedback on the button itself for a moment: the clipboard shows nothing."""
        self._unmark()
        button.setText("Copied ✓")
        button.setAccessibleDescription("Copied to the clipboard")
        self._restore.start()

    def _unmark(self) -> None:
        for button, text in self._labels.items():
            button.setText(text)
            button.setAccessibleDescription("")

    def open_in_browser(self) -> None:
        if self.url:
            QDesktopServices.openUrl(QUrl(check_link_url(self.url)))
