"""Presentation mode on the real window: what is internal disappears from the shared screen."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication

from tests.conftest import run_in_qloop


def test_presenting_hides_notes_other_customers_settings_and_the_api_target(
    qtbot: Any, make_shell: Any
) -> None:
    running = make_shell()
    ctx, window, shell = running.ctx, running.window, running.shell
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    client = run_in_qloop(qtbot, ctx.codat())
    company = run_in_qloop(qtbot, client.create_company("Harbour Bakery"))
    session = shell.call_parts.manager.open_call(company.id, company.name, company.redirect)
    workspace = shell.call_workspace
    workspace.show_call(session.call_id)
    view = workspace.views[session.call_id]
    window.show_page("call")
    # Notes and timeline are tabs beside the guide and the checklist.
    assert view.tabs.isTabVisible(view.notes_tab) and view.tabs.isTabVisible(view.timeline_tab)
    assert workspace.side.isVisibleTo(window)
    assert window.statusBar().isVisibleTo(window) and window.settings_action.isVisible()

    window.presentation_action.trigger()

    assert not view.tabs.isTabVisible(view.notes_tab)
    assert not view.tabs.isTabVisible(view.timeline_tab)
    view.tabs.setCurrentIndex(view.notes_tab)  # not even by choosing it
    assert not view.notes_box.isVisibleTo(window)
    assert not view.timeline_box.isVisibleTo(window)
    assert not workspace.side.isVisibleTo(window)  # other customers' calls
    assert view.link.isVisibleTo(window) and view.journey.isVisibleTo(window)
    assert not window.statusBar().isVisibleTo(window)  # API target and profile
    assert not window.settings_action.isVisible()
    window.show_page("companies")
    assert not shell.companies_page.table.isVisibleTo(window)
    assert shell.companies_page.hidden_notice.isVisibleTo(window)
    assert view.font().pointSizeF() > app.font().pointSizeF()

    window.presentation_action.trigger()

    assert shell.companies_page.table.isVisibleTo(window)
    window.show_page("call")
    assert view.tabs.isTabVisible(view.notes_tab) and workspace.side.isVisibleTo(window)
    assert window.statusBar().isVisibleTo(window) and window.settings_action.isVisible()
