"""The team hub in the real shell: a call that ends is published to the team stream off the GUI
thread, and the Reports page's Team calls toggle shows it, read back from the stream."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from desktop.core.calls.outcome import Outcome
from desktop.core.team.subjects import STREAM
from desktop.ui.reports import ReportsPage
from tests.conftest import run_in_qloop
from tests.hub.stream_reader import stored_messages
from tests.hub.team_kit import make_team_stream_now


@pytest.fixture
def nats_url(nats_url: str) -> str:
    """The team's NATS with the team calls' stream made as the team hub makes it."""
    make_team_stream_now(nats_url)
    return nats_url


def test_an_ended_call_reaches_the_team_view(qtbot: Any, make_shell: Any, nats_url: str) -> None:
    running = make_shell(settings={"agent_name": "Ana Lee", "hub_url": nats_url})
    shell, window = running.shell, running.window
    assert shell.call_parts.team is not None
    manager = shell.call_parts.manager
    session = manager.open_call("co-1", "Harbour Bakery", "http://127.0.0.1/l")
    manager.close_call(session.call_id, Outcome("retry", "private words 4411"))

    published: list[Any] = []

    async def read() -> list[Any]:
        return await stored_messages(nats_url, "linkdesk.calls.>", STREAM)

    def arrived() -> bool:
        published[:] = run_in_qloop(qtbot, read())
        return len(published) == 1

    qtbot.waitUntil(arrived, timeout=20000)
    (msg,) = published
    assert msg.subject == "linkdesk.calls.Ana~20Lee"
    summary = json.loads(msg.data)
    assert summary["agent"] == "Ana Lee" and summary["outcome"] == "retry"
    assert summary["practice"] is True  # on the embedded sandbox
    assert b"Harbour" not in msg.data and b"4411" not in msg.data

    page = window.pages["reports"]
    assert isinstance(page, ReportsPage)
    with qtbot.waitSignal(page.report_shown, timeout=15000):
        window.page_actions["reports"].trigger()
    with qtbot.waitSignal(page.report_shown, timeout=15000):
        page.practice.setChecked(True)
    with qtbot.waitSignal(page.report_shown, timeout=15000):
        page.team.setChecked(True)
    assert page.report is not None
    assert [(a.agent, a.calls) for a in page.report.agents] == [("Ana Lee", 1)]
    assert page.team_note.text().startswith("Team hub read: 1 new call(s)")
    run_in_qloop(qtbot, asyncio.sleep(0))
