"""The Companies page against the real sandbox over loopback: search, paging, open in a call."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PySide6.QtGui import QGuiApplication

from desktop.core.codat import CodatClient
from desktop.core.codat.models import Page
from desktop.core.companies import CompanyRow, company_row, search_query
from desktop.sandbox.server import SandboxServer
from desktop.ui.companies import CompaniesPage
from tests.conftest import run_in_qloop

KEY = "companies-page-key"


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(api_key=KEY) as server:
        yield server


def _page(qtbot: Any, base: str, page_size: int = 50) -> tuple[CompaniesPage, httpx.AsyncClient]:
    http = httpx.AsyncClient(trust_env=False, timeout=10)
    client = CodatClient(http, base, KEY)

    async def load(text: str, page: int) -> Page[CompanyRow]:
        found = await client.list_companies(
            page=page, page_size=page_size, query=search_query(text)
        )
        rows = tuple(company_row(c) for c in found.results)
        return Page(rows, found.page_number, found.page_size, found.total_results, found.links)

    tasks: list[asyncio.Task[Any]] = []
    widget = CompaniesPage(
        load, lambda coro, name: tasks.append(asyncio.ensure_future(coro)), page_size=page_size
    )
    qtbot.addWidget(widget)
    return widget, http


def test_lists_searches_and_opens(qtbot: Any, qloop: Any, sandbox: SandboxServer) -> None:
    base = sandbox.base_url
    http = httpx.AsyncClient(trust_env=False, timeout=10)
    client = CodatClient(http, base, KEY)
    for name in ("Acme Plumbing", "Bravo Bakery", "Acme Roofing"):
        run_in_qloop(qtbot, client.create_company(name))
    acme = run_in_qloop(qtbot, client.list_companies(query="name~Roofing")).results[0]
    run_in_qloop(qtbot, client.create_connection(acme.id, "gbol"))

    page, page_http = _page(qtbot, base)
    page.load(1)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=5000)
    assert "3 companies" in page.page_label.text()
    statuses = {row.name: row.status for row in page.model.rows}
    assert statuses["Acme Roofing"] == "PendingAuth"
    assert statuses["Bravo Bakery"] == "No connection"

    page.search.setText("Acme")
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    assert {row.name for row in page.model.rows} == {"Acme Plumbing", "Acme Roofing"}

    page.table.selectRow([r.name for r in page.model.rows].index("Acme Roofing"))
    with qtbot.waitSignal(page.open_company) as blocker:
        page.open_button.click()
    assert blocker.args == [acme.id, "Acme Roofing"]
    page.copy_link.click()
    # It has a connection the customer started: its own link resumes it (a reconnection call).
    pending = run_in_qloop(qtbot, client.list_connections(acme.id, page_size=10)).results[0]
    assert QGuiApplication.clipboard().text() == pending.link_url
    assert "where they stopped" in page.model.rows[page.table.currentIndex().row()].customer_sees
    page.table.clearSelection()  # nothing chosen: the buttons that act on a company say so
    assert not page.open_button.isEnabled() and not page.copy_link.isEnabled()
    run_in_qloop(qtbot, http.aclose())
    run_in_qloop(qtbot, page_http.aclose())


def test_paging(qtbot: Any, qloop: Any, sandbox: SandboxServer) -> None:
    http = httpx.AsyncClient(trust_env=False, timeout=10)
    client = CodatClient(http, sandbox.base_url, KEY)
    for i in range(5):
        run_in_qloop(qtbot, client.create_company(f"Company {i}"))
    page, page_http = _page(qtbot, sandbox.base_url, page_size=2)
    page.load(1)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    assert page.next_button.isEnabled() and not page.prev_button.isEnabled()
    page.next_button.click()
    qtbot.waitUntil(lambda: page.page_number == 2, timeout=5000)
    page.next_button.click()
    qtbot.waitUntil(lambda: page.page_number == 3, timeout=5000)
    assert page.model.rowCount() == 1
    assert not page.next_button.isEnabled()
    assert "Page 3 of 3" in page.page_label.text()
    run_in_qloop(qtbot, http.aclose())
    run_in_qloop(qtbot, page_http.aclose())


def test_a_rejected_key_is_explained_with_its_correlation_id(
    qtbot: Any, qloop: Any, sandbox: SandboxServer
) -> None:
    http = httpx.AsyncClient(trust_env=False, timeout=10)
    client = CodatClient(http, sandbox.base_url, "wrong-key")

    async def load(text: str, page: int) -> Page[CompanyRow]:
        found = await client.list_companies(page=page)
        return Page((), found.page_number, found.page_size, found.total_results, found.links)

    page = CompaniesPage(load, lambda coro, name: asyncio.ensure_future(coro))
    qtbot.addWidget(page)
    page.load(1)
    qtbot.waitUntil(lambda: bool(page.error.text()), timeout=5000)
    assert "key" in page.error.text().lower()
    assert "correlation" in page.error.text().lower()
    assert page.model.rowCount() == 0
    run_in_qloop(qtbot, http.aclose())


def test_a_bug_in_the_loader_goes_to_the_crash_handler_not_the_page(
    qtbot: Any, qloop: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from desktop.core.crash import CrashHandler
    from desktop.core.tasks import BackgroundTasks

    async def load(text: str, page: int) -> Page[CompanyRow]:
        raise KeyError("results")  # our bug, not Codat's answer

    crash = CrashHandler()
    tasks = BackgroundTasks(on_error=crash.handle)
    widget = CompaniesPage(load, lambda coro, name: tasks.spawn(coro, name=name))
    qtbot.addWidget(widget)
    widget.load(1)
    qtbot.waitUntil(lambda: bool(crash.reports), timeout=5000)
    assert "KeyError" in crash.reports[0].summary
    assert "results" not in widget.error.text()
    assert not widget.progress.isVisible()


def test_the_short_columns_are_as_wide_as_their_text(qtbot: Any) -> None:
    # At 1366x768 the "Created" date wrapped onto two lines beside a stretched name column.
    from datetime import UTC, datetime

    page = CompaniesPage(lambda text, number: None, lambda coro, name: None)  # type: ignore[arg-type,return-value]
    qtbot.addWidget(page)
    page.resize(1180, 650)
    page.show()
    qtbot.waitExposed(page)
    created = datetime(2026, 12, 1, 5, 8, tzinfo=UTC)
    row = CompanyRow("c-1", "Harbour Bakery Ltd", "PendingAuth", "QuickBooks Online", created, "")
    page.model.set_rows([row])
    page.table.show()
    metrics = page.table.fontMetrics()
    for column in (1, 2, 3):
        text = page.model.data(page.model.index(0, column))
        assert page.table.columnWidth(column) > metrics.horizontalAdvance(text), text
