"""The call lists at a laptop's width: where each call is, its problem and its outcome wrap, never cut."""

from __future__ import annotations

from typing import Any

from desktop.core.calls.outcome import Outcome
from tests.ui.call_workspace_kit import Kit


def test_a_long_summary_wraps_in_the_narrow_list(qtbot: Any, kit: Kit) -> None:
    session = kit.open_call("Harbour Bakery Ltd")
    kit.connection_failed(session, "Codat could not reach the platform")
    workspace = kit.workspace
    # The side column as the call page first gives it at 1366x768 (its minimum is near it).
    workspace.splitter.setSizes([175, 1100])
    qtbot.waitUntil(lambda: workspace.calls.viewport().width() < 180)
    item = workspace.calls.item(0)
    summary = item.text().split("\n", 1)[1]
    assert "connection error" in summary  # the problem, at the end of the line
    metrics = workspace.calls.fontMetrics()
    assert metrics.horizontalAdvance(summary) > workspace.calls.viewport().width()
    lines = workspace.calls.visualItemRect(item).height() // metrics.lineSpacing()
    assert lines >= 3  # the name, and the summary on two lines or more: wrapped, not cut


def test_a_recent_calls_outcome_wraps_in_the_narrow_list(qtbot: Any, kit: Kit) -> None:
    session = kit.open_call("Harbour Bakery Ltd")
    words = "customer will call back after their accountant approves the access"
    kit.workspace.end_call(session.call_id, Outcome("other", words))
    kit.workspace.finish_ending()
    recent = kit.workspace.recent
    qtbot.waitUntil(lambda: recent.count() == 1)
    kit.workspace.splitter.setSizes([175, 1100])
    qtbot.waitUntil(lambda: recent.viewport().width() < 180)
    item = recent.item(0)
    assert words in item.text()
    metrics = recent.fontMetrics()
    lines = recent.visualItemRect(item).height() // metrics.lineSpacing()
    assert lines >= 3  # the name, then the day and the outcome wrapped over two lines or more
