"""The call database's write-ahead log is checkpointed on a thread of its own, never in a commit
on the app's thread (that was a 5-7 ms pause of the Qt loop every thousand pages or so)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.core.store import CallStore
from desktop.core.store.checkpoint import WalCheckpointer


def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "condition not met in time"
        time.sleep(0.01)


def _threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.name == "call database checkpoint"}


def _write(store: CallStore, n: int) -> None:
    call = store.open_call(company_id="c1", company_name="Ågård & Søn Ltd", profile="p")
    for i in range(n):
        store.add_event(call.id, 1_700_000_000.0 + i, "phase", f"moved on {i}", data={"i": i})


def test_the_apps_connection_never_checkpoints_itself(tmp_path: Path) -> None:
    with CallStore(tmp_path / "calls.db") as store:
        assert store._conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0


def test_writes_are_checkpointed_on_the_checkpoint_thread(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.db")
    assert store.checkpointer is not None
    store.checkpointer.delay = 0.05
    seen: list[str] = []
    run = store.checkpointer._checkpoint

    def noting(conn: sqlite3.Connection) -> None:
        seen.append(threading.current_thread().name)
        run(conn)

    store.checkpointer._checkpoint = noting  # type: ignore[method-assign]
    _write(store, 300)
    checkpointer = store.checkpointer

    def whole_log_copied() -> bool:  # (not busy, frames in the log, frames copied to the file)
        result = checkpointer.last_result
        return result is not None and result[0] == 0 and result[1] > 0 and result[1] == result[2]

    _until(whole_log_copied)  # at the latest by the checkpoint after the last write
    assert seen and set(seen) == {"call database checkpoint"}
    store.close()
    assert not checkpointer.running


def test_a_store_that_is_only_read_or_never_written_starts_no_thread(tmp_path: Path) -> None:
    before = len(_threads())
    CallStore(tmp_path / "calls.db").close()  # made (schema), never written to by a caller
    with CallStore(tmp_path / "calls.db", read_only=True) as reader:
        assert reader.checkpointer is None
        assert reader.list_calls() == []
    assert len(_threads()) == before


def test_close_stops_the_thread_and_leaves_everything_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "calls.db"
    store = CallStore(path)
    _write(store, 50)
    checkpointer = store.checkpointer
    assert checkpointer is not None
    # Read into a name: mypy would keep ``checkpointer.running`` True past close().
    running_before = checkpointer.running
    assert running_before
    store.close()
    assert not checkpointer.running
    assert not path.with_name("calls.db-wal").exists()  # the last close checkpointed the log
    with CallStore(path, read_only=True) as again:
        (call,) = again.list_calls()
        assert len(again.events(call.id)) == 50


@pytest.mark.expected_logs(r"Checkpointing the call database failed")
def test_a_failed_checkpoint_is_logged_once_and_tried_again_after_the_next_write(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bad = tmp_path / "not-a-database.db"
    bad.write_bytes(b"this is a text file, not SQLite " * 200)
    checkpointer = WalCheckpointer(bad, delay=0.01)
    attempts: list[int] = []
    run = checkpointer._checkpoint

    def counting(conn: sqlite3.Connection) -> None:
        attempts.append(1)
        run(conn)

    checkpointer._checkpoint = counting  # type: ignore[method-assign]
    try:
        checkpointer.note_write()
        _until(lambda: len(attempts) == 1 and not checkpointer._written.is_set())
        running_before = checkpointer.running  # a name: mypy would keep the attribute True
        assert running_before and checkpointer.checkpoints == 0
        checkpointer.note_write()
        _until(lambda: len(attempts) == 2)
        assert checkpointer.checkpoints == 0
    finally:
        checkpointer.stop()
    assert not checkpointer.running
    failures = [r for r in caplog.records if "Checkpointing the call database" in r.message]
    assert len(failures) == 1  # the same failure again is not logged again
