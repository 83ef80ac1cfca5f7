"""The shown call's update sets only the journey rows that changed."""

from __future__ import annotations

from typing import Any

from desktop.core.journey import Step
from tests.ui.call_workspace_kit import Kit


def test_only_changed_rows_are_set_again(qtbot: Any, kit: Kit) -> None:
    session = kit.open_call("Harbour Bakery Ltd")
    view = kit.workspace.views[session.call_id]
    kit.workspace.show()
    qtbot.waitExposed(kit.workspace)
    last = view.journey.rows[Step.COMPLETE]["when"]
    last.setText("marked by the test")  # type: ignore[attr-defined]
    chosen = view.journey.rows[Step.CHOOSE_SOFTWARE]["badge"]
    assert chosen.text() == ""  # type: ignore[attr-defined]

    kit.platform_chosen(session)

    assert chosen.text() == "seen by the API"  # type: ignore[attr-defined]  # the row that changed
    assert last.text() == "marked by the test"  # type: ignore[attr-defined]  # left alone
