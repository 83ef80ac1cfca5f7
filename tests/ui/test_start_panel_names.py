"""Where Codat will change a typed name, the Call page offers the cleaned name with one click."""

from __future__ import annotations

from collections.abc import Awaitable, Coroutine
from typing import Any

from desktop.ui.call.start_panel import StartPanel


def _panel(qtbot: Any) -> StartPanel:
    async def search(text: str, page: int) -> Any:
        raise AssertionError("no search here")

    async def create(name: str) -> Any:
        raise AssertionError("no company created here")

    def spawn(work: Awaitable[Any], name: str) -> None:
        assert isinstance(work, Coroutine)  # the panel's own coroutines, closed unrun
        work.close()

    panel = StartPanel(search, create, spawn)
    qtbot.addWidget(panel)
    return panel


def test_the_cleaned_name_is_one_click_away_when_creating(qtbot: Any) -> None:
    panel = _panel(qtbot)
    panel.name_edit.setText("Café (Nord) Ltd")
    assert not panel.name_clean_button.isHidden()
    assert panel.name_clean_button.text() == "Use “Caf Nord Ltd”"
    panel.name_clean_button.click()
    assert panel.name_edit.text() == "Caf Nord Ltd"
    assert panel.name_clean_button.isHidden()


def test_names_codat_keeps_whole_offer_nothing(qtbot: Any) -> None:
    panel = _panel(qtbot)
    panel.name_edit.setText("O'Brien & Sons, Inc.")
    assert panel.name_clean_button.isHidden()
    panel.search_edit.setText("O'Brien & Sons, Inc.")
    assert panel.search_clean_button.isHidden()


def test_a_search_for_characters_codat_drops_offers_the_stored_form(qtbot: Any) -> None:
    panel = _panel(qtbot)
    panel.search_edit.setText("Müller [UK]")
    assert not panel.search_clean_button.isHidden()
    panel.search_clean_button.click()
    assert panel.search_edit.text() == "Mller UK"
