"""While the screen is shared, the company search never shows the customer other customers' names."""

from __future__ import annotations

import asyncio
from typing import Any

from desktop.core.codat.models import Company, Page
from desktop.ui.call.start_panel import StartPanel

NAMES = ["Harbour Bakery Ltd", "Harbour Bakery Supplies", "harbour  bakery ltd", "Harbourside Cafe"]


def _company(number: int, name: str) -> Company:
    return Company.from_json(
        {"id": f"c0ffee00-0000-4000-8000-00000000000{number}", "name": name, "redirect": "x"}
    )


def _panel(qtbot: Any) -> tuple[StartPanel, list[Any]]:
    async def search(text: str, page: int) -> Page[Company]:
        found = [_company(i, n) for i, n in enumerate(NAMES) if text.casefold()[:4] in n.casefold()]
        return Page(tuple(found), 1, 20, len(found), {})

    async def create(name: str) -> Company:
        raise AssertionError("not in this test")

    ran: list[Any] = []
    panel = StartPanel(search, create, lambda coro, name: ran.append(coro))
    qtbot.addWidget(panel)
    panel.resize(900, 560)
    panel.show()
    return panel, ran


def _search(panel: StartPanel, ran: list[Any], text: str) -> list[str]:
    panel.search_edit.setText(text)
    panel.search_now(1)
    asyncio.run(ran.pop())
    items = [panel.results.item(row) for row in range(panel.results.count())]
    return [item.text() for item in items if not item.isHidden()]


def test_only_the_company_typed_in_full_is_listed_while_presenting(qtbot: Any) -> None:
    panel, ran = _panel(qtbot)
    assert _search(panel, ran, "harb") == NAMES  # not presenting: every match
    panel.set_presentation(True)
    shown = [panel.results.item(r) for r in range(panel.results.count())]
    assert all(item.isHidden() for item in shown)  # a part of a name lists no one's company
    assert not panel.results.isVisible() and not panel.open_button.isEnabled()
    assert "type in full" in panel.status.text()
    # The full name (any case, any spacing) lists that company, and only companies of that name.
    assert _search(panel, ran, "Harbour Bakery LTD ") == [
        "Harbour Bakery Ltd",
        "harbour  bakery ltd",
    ]
    assert panel.results.currentItem().text() == "Harbour Bakery Ltd"
    assert panel.open_button.isEnabled()
    assert panel.status.text().startswith("2 of 4 shown.")
    panel.set_presentation(False)  # the others come back when the screen is the agent's again
    rows = [panel.results.item(row) for row in range(panel.results.count())]
    assert [item.text() for item in rows if not item.isHidden()] == NAMES
    assert panel.status.text() == "4 of 4 companies"


def test_the_newest_companies_are_not_listed_while_presenting(qtbot: Any) -> None:
    panel, ran = _panel(qtbot)
    panel.set_presentation(True)
    assert _search(panel, ran, "") == []  # Enter on an empty search lists the newest otherwise
    assert "type in full" in panel.status.text()


def test_the_call_page_tells_its_start_panel_when_presenting(qtbot: Any, tmp_path: Any) -> None:
    from tests.ui.call_workspace_kit import make_kit

    kit = make_kit(qtbot, tmp_path)
    kit.workspace.set_presentation(True)
    assert kit.workspace.start_panel.presenting
    kit.workspace.set_presentation(False)
    assert not kit.workspace.start_panel.presenting
