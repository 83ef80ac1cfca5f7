"""From the Companies page into a call, through the real shell on the embedded sandbox."""

from __future__ import annotations

from typing import Any

from tests.conftest import run_in_qloop


def test_a_company_opens_into_a_followed_call(qtbot: Any, make_shell: Any) -> None:
    running = make_shell()
    ctx, window, shell = running.ctx, running.window, running.shell
    assert window.mode_label.text() == "Idle: no call open"
    client = run_in_qloop(qtbot, ctx.codat())
    company = run_in_qloop(qtbot, client.create_company("Harbour Bakery"))

    window.page_actions["companies"].trigger()  # the first visit loads the list
    page = shell.companies_page
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10000)
    assert page.model.rows[0].name == "Harbour Bakery"
    page.open_button.click()

    manager = shell.call_parts.manager
    qtbot.waitUntil(lambda: manager.by_company(company.id) is not None, timeout=10000)
    session = manager.by_company(company.id)
    assert session is not None
    assert session.link_url == company.redirect
    assert window.current_page() == "call"
    assert "Embedded sandbox (http://127.0.0.1:" in window.target_label.text()
    assert window.mode_label.text() == "Polling"  # a call to poll for
    manager.close_call(session.call_id)
    assert window.mode_label.text() == "Idle: no call open"
