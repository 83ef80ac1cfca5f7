"""The start panel shows the agent what a name becomes, and sends exactly that to Codat."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine
from typing import Any

from desktop.core.codat.models import Company
from desktop.ui.call.start_panel import StartPanel


def _panel(qtbot: Any, sent: list[str]) -> StartPanel:
    async def search(text: str, page: int) -> Any:
        raise AssertionError("no search here")

    async def create(name: str) -> Company:
        sent.append(name)
        return Company.from_json({"id": "c0ffee00-0000-4000-8000-000000000001", "name": name})

    def spawn(work: Awaitable[Any], name: str) -> None:
        assert isinstance(work, Coroutine)  # the panel's own coroutines
        asyncio.run(work)

    panel = StartPanel(search, create, spawn)
    qtbot.addWidget(panel)
    return panel


def test_a_name_with_line_breaks_is_shown_and_sent_as_one_line(qtbot: Any) -> None:
    sent: list[str] = []
    panel = _panel(qtbot, sent)
    panel.name_edit.setText("Harbour\r\nBakery (UK) Ltd")
    assert panel.create_button.isEnabled()
    assert 'It will be saved as "Harbour Bakery UK Ltd".' in panel.name_warning.text()
    panel.create_company()
    assert sent == ["Harbour Bakery UK Ltd"]


def test_a_10000_character_name_is_not_sent(qtbot: Any) -> None:
    sent: list[str] = []
    panel = _panel(qtbot, sent)
    panel.name_edit.setText("A" * 10_000)
    assert not panel.create_button.isEnabled()
    assert "at most 200 characters; this one has 10,000" in panel.name_warning.text()
    panel.create_company()
    assert sent == []
    assert panel.name_edit.text() == "A" * 10_000  # nothing the agent typed is lost
