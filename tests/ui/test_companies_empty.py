"""An empty Companies page says why it is empty and what to do next, in the table's place."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QStackedWidget

from desktop.core.codat.errors import CodatError, ErrorKind
from desktop.core.codat.models import Page
from desktop.core.companies import CompanyRow
from desktop.ui.companies import CompaniesPage

_HELD: list[QStackedWidget] = []


@pytest.fixture(autouse=True)
def _release() -> Iterator[None]:
    yield
    _HELD.clear()


ROWS = (CompanyRow("c1", "Acme Plumbing", "No connection", "", None, "https://link.codat.io/x"),)


def _page(qtbot: Any, kind: str, rows: tuple[CompanyRow, ...] = (), fail: bool = False) -> Any:
    async def load(text: str, page: int) -> Page[CompanyRow]:
        if fail:
            raise CodatError(ErrorKind.CONNECT)
        found = tuple(r for r in rows if text.lower() in r.name.lower())
        return Page(found, page, 50, len(found), {})

    widget = CompaniesPage(
        load, lambda coro, name: asyncio.ensure_future(coro), target_kind=lambda: kind
    )
    stack = QStackedWidget()  # as in the main window: a page among pages
    stack.addWidget(widget)
    stack.resize(1180, 660)
    qtbot.addWidget(stack)
    stack.show()
    _HELD.append(stack)  # the stack (and the page in it) lives until the test ends
    return widget


def _loaded(qtbot: Any, page: CompaniesPage, search: str = "") -> None:
    page.search.setText(search)
    page._debounce.stop()
    generation = page._generation
    page.load(1)
    qtbot.waitUntil(lambda: not page.progress.isVisible() and page._generation > generation)


@pytest.mark.usefixtures("qloop")
def test_no_api_key_says_to_set_it_or_start_a_call(qtbot: Any) -> None:
    page = _page(qtbot, "sandbox")
    _loaded(qtbot, page)
    assert page.empty.isVisible() and not page.table.isVisible()
    text = page.empty.text.text()
    assert "API key" in text and "Settings" in text and "Start a call" in text
    assert page.empty.accessibleName() == "No companies yet"
    label = page.empty.text  # every line of it shown, none cut off
    assert label.heightForWidth(label.width()) > 2 * label.fontMetrics().height()
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()), timeout=2000)


@pytest.mark.usefixtures("qloop")
def test_an_empty_account_says_start_a_call(qtbot: Any) -> None:
    page = _page(qtbot, "codat")
    _loaded(qtbot, page)
    assert page.empty.isVisible()
    assert "Start a call" in page.empty.text.text()
    assert "API key" not in page.empty.text.text()


@pytest.mark.usefixtures("qloop")
def test_a_search_that_matches_none_says_so_and_the_list_comes_back(qtbot: Any) -> None:
    page = _page(qtbot, "codat", ROWS)
    _loaded(qtbot, page, "<b>Zebra</b>")
    assert page.empty.isVisible()
    assert page.empty.title.text() == "No company matches the search"
    assert "<b>Zebra</b>" in page.empty.text.text()  # quoted as typed, shown as plain text
    _loaded(qtbot, page, "")
    assert not page.empty.isVisible() and page.table.isVisible()
    assert page.model.rowCount() == 1


@pytest.mark.usefixtures("qloop")
def test_a_failed_request_says_so_beside_the_error(qtbot: Any) -> None:
    page = _page(qtbot, "codat", fail=True)
    _loaded(qtbot, page)
    assert page.empty.isVisible()
    assert "could not be loaded" in page.empty.title.text()
    assert page.error.isVisible()  # Codat's own words stay shown below


@pytest.mark.usefixtures("qloop")
def test_hidden_while_presenting(qtbot: Any) -> None:
    page = _page(qtbot, "sandbox")
    _loaded(qtbot, page, "Secret customer")
    page.set_presentation(True)
    assert not page.empty.isVisible() and page.hidden_notice.isVisible()
    page.set_presentation(False)
    assert page.empty.isVisible()


def test_nothing_said_before_the_first_load(qtbot: Any) -> None:
    page = _page(qtbot, "sandbox")
    assert page.empty_message() is None and not page.empty.isVisible()
