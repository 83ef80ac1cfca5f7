"""The Open calls list at a laptop's width: where each call is, and its problem, is never cut off."""

from __future__ import annotations

from typing import Any

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
