"""The Link panel uses only a Link URL fit for a customer: QR code, invitation and Open."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from desktop.ui.call.link_panel import LinkPanel

GOOD = "https://link.codat.io/company/9f1c0f4e-0000-4000-8000-000000000001"


class Opened(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


@pytest.fixture
def opened() -> Any:
    handler = Opened()
    for scheme in ("https", "http", "file", "javascript"):
        # The slot's name as str: PySide6's stub says bytes, which it refuses at run time.
        QDesktopServices.setUrlHandler(scheme, handler, "open")  # type: ignore[arg-type]
    yield handler
    for scheme in ("https", "http", "file", "javascript"):
        QDesktopServices.unsetUrlHandler(scheme)


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "javascript:alert(1)", "http://link.example.com/company/x", None, ""],
)
def test_a_refused_link_url_reaches_no_qr_invitation_or_browser(
    qtbot: Any, opened: Opened, url: str | None
) -> None:
    panel = LinkPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_link(url, f"Hello, please open {url}")
    assert panel.refused.isVisible() and "Link URL" in panel.refused.text()
    assert panel.url == "" and panel.invitation == "" and panel.url_edit.text() == ""
    assert panel.qr.pixmap().isNull()
    buttons = (panel.copy_button, panel.invite_button, panel.open_button, panel.qr_button)
    assert not any(b.isEnabled() for b in buttons)
    panel.open_in_browser()
    assert opened.urls == []


@pytest.mark.parametrize("url", [GOOD, "http://127.0.0.1:8765/link/company/abc"])
def test_https_and_the_sandbox_link_urls_are_used(qtbot: Any, opened: Opened, url: str) -> None:
    panel = LinkPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_link("file:///etc/passwd", "x")  # a refused one first: then a good one clears it
    panel.set_link(url, f"Hello, please open {url}")
    assert not panel.refused.isVisible()
    assert panel.url == url and panel.invitation.endswith(url)
    assert not panel.qr.pixmap().isNull()
    panel.open_in_browser()
    assert opened.urls == [url]


def test_companies_page_copies_only_a_usable_link_url(qtbot: Any) -> None:
    from PySide6.QtGui import QGuiApplication

    from desktop.core.companies import CompanyRow
    from desktop.ui.companies.page import CompaniesPage

    page = CompaniesPage(lambda text, n: None, lambda coro, name: None)  # type: ignore[arg-type,return-value]
    qtbot.addWidget(page)
    page.show()
    QGuiApplication.clipboard().setText("before")
    row = CompanyRow("id-1", "Bakery", "PendingAuth", "Xero", None, "javascript:alert(1)")
    page.model.set_rows([row])
    page.table.selectRow(0)
    page._update_buttons()
    page.copy_link.click()
    assert QGuiApplication.clipboard().text() == "before"
    assert page.error.isVisibleTo(page) and "javascript: address" in page.error.text()
    page.model.set_rows([CompanyRow("id-1", "Bakery", "Linked", "Xero", None, GOOD)])
    page.table.selectRow(0)
    page._update_buttons()
    page.copy_link.click()
    assert QGuiApplication.clipboard().text() == GOOD
