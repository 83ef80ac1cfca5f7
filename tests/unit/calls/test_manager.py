"""The call layer on its own: restore after a restart, duplicates, replayed confirmations, a full disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core.calls.session import AGENT_CONFIRM
from desktop.core.clock import FakeClock
from desktop.core.journey import ConnectionsSeen, EventKind, Provenance, Step, StepStatus
from desktop.core.store import StoreError
from tests.unit.calls.calls_kit import CONN, FullDisk, start_desk
from tests.unit.journey_builders import (
    COMPANY,
    Platform,
    connection,
    conns,
    data_status,
    error,
    status,
)

LINK = f"https://link.codat.io/company/{COMPANY}"


def test_a_call_comes_back_after_a_restart_with_all_it_had(tmp_path: Path) -> None:
    clock = FakeClock()
    db = tmp_path / "calls.sqlite3"
    first = start_desk(db, clock)
    session = first.manager.open_call(COMPANY, "Harbour Bakery", LINK)
    session.confirm_step(Step.OPEN_LINK)
    first.customer_links()
    session.set_tick("admin", True, label="Signed in as an admin")
    session.save_notes("Jo is the admin.")
    timeline = [(e.kind, e.message) for e in session.timeline]
    first.close()

    clock.advance(120)
    second = start_desk(db, clock)
    (resumed,) = second.manager.resume()
    assert resumed.call_id == session.call_id
    assert resumed.notes == "Jo is the admin."
    assert resumed.ticks == {"admin": True}
    assert [(e.kind, e.message) for e in resumed.timeline] == timeline
    assert Step.OPEN_LINK in resumed.confirmed
    second.close()


def test_a_confirmation_is_replayed_with_the_time_it_was_made(tmp_path: Path) -> None:
    clock = FakeClock()
    db = tmp_path / "calls.sqlite3"
    first = start_desk(db, clock)
    session = first.manager.open_call(COMPANY, "Harbour Bakery", LINK)
    clock.advance(10)
    confirmed_at = clock.now()
    session.confirm_step(Step.OPEN_LINK)
    first.close()

    clock.advance(600)
    second = start_desk(db, clock)
    (resumed,) = second.manager.resume()
    step = resumed.state.step(Step.OPEN_LINK)
    assert second.tracker.states[COMPANY].step(Step.OPEN_LINK) == step  # the tracker has it too
    assert step.status is StepStatus.DONE
    assert step.provenance is Provenance.AGENT_CONFIRMED
    assert step.seen_at == confirmed_at
    # Replaying it wrote nothing new: one confirmation on the saved timeline.
    saved = second.store.events(session.call_id)
    assert [e.kind for e in saved].count(AGENT_CONFIRM) == 1
    second.close()


def test_what_a_restarted_tracker_tells_again_is_not_written_twice(tmp_path: Path) -> None:
    clock = FakeClock()
    db = tmp_path / "calls.sqlite3"
    first = start_desk(db, clock)
    session = first.manager.open_call(COMPANY, "Harbour Bakery", LINK)
    first.customer_links()
    before = [(e.kind, e.summary) for e in first.store.events(session.call_id)]
    assert (EventKind.FOLLOWING.value, next(m for k, m in before if k == "following")) in before
    first.close()

    second = start_desk(db, clock)
    second.manager.resume()
    # The new tracker starts from nothing and sees the same connection again.
    second.tracker.observe(COMPANY, first_connections(clock))
    after = [(e.kind, e.summary) for e in second.store.events(session.call_id)]
    assert after == before
    second.close()


def first_connections(clock: FakeClock) -> ConnectionsSeen:
    return conns(clock.now(), connection(CONN, "PendingAuth", clock.now() - 30))


@pytest.mark.expected_logs(r"refused")
def test_every_write_refused_by_a_full_disk_is_reported_and_saved_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()
    desk = start_desk(tmp_path / "calls.sqlite3", clock)
    errors: list[StoreError | None] = []
    desk.manager.subscribe_store(errors.append)
    session = desk.manager.open_call(COMPANY, "Harbour Bakery", LINK)

    disk = FullDisk(desk.store._conn)
    monkeypatch.setattr(desk.store, "_conn", disk)
    desk.customer_links()  # journey events while the disk is full
    session.set_tick("admin", True)
    session.save_notes("Jo is the admin.")
    assert errors and all(e is not None and e.queued for e in errors)
    assert session.timeline[-1].kind != "retry"  # the call goes on, on screen
    assert not desk.manager.retry_store()  # still full

    disk.full = False
    assert desk.manager.retry_store()
    assert errors[-1] is None
    kinds = [e.kind for e in desk.store.events(session.call_id)]
    assert "following" in kinds and "agent.tick" in kinds
    assert desk.store.notes(session.call_id) == "Jo is the admin."
    desk.close()


def test_a_stop_is_said_once_in_plain_words(tmp_path: Path) -> None:
    from desktop.core.tracker import Stop, StopReason

    clock = FakeClock()
    desk = start_desk(tmp_path / "calls.sqlite3", clock)
    session = desk.manager.open_call(COMPANY, "Harbour Bakery", LINK)
    desk.manager.on_stop(COMPANY, Stop(StopReason.REMOVED, "No longer followed.", clock.now()))
    reason = session.stopped_reason  # a name: mypy would keep the attribute None past on_stop
    assert reason is None  # removing a company is not news for the call
    desk.manager.on_stop(
        COMPANY, Stop(StopReason.NOT_FOUND, "Codat has no company with this id.", clock.now())
    )
    assert session.stopped_reason == "Codat has no company with this id."
    assert session.timeline[-1].kind == "stopped"
    desk.close()


def test_a_call_waiting_for_its_api_starts_when_it_is_back_and_writes_nothing_meanwhile(
    tmp_path: Path,
) -> None:
    from desktop.core.calls.origin import CallOrigin

    class Targets:
        reason: str | None = "Codat is not in use now."

        def unavailable(self, origin: CallOrigin) -> str | None:
            return self.reason

    clock = FakeClock()
    db = tmp_path / "calls.sqlite3"
    first = start_desk(db, clock)
    session = first.manager.open_call(COMPANY, "Harbour Bakery", LINK)
    first.customer_links()
    saved = [(e.kind, e.summary) for e in first.store.events(session.call_id)]
    first.close()

    second = start_desk(db, clock)
    targets = Targets()
    second.manager.targets = targets
    (resumed,) = second.manager.resume()
    assert resumed.retry_text() == "Codat is not in use now."
    assert COMPANY not in second.tracker.states  # not asked anywhere
    assert second.manager.recheck_waiting() == []  # still away

    targets.reason = None  # a key was added in Settings
    assert second.manager.recheck_waiting() == [resumed]
    assert resumed.waiting_reason is None and COMPANY in second.tracker.states
    assert [(e.kind, e.summary) for e in second.store.events(session.call_id)] == saved
    second.close()


def test_a_practice_call_whose_lesson_comes_after_the_first_sync_is_followed_until_it_shows(
    tmp_path: Path,
) -> None:
    """xero-deauthorized: the tracker is told what the lesson looks like, at the opening and
    after a restart; a real call, and a practice call whose first sync is its end, are not."""
    from desktop.core.journey import ProblemKey

    clock = FakeClock()
    db = tmp_path / "calls.sqlite3"
    first = start_desk(db, clock)
    practice = first.manager.open_call(COMPANY, "Practice", LINK, scenario="xero-deauthorized")
    first.manager.open_call("c2", "Harbour Bakery", LINK)
    first.manager.open_call("c3", "Practice", LINK, scenario="happy-path:qhyg")
    until = first.tracker.until_seen
    check = until[COMPANY]
    assert check is not None and until["c2"] is None and until["c3"] is None

    xero: Platform = {"key": "gbol", "name": "Xero"}
    created = clock.now()
    first.tracker.observe(COMPANY, conns(created + 5, connection(CONN, "Linked", created, **xero)))
    done = data_status(created + 60, status("bills", "Complete", sync_id="s", last=created + 50))
    first.tracker.observe(COMPANY, done)
    assert practice.state.synced and not check(practice.state)
    hint = practice.snapshot().hint
    assert hint is not None and "not over" in hint  # the first sync is not the end of it
    lost = error("401", "Unauthorized", "de-authorized", created + 89)
    seen = connection(CONN, "Deauthorized", created, errors=[lost], **xero)
    first.tracker.observe(COMPANY, conns(created + 90, seen))
    assert check(practice.state)
    problem = practice.problem
    assert problem is not None and problem.key is ProblemKey.DEAUTHORIZED and problem.fix
    assert practice.snapshot().hint is None and "deauthorized" in practice.summary()
    # The trainee practises the fix: signed in again, the lesson stays shown.
    first.tracker.observe(
        COMPANY, conns(created + 120, connection(CONN, "Linked", created, **xero))
    )
    assert practice.state.synced and practice.snapshot().hint is None
    first.close()

    second = start_desk(db, clock)
    second.manager.resume()
    resumed = second.tracker.until_seen
    assert resumed[COMPANY] is not None and resumed["c2"] is None and resumed["c3"] is None
    second.close()
