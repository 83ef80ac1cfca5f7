"""The Reports page in the real shell: Ctrl+4, the agent's name saved with each call, practice."""

from __future__ import annotations

from typing import Any

from desktop.ui.reports import ReportsPage


def test_reports_page_reads_the_calls_the_app_saves(qtbot: Any, make_shell: Any) -> None:
    running = make_shell(settings={"agent_name": "Ana"})
    shell, window = running.shell, running.window
    session = shell.call_parts.manager.open_call("co-1", "Harbour Bakery", "http://127.0.0.1/l")
    call = shell.call_parts.store.get_call(session.call_id)
    assert call.agent == "Ana"
    page = window.pages["reports"]
    assert isinstance(page, ReportsPage)
    action = window.page_actions["reports"]
    assert action.shortcut().toString() == "Ctrl+4"
    with qtbot.waitSignal(page.report_shown, timeout=15000):
        action.trigger()
    assert window.current_page() == "reports"
    assert page.report is not None
    assert page.report.all.calls == 0  # on the embedded sandbox: a practice call, left out
    qtbot.waitUntil(lambda: page.agent.findData("Ana") > 0, timeout=10000)
    with qtbot.waitSignal(page.report_shown, timeout=15000):
        page.practice.setChecked(True)
    assert page.report.all.calls == 1 and page.report.all.open == 1
    shell.call_parts.manager.close_call(session.call_id)  # the shell's teardown expects no call
