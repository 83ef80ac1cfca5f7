"""Quitting with calls open says that they will resume, and at the next start they do."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.conftest import run_in_qloop
from tests.ui.call_workspace_kit import RecordingNotifier


def test_quitting_with_open_calls_says_they_will_resume_and_they_do(
    qtbot: Any, make_shell: Any, caplog: pytest.LogCaptureFixture
) -> None:
    first = make_shell()
    shell = first.shell
    client = run_in_qloop(qtbot, first.ctx.codat())
    company = run_in_qloop(qtbot, client.create_company("Harbour Bakery"))
    session = run_in_qloop(qtbot, shell.call_parts.open_company(company.id))
    assert session is not None
    notifier = RecordingNotifier()
    shell.call_parts.workspace.notifier = notifier

    text = shell.say_calls_will_resume()
    assert text == "1 open call (Harbour Bakery) will resume when LinkDesk starts again."
    assert notifier.shown == [("LinkDesk", text)]
    run_in_qloop(qtbot, first.ctx.aclose(), timeout=20000)  # the app's shutdown

    caplog.set_level(logging.INFO, logger="desktop.app.shell_wiring")
    second = make_shell()
    qtbot.waitUntil(
        lambda: (
            second.shell.call_parts is not None
            and second.shell.call_parts.manager.by_company(company.id) is not None
        ),
        timeout=15000,
    )
    resumed = second.shell.call_parts.manager.by_company(company.id)
    assert resumed.call_id == session.call_id
    assert resumed.waiting_reason is None  # the embedded sandbox came back as it was
    # Said in the status bar (where the sandbox's own news may follow it) and in the log.
    assert "Resumed 1 open call from the last time LinkDesk ran." in caplog.text


def test_quitting_with_no_open_call_says_nothing(qtbot: Any, make_shell: Any) -> None:
    running = make_shell()
    assert running.shell.say_calls_will_resume() is None
