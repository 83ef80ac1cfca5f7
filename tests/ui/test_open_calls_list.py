"""The Open calls list at a laptop's width: where each call is, and its problem, is never cut off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.call_workspace_kit import Kit, make_kit
from tests.unit.journey_builders import connection, conns, error


@pytest.fixture
def kit(qtbot: Any, tmp_path: Path) -> Iterator[Kit]:
    built = make_kit(qtbot, tmp_path)
    yield built
    built.store.close()


def test_a_long_summary_wraps_in_the_narrow_list(qtbot: Any, kit: Kit) -> None:
    session = kit.open_call("Harbour Bakery Ltd")
    kit.clock.advance(30)
    at = kit.clock.now()
    failed = connection(
        "7b8e7482-0000-4000-8000-000000000002",
        "PendingAuth",
        at,
        key="akxx",
        errors=[error("500", "Internal Server Error", "Codat could not reach the platform", at)],
    )
    kit.tracker.observe(session.company_id, conns(at, failed))
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
