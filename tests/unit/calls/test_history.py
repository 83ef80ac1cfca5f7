"""History is append-only: no restart regresses a finished call, rewrites provenance or drops a problem."""

from __future__ import annotations

from pathlib import Path

from desktop.core.clock import FakeClock
from desktop.core.journey import Provenance, Step, StepStatus
from desktop.core.store import export_call
from desktop.core.store.export import problem_rows, step_rows
from desktop.core.tracker import Stop, StopReason
from tests.unit.calls.calls_kit import CONN, Desk, start_desk
from tests.unit.journey_builders import COMPANY, connection, conns, data_status, error, status

LINK = f"https://link.codat.io/company/{COMPANY}"


def finished_call(db: Path, clock: FakeClock) -> tuple[Desk, int]:
    desk = start_desk(db, clock)
    session = desk.manager.open_call(COMPANY, "Harbour Bakery", LINK)
    t0 = clock.now()
    desk.tracker.observe(COMPANY, conns(t0 + 60, connection(CONN, "PendingAuth", t0 + 55)))
    desk.tracker.observe(COMPANY, conns(t0 + 300, connection(CONN, "Linked", t0 + 55)))
    desk.tracker.observe(COMPANY, data_status(t0 + 400, status("bills", "Complete", last=t0 + 390)))
    clock.advance(3600)  # long after: a fresh journey from the opening would be "stalled"
    assert session.state.synced
    assert session.state.step(Step.CHOOSE_SOFTWARE).provenance is Provenance.OBSERVED
    return desk, session.call_id


def restart(desk: Desk, db: Path) -> Desk:
    desk.close()
    again = start_desk(db, desk.clock)
    again.manager.resume()
    return again


def test_a_restart_never_regresses_a_finished_call_nor_rewrites_provenance(tmp_path: Path) -> None:
    db = tmp_path / "calls.sqlite3"
    clock = FakeClock()
    desk, call_id = finished_call(db, clock)
    before = [
        (e.kind, e.summary, e.step, e.status, e.provenance) for e in desk.store.events(call_id)
    ]
    export_before = export_call(desk.store, call_id, "markdown")

    desk = restart(desk, db)
    session = desk.manager.sessions[call_id]
    assert session.state.synced  # shown finished before the tracker has said anything
    # The restarted tracker's first answer: the connection is linked, the sync not read yet.
    now = clock.now()
    desk.tracker.observe(COMPANY, conns(now, connection(CONN, "Linked", now - 4000)))
    assert session.state.synced
    assert session.state.step(Step.CHOOSE_SOFTWARE).provenance is Provenance.OBSERVED
    assert session.snapshot().stall_prompt is None
    desk.tracker.observe(COMPANY, data_status(now + 5, status("bills", "Complete", last=now - 9)))

    after = [
        (e.kind, e.summary, e.step, e.status, e.provenance) for e in desk.store.events(call_id)
    ]
    assert after == before
    assert export_call(desk.store, call_id, "markdown") == export_before
    rows = step_rows(desk.store.get_call(call_id), desk.store.events(call_id))
    assert [r.status for r in rows] == ["done"] * 5
    assert rows[1].provenance == Provenance.OBSERVED.value
    desk.close()


def test_a_restart_keeps_every_problem_in_the_export(tmp_path: Path) -> None:
    db = tmp_path / "calls.sqlite3"
    clock = FakeClock()
    desk = start_desk(db, clock)
    session = desk.manager.open_call(COMPANY, "Harbour Bakery", LINK)
    t0 = clock.now()
    failing = connection(
        CONN,
        "PendingAuth",
        t0 + 55,
        errors=[error("403", "Forbidden", "User is not an admin", t0 + 90)],
    )
    desk.tracker.observe(COMPANY, conns(t0 + 100, failing))
    problems = problem_rows(desk.store.events(session.call_id))
    assert problems
    clock.advance(60)

    for _ in range(3):  # the app restarted three times; the customer has not fixed it yet
        desk = restart(desk, db)
        desk.tracker.observe(COMPANY, conns(clock.now(), failing))
        clock.advance(60)
    again = problem_rows(desk.store.events(session.call_id))
    assert [(p.key, p.message, p.resolved_at) for p in again] == [
        (p.key, p.message, p.resolved_at) for p in problems
    ]
    desk.close()


def test_a_company_gone_after_a_restart_is_said_once_not_at_every_start(tmp_path: Path) -> None:
    db = tmp_path / "calls.sqlite3"
    clock = FakeClock()
    desk, call_id = finished_call(db, clock)
    gone = "Codat has no company with this id (404)."
    for _ in range(3):
        desk = restart(desk, db)
        desk.manager.on_stop(COMPANY, Stop(StopReason.NOT_FOUND, gone, clock.now()))
    summaries = [e.summary for e in desk.store.events(call_id)]
    assert summaries.count(gone) == 1
    assert desk.manager.sessions[call_id].state.step(Step.COMPLETE).status is StepStatus.DONE
    desk.close()


def test_progress_beyond_the_record_is_written_after_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "calls.sqlite3"
    clock = FakeClock()
    desk = start_desk(db, clock)
    session = desk.manager.open_call(COMPANY, "Harbour Bakery", LINK)
    desk.customer_links()  # step 2 observed
    desk = restart(desk, db)
    now = clock.now()
    desk.tracker.observe(COMPANY, conns(now, connection(CONN, "Linked", now - 30)))
    saved = desk.store.events(session.call_id)
    assert any(e.step == int(Step.SIGN_IN) and e.status == "done" for e in saved)
    assert desk.manager.sessions[session.call_id].state.linked
    desk.close()


def test_a_problem_that_comes_back_during_a_live_call_is_written_again() -> None:
    from desktop.core.calls.history import History
    from desktop.core.journey import EventKind, JourneyEvent, Problem, ProblemKey

    history = History()

    def problem(key: ProblemKey, message: str) -> JourneyEvent:
        return JourneyEvent(1.0, EventKind.PROBLEM, message, problem=Problem(key, message, 1.0))

    first = problem(ProblemKey.CONNECTION_ERROR, "The sign-in failed.")
    assert history.admits(first)
    history.note(first)
    assert not history.admits(first)  # the same line twice says nothing new
    other = problem(ProblemKey.DEAUTHORIZED, "Access was withdrawn.")
    assert history.admits(other)
    history.note(other)
    assert history.admits(first)  # back to the first problem: news again
