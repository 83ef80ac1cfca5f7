"""Calls followed in the background: their view and guide are brought up to date when they come to the
front, not on every change while hidden."""

from __future__ import annotations

from typing import Any

from desktop.core.journey import Step
from tests.ui.call_workspace_kit import Kit


def test_background_call_opens_its_guide_when_shown(qtbot: Any, kit: Kit) -> None:
    behind = kit.open_call("Harbour Bakery Ltd", "c-behind")
    front = kit.open_call("Northwind Traders", "c-front")
    behind_view = kit.workspace.views[behind.call_id]
    assert kit.workspace.current_view() is kit.workspace.views[front.call_id]

    kit.platform_chosen(behind)
    assert behind.current_step is Step.REVIEW_AND_START
    badge = behind_view.journey.rows[Step.CHOOSE_SOFTWARE]["badge"]
    assert badge.text() == ""  # type: ignore[attr-defined]  # not updated while nobody sees it
    shown_before = behind_view.journey.guide_shown  # a name: mypy would keep the attribute None
    assert shown_before is None
    assert not behind_view.journey.guide_box.isVisibleTo(behind_view)

    kit.workspace.show_call(behind.call_id)
    assert badge.text() == "seen by the API"  # type: ignore[attr-defined]  # up to date at once
    # The guide follows on the next turn of the loop, as for a call that was on screen.
    # (Bounds for a loaded machine: the wait ends as soon as the guide is there.)
    qtbot.waitUntil(lambda: behind_view.journey.guide_shown is not None, timeout=5000)
    assert behind_view.journey.guide_shown == ("qhyg", int(Step.REVIEW_AND_START))
    assert behind_view.journey.guide_box.isVisibleTo(behind_view)
    assert behind_view.journey.guide_box.title() == "Guide: QuickBooks Online"
    # The viewer fills its cards a part per loop turn (progressive): wait for the current card.
    guide = behind_view.journey.guide
    qtbot.waitUntil(
        lambda: "Check what will be shared" in guide.toPlainText(),  # type: ignore[attr-defined]
        timeout=5000,
    )


def test_shown_call_opens_its_guide_at_once(qtbot: Any, kit: Kit) -> None:
    session = kit.open_call("Harbour Bakery Ltd")
    kit.platform_chosen(session)
    view = kit.workspace.views[session.call_id]
    # The journey rows first; the guide on the very next turn of the loop.
    assert view.journey.rows[Step.CHOOSE_SOFTWARE]["badge"].text() == "seen by the API"  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: view.journey.guide_shown is not None, timeout=5000)
    assert view.journey.guide_shown == ("qhyg", int(Step.REVIEW_AND_START))
