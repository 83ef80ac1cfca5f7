"""The app's first action: "Start a call" on the Guides page opens the Call page's start panel."""

from __future__ import annotations

from typing import Any


def test_start_a_call_from_the_guides_page(qtbot: Any, make_shell: Any) -> None:
    running = make_shell()
    window, shell = running.window, running.shell
    assert window.current_page() == "guides"
    shell.guides_page.start_call_button.click()
    assert window.current_page() == "call"
    workspace = shell.call_workspace
    assert workspace.stack.currentWidget() is workspace.start_panel
    assert workspace.start_panel.search_edit.hasFocus() or not window.isActiveWindow()
    assert workspace.calls_empty.isVisibleTo(window)
