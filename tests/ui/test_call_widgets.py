"""The call widgets on a real CallSession and a real store (no network)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.core.calls.origin import CallOrigin
from desktop.core.calls.session import CallSession
from desktop.core.calls.store_adapter import StoreAdapter
from desktop.core.clock import FakeClock
from desktop.core.guides.library import builtin_guides_dir, load_library
from desktop.core.journey import AgentConfirmed, JourneyConfig, Step, StepStatus, TimePassed, apply
from desktop.core.store import CallStore
from desktop.ui.call.call_view import CallView


def make(tmp_path: Path, clock: FakeClock) -> tuple[CallSession, CallStore]:
    store = CallStore(tmp_path / "calls.db", clock=clock.now)
    adapter = StoreAdapter(store)
    call_id = adapter.open_call(
        "c-1", "Harbour Bakery", "http://127.0.0.1/link/c-1", clock.now(), CallOrigin("default")
    )
    session = CallSession(
        call_id=call_id,
        company_id="c-1",
        company_name="Harbour Bakery",
        link_url="http://127.0.0.1/link/c-1",
        store=adapter,
        clock=clock,
        config=JourneyConfig(stall_seconds={1: 60.0, 2: 60.0, 3: 60.0, 4: 60.0, 5: 60.0}),
    )
    return session, store


def view_of(qtbot: Any, session: CallSession) -> CallView:
    view = CallView(
        session,
        load_library(builtin_guides_dir()),
        invitation_template="Hi {company}: {link}\n{checklist}\n{agent}",
        agent_name="Sam",
    )
    qtbot.addWidget(view)
    view.show()
    return view


def test_notes_autosave_without_an_explicit_save(qtbot: Any, tmp_path: Path) -> None:
    session, store = make(tmp_path, FakeClock())
    view = view_of(qtbot, session)
    view.notes.setPlainText("Jo is the admin")
    qtbot.waitUntil(lambda: store.notes(session.call_id) == "Jo is the admin", timeout=3000)


def test_confirm_button_marks_step_confirmed_and_records_it(qtbot: Any, tmp_path: Path) -> None:
    clock = FakeClock()
    session, store = make(tmp_path, clock)
    view = view_of(qtbot, session)
    view.journey.rows[Step.OPEN_LINK]["confirm"].click()  # type: ignore[attr-defined]
    state, events = apply(session.state, AgentConfirmed(clock.now(), Step.OPEN_LINK))
    session.on_update(state, events)
    assert view.journey.rows[Step.OPEN_LINK]["badge"].text() == "confirmed by you"  # type: ignore[attr-defined]
    assert not view.journey.rows[Step.OPEN_LINK]["confirm"].isVisibleTo(view)
    kinds = [e.kind for e in store.events(session.call_id)]
    assert "agent.confirm_step" in kinds


def test_retry_banner_and_stall_prompt(qtbot: Any, tmp_path: Path) -> None:
    clock = FakeClock()
    session, _store = make(tmp_path, clock)
    view = view_of(qtbot, session)
    session.on_retry(clock.now() + 7, "Codat did not answer in time.")
    assert view.journey.retry_banner.text() == "Codat is not answering, next try in 7 s"
    assert view.journey.retry_banner.isVisibleTo(view)
    clock.advance(120)
    state, events = apply(session.state, TimePassed(clock.now()), session.config)
    session.on_update(state, events)
    assert not view.journey.retry_banner.isVisibleTo(view)
    assert view.journey.stall.isVisibleTo(view)
    assert "Ask whether the link opened" in view.journey.stall.text()
    assert session.state.step(Step.OPEN_LINK).status is StepStatus.CURRENT


def test_checklist_ticks_are_saved_per_call(qtbot: Any, tmp_path: Path) -> None:
    session, store = make(tmp_path, FakeClock())
    view = view_of(qtbot, session)
    first = next(iter(view.checklist.boxes))
    view.checklist.boxes[first].setChecked(True)
    assert store.ticks(session.call_id) == {first: True}
    assert "Harbour Bakery" in view.link.invitation and "Sam" in view.link.invitation
