"""The call page says when the team's quota slows tracking, and the call on screen comes first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.core.clock import FakeClock
from desktop.core.tracker import Limit, Pace
from tests.ui.call_workspace_kit import make_kit
from tests.ui.test_call_widgets import make, view_of


def test_the_call_page_says_how_often_it_checks_and_when_next(qtbot: Any, tmp_path: Path) -> None:
    clock = FakeClock()
    session, _store = make(tmp_path, clock)
    view = view_of(qtbot, session)
    note = view.journey.pace_note
    assert not note.isVisibleTo(view)  # at full speed nothing is said
    session.on_pace(
        Pace("c-1", interval=40.0, wanted=2.0, next_at=clock.now() + 12, limit=Limit.QUOTA)
    )
    assert note.isVisibleTo(view)
    assert note.text() == (
        "Checking every 40 s to stay within the team's quota; next check in 12 s."
    )
    clock.advance(5)
    view.tick_countdown()
    assert note.text().endswith("next check in 7 s.")
    assert session.snapshot().pace_text == note.text()
    session.on_pace(Pace("c-1", interval=2.0, wanted=2.0, next_at=clock.now() + 2))
    assert not note.isVisibleTo(view)


def test_a_bounded_hold_from_codat_is_said_with_what_codat_asked(
    qtbot: Any, tmp_path: Path
) -> None:
    clock = FakeClock()
    session, _store = make(tmp_path, clock)
    view = view_of(qtbot, session)
    session.on_pace(
        Pace(
            "c-1",
            interval=2.0,
            wanted=2.0,
            next_at=clock.now() + 900,
            limit=Limit.CODAT_HOLD,
            asked=86_400_000.0,
        )
    )
    text = view.journey.pace_note.text()
    assert "next check in 15 min" in text and "Codat said 1000 days" in text


def test_the_call_on_screen_is_the_one_the_tracker_puts_first(qtbot: Any, tmp_path: Path) -> None:
    kit = make_kit(qtbot, tmp_path)
    tracker = kit.tracker  # the hand tracker keeps the company it was last told to put first
    first = kit.open_call("Harbour Bakery", "c0ffee00-0000-4000-8000-000000000001")
    second = kit.open_call("Lakeside Dental", "c0ffee00-0000-4000-8000-000000000002")
    assert tracker.focused == second.company_id
    kit.workspace.show_call(first.call_id)
    assert tracker.focused == first.company_id
    kit.workspace.show_start()
    assert tracker.focused is None
