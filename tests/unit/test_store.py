"""CallStore: calls, timeline, ticks and notes round-trip through the file, and survive a kill."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.journey import (
    EventKind,
    JourneyEvent,
    Problem,
    ProblemKey,
    Provenance,
    Step,
    StepStatus,
)
from desktop.core.paths import default_paths
from desktop.core.store import (
    MIGRATIONS,
    ApiKind,
    CallStore,
    UnknownCallError,
    record_journey_event,
)


class Ticker:
    """A clock that moves only when told."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Ticker:
    return Ticker()


@pytest.fixture
def store(tmp_path: Path, clock: Ticker) -> Iterator[CallStore]:
    with CallStore(tmp_path / "calls.sqlite3", clock=clock) as s:
        yield s


def test_new_file_is_wal_with_foreign_keys_and_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "calls.sqlite3"
    with CallStore(path) as s:
        conn = s._conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"calls", "events", "ticks", "notes"} <= tables
    raw.close()


def test_default_location_follows_linkdesk_home(linkdesk_home: Path) -> None:
    assert default_paths().database.is_relative_to(linkdesk_home)


def test_open_call_and_read_it_back_after_reopening(tmp_path: Path, clock: Ticker) -> None:
    path = tmp_path / "calls.sqlite3"
    with CallStore(path, clock=clock) as s:
        call = s.open_call(
            company_id="co-1",
            company_name="Acme Ltd",
            profile="support",
            api_kind="sandbox",
            scenario="netsuite_tba_off",
            link_url="https://link.codat.io/company/co-1",
        )
    assert call.opened_at == clock.now and call.is_open and call.is_practice
    with CallStore(path) as s:
        again = s.get_call(call.id)
    assert again == call
    assert again.api_kind == ApiKind.SANDBOX and again.scenario == "netsuite_tba_off"


def test_api_kind_must_be_codat_or_sandbox(store: CallStore) -> None:
    with pytest.raises(ValueError):
        store.open_call(company_id="c", company_name="C", profile="p", api_kind="live")
    assert store.list_calls() == []


def test_close_call_keeps_first_close_and_leaves_open_calls(
    store: CallStore, clock: Ticker
) -> None:
    a = store.open_call(company_id="a", company_name="A", profile="p")
    clock.now += 10
    b = store.open_call(company_id="b", company_name="B", profile="p")
    clock.now += 600
    store.close_call(a.id, "linked")
    closed_at = clock.now
    clock.now += 5
    store.close_call(a.id, "changed my mind")
    a_now = store.get_call(a.id)
    assert (a_now.closed_at, a_now.outcome) == (closed_at, "linked")
    assert [c.id for c in store.open_calls()] == [b.id]
    assert [c.id for c in store.list_calls()] == [b.id, a.id]  # newest first
    assert [c.id for c in store.list_calls(include_closed=False)] == [b.id]
    assert [c.id for c in store.list_calls(limit=1)] == [b.id]


def test_update_call_fills_in_the_platform(store: CallStore) -> None:
    call = store.open_call(company_id="a", company_name="A", profile="p")
    store.update_call(call.id, platform_key="gbol", platform_name="Xero")
    got = store.get_call(call.id)
    assert (got.platform_key, got.platform_name, got.company_name) == ("gbol", "Xero", "A")


def test_unknown_call_ids_are_reported_not_queued(store: CallStore) -> None:
    with pytest.raises(UnknownCallError) as info:
        store.get_call(42)
    assert "42" in info.value.plain_message
    with pytest.raises(UnknownCallError):
        store.add_event(42, 1.0, "agent.note", "hello")
    with pytest.raises(UnknownCallError):
        store.save_notes(42, "hello")
    with pytest.raises(UnknownCallError):
        store.close_call(42, "linked")
    with pytest.raises(UnknownCallError):
        store.update_call(42, platform_key="gbol")
    assert store.pending_writes == ()


def test_events_keep_every_field_in_time_order(store: CallStore) -> None:
    call = store.open_call(company_id="a", company_name="A", profile="p")
    late = store.add_event(
        call.id,
        200.0,
        "agent.confirm_step",
        "Confirmed step 3.",
        step=3,
        status="done",
        provenance="agent-confirmed",
    )
    early = store.add_event(
        call.id,
        100.0,
        "problem",
        "Cancelled.",
        problem_key="cancelled",
        data={"problem": {"key": "cancelled", "detail": "é ✓"}},
    )
    same_time = store.add_event(call.id, 200.0, "agent.copy_link", "Copied the Link URL.")
    events = store.events(call.id)
    assert events == [early, late, same_time]
    assert events[0].data == {"problem": {"key": "cancelled", "detail": "é ✓"}}
    assert events[1].is_agent_action and events[1].step == 3
    assert events[1].provenance == "agent-confirmed"
    assert not events[0].is_agent_action


def test_journey_events_are_recorded_field_for_field(store: CallStore) -> None:
    call = store.open_call(company_id="a", company_name="A", profile="p")
    problem = Problem(
        ProblemKey.CANCELLED,
        "The customer cancelled.",
        since=5.0,
        detail="User cancelled",
        step=Step.SIGN_IN,
    )
    step_event = JourneyEvent(
        3.0,
        EventKind.STEP,
        "Step 2 done.",
        step=Step.CHOOSE_SOFTWARE,
        status=StepStatus.DONE,
        provenance=Provenance.OBSERVED,
    )
    problem_event = JourneyEvent(
        5.0, EventKind.PROBLEM, problem.message, problem=problem, step=Step.SIGN_IN
    )
    record_journey_event(store, call.id, step_event)
    record_journey_event(store, call.id, problem_event)
    first, second = store.events(call.id)
    assert (first.time, first.kind, first.step, first.status, first.provenance) == (
        3.0,
        "step",
        2,
        "done",
        "observed",
    )
    assert (second.kind, second.problem_key, second.step) == ("problem", "cancelled", 4)
    assert second.data == problem_event.to_json()


def test_ticks_are_per_call_and_recorded_on_the_timeline(store: CallStore) -> None:
    a = store.open_call(company_id="a", company_name="A", profile="p")
    b = store.open_call(company_id="b", company_name="B", profile="p")
    store.set_tick(a.id, "admin", True, label="Admin access")
    store.set_tick(a.id, "share_screen", True)
    store.set_tick(a.id, "admin", False, label="Admin access")
    assert store.ticks(a.id) == {"admin": False, "share_screen": True}
    assert store.ticks(b.id) == {}
    kinds = [(e.kind, e.summary) for e in store.events(a.id)]
    assert kinds[0] == ("agent.tick", "Ticked “Admin access” on the checklist.")
    assert kinds[-1] == ("agent.untick", "Unticked “Admin access” on the checklist.")


def test_notes_are_one_row_per_call_replaced_on_save(store: CallStore, clock: Ticker) -> None:
    call = store.open_call(company_id="a", company_name="A", profile="p")
    assert store.notes(call.id) == ""
    store.save_notes(call.id, "first")
    clock.now += 1
    store.save_notes(call.id, "first\nsecond line")
    assert store.notes(call.id) == "first\nsecond line"
    rows = store._conn.execute("SELECT text, updated_at FROM notes").fetchall()
    assert [tuple(r) for r in rows] == [("first\nsecond line", clock.now)]


def test_a_second_process_reads_while_the_store_is_open(tmp_path: Path) -> None:
    path = tmp_path / "calls.sqlite3"
    with CallStore(path) as writer:
        call = writer.open_call(company_id="a", company_name="A", profile="p")
        writer.save_notes(call.id, "typed so far")
        with CallStore(path, read_only=True) as reader:
            assert reader.notes(call.id) == "typed so far"
            assert [c.id for c in reader.open_calls()] == [call.id]


def test_store_refuses_use_from_another_thread(store: CallStore) -> None:
    errors: list[BaseException] = []

    def other() -> None:
        try:
            store.list_calls()
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert len(errors) == 1 and isinstance(errors[0], sqlite3.ProgrammingError)


_KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from desktop.core.store import CallStore
store = CallStore(Path(sys.argv[1]))
call = store.open_call(company_id="co", company_name="Killed Co", profile="p")
store.add_event(call.id, 10.0, "step", "Step 2 done.", step=2, status="done")
store.set_tick(call.id, "admin", True)
store.save_notes(call.id, "typed before the crash")
print(call.id, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_everything_saved_survives_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "calls.sqlite3"
    out = subprocess.run(
        [sys.executable, "-c", _KILLED_WRITER, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.returncode == -signal.SIGKILL, out.stderr
    call_id = int(out.stdout.strip())
    assert Path(str(path) + "-wal").exists()  # never checkpointed: the data lives in the WAL
    with CallStore(path) as s:
        assert [c.id for c in s.open_calls()] == [call_id]
        assert s.notes(call_id) == "typed before the crash"
        assert s.ticks(call_id) == {"admin": True}
        assert [e.kind for e in s.events(call_id)] == ["step", "agent.tick"]
