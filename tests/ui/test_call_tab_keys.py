"""The call page's tabs by keyboard: Alt and the underlined letter, never notes on a shared screen."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from tests.ui.call_workspace_kit import Kit


def _press_alt(qtbot: Any, widget: Any, letter: str) -> None:
    qtbot.keyClick(widget, letter, modifier=Qt.KeyboardModifier.AltModifier)


def test_alt_and_a_letter_chooses_each_tab(qtbot: Any, kit: Kit) -> None:
    kit.platform_chosen(kit.open_call("Harbour Bakery Ltd"))
    view = kit.workspace.current_view()
    assert view is not None
    qtbot.waitActive(kit.workspace.window())
    view.notes.setFocus()
    for letter, tab in (
        ("T", view.timeline_tab),
        ("C", view.checklist_tab),
        ("N", view.notes_tab),
        ("G", view.guide_tab),
    ):
        _press_alt(qtbot, view.tabs, letter)
        assert view.tabs.currentIndex() == tab, letter


def test_on_a_shared_screen_alt_n_and_alt_t_show_no_notes(qtbot: Any, kit: Kit) -> None:
    kit.platform_chosen(kit.open_call("Harbour Bakery Ltd"))
    view = kit.workspace.current_view()
    assert view is not None
    qtbot.waitActive(kit.workspace.window())
    view.set_presentation(True)
    for letter in ("N", "T"):
        _press_alt(qtbot, view.tabs, letter)
        assert view.tabs.currentIndex() in (view.guide_tab, view.checklist_tab), letter
        assert not view.notes.isVisible() and not view.timeline.isVisible()
