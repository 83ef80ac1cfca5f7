"""The Link URL field keeps the link's start in view, above all on a shared screen."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from desktop.ui.call.link_panel import LinkPanel
from tests.ui.call_workspace_kit import Kit

LONG = "https://link.codat.io/company/9ce60bc0-bef0-473f-aff1-1ac394918293?connection=b4c1"


def test_focus_from_the_keyboard_selects_the_link_from_its_start(qtbot: Any) -> None:
    panel = LinkPanel()
    qtbot.addWidget(panel)
    panel.set_link(LONG, "Hello")
    panel.resize(420, panel.sizeHint().height())
    panel.show()
    qtbot.waitActive(panel)
    panel.copy_button.setFocus()  # focus elsewhere first: the field may have had it on showing
    qtbot.waitUntil(panel.copy_button.hasFocus)
    panel.url_edit.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(panel.url_edit.hasFocus)
    assert panel.url_edit.selectedText() == LONG  # still all selected, to copy with Ctrl+C
    assert panel.url_edit.cursorPosition() == 0  # the start in view, not the end


def test_presenting_shows_the_link_unselected_and_no_scenario_key(qtbot: Any, kit: Kit) -> None:
    kit.open_call("Practice 10.00.00 - Happy path", practice="happy-path:gbol")
    view = kit.workspace.current_view()
    assert view is not None
    assert view.kind.text() == "Practice call · happy-path:gbol"
    view.link.url_edit.selectAll()
    view.link.url_edit.end(False)
    view.set_presentation(True)
    assert not view.link.url_edit.hasSelectedText()
    assert view.link.url_edit.cursorPosition() == 0
    assert view.kind.text() == "Practice call"
    view.set_presentation(False)
    assert view.kind.text() == "Practice call · happy-path:gbol"
