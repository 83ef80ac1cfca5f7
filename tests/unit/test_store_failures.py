"""Full, read-only, locked and corrupt databases: a plain message, and nothing saved is lost."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.core.store import (
    MIGRATIONS,
    CallStore,
    StoreError,
    StoreErrorKind,
    sql_migration,
)
from tests.store_files import saved_notes

# These tests make the store fail on purpose; its warnings are what they check.
pytestmark = pytest.mark.expected_logs(r"^Call database ", r"^Closing the call database with ")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "linkdesk.sqlite3"


@pytest.fixture
def store(path: Path) -> Iterator[CallStore]:
    with CallStore(path, busy_timeout=0.05) as s:
        yield s


def test_disk_full_keeps_the_typing_in_memory_until_space_returns(
    store: CallStore, path: Path
) -> None:
    call = store.open_call(company_id="a", company_name="A", profile="p")
    store.save_notes(call.id, "saved before the disk filled")
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    # SQLite's own page limit makes the same "database or disk is full" error a full disk does.
    store._conn.execute(f"PRAGMA max_page_count = {pages}")
    big = "customer said: " + "x" * 50_000
    with pytest.raises(StoreError) as info:
        store.save_notes(call.id, big)
    error = info.value
    assert error.kind is StoreErrorKind.FULL and error.queued
    assert "disk" in error.plain_message and "full" in error.plain_message
    assert "keeps what you typed" in error.plain_message
    assert [w.kind for w in store.pending_writes] == ["notes"]
    assert store.notes(call.id) == big  # the UI still shows the newest text
    assert saved_notes(path, call.id) == "saved before the disk filled"  # old text intact

    # Later writes queue behind it rather than overtake it.
    with pytest.raises(StoreError):
        store.add_event(call.id, 5.0, "agent.note", "y" * 50_000)
    assert [w.kind for w in store.pending_writes] == ["notes", "event"]
    with pytest.raises(StoreError) as again:
        store.retry_pending()
    queued = store.pending_writes  # a name: mypy would keep the attribute two long past the retry
    assert again.value.queued and len(queued) == 2

    store._conn.execute("PRAGMA max_page_count = 1073741823")
    assert store.retry_pending() == 2
    assert store.pending_writes == ()
    assert saved_notes(path, call.id) == big
    assert [e.kind for e in store.events(call.id)] == ["agent.note"]


def test_queued_notes_keep_only_the_newest_text(store: CallStore, path: Path) -> None:
    call = store.open_call(company_id="a", company_name="A", profile="p")
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")
    for n in range(1, 4):
        with pytest.raises(StoreError):
            store.save_notes(call.id, f"version {n} " + "z" * 40_000)
    assert len(store.pending_writes) == 1
    store._conn.execute("PRAGMA max_page_count = 1073741823")
    store.retry_pending()
    assert (saved_notes(path, call.id) or "").startswith("version 3 ")


def test_read_only_database_reports_and_queues(path: Path) -> None:
    with CallStore(path) as writer:
        call = writer.open_call(company_id="a", company_name="A", profile="p")
        writer.set_tick(call.id, "admin", True)
    with CallStore(path, read_only=True) as reader:
        with pytest.raises(StoreError) as info:
            reader.set_tick(call.id, "share_screen", True)
        assert info.value.kind is StoreErrorKind.READ_ONLY and info.value.queued
        assert "read-only" in info.value.plain_message
        # What was saved is still readable, and the refused tick still shows.
        assert reader.ticks(call.id) == {"admin": True, "share_screen": True}
        with pytest.raises(StoreError):
            reader.open_call(company_id="b", company_name="B", profile="p")
    with CallStore(path) as again:
        assert again.ticks(call.id) == {"admin": True}


class RefusingConnection:
    """A connection whose writes fail the way SQLite fails on a read-only disk."""

    def __init__(self, real: sqlite3.Connection, message: str) -> None:
        self._real = real
        self.message = message
        self.refusing = True

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        if self.refusing and sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
            raise sqlite3.OperationalError(self.message)
        return self._real.execute(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("attempt to write a readonly database", StoreErrorKind.READ_ONLY),
        ("database or disk is full", StoreErrorKind.FULL),
        ("database is locked", StoreErrorKind.LOCKED),
        ("disk I/O error", StoreErrorKind.DISK),
    ],
)
def test_errors_without_codes_are_recognised_by_their_words(
    store: CallStore, path: Path, message: str, kind: StoreErrorKind
) -> None:
    call = store.open_call(company_id="a", company_name="A", profile="p")
    refusing = RefusingConnection(store._conn, message)
    store._conn = refusing  # type: ignore[assignment]
    with pytest.raises(StoreError) as info:
        store.save_notes(call.id, "hello")
    assert info.value.kind is kind and info.value.queued
    assert store.notes(call.id) == "hello"
    refusing.refusing = False
    store.add_event(call.id, 1.0, "agent.note", "after")  # writes the queue first, then this
    assert store.pending_writes == ()
    assert saved_notes(path, call.id) == "hello"


def test_locked_database_waits_the_busy_timeout_then_queues(store: CallStore, path: Path) -> None:
    call = store.open_call(company_id="a", company_name="A", profile="p")
    other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError) as info:
            store.save_notes(call.id, "typed while locked")
        assert info.value.kind is StoreErrorKind.LOCKED and info.value.queued
        assert "another program" in info.value.plain_message
        assert store.get_call(call.id).company_name == "A"  # reading still works in WAL mode
    finally:
        other.execute("COMMIT")
        other.close()
    assert store.retry_pending() == 1
    assert saved_notes(path, call.id) == "typed while locked"


def test_corrupt_file_is_moved_aside_and_a_new_one_started(path: Path) -> None:
    garbage = b"this is not a database, but the agent may want it back\n" * 100
    path.write_bytes(garbage)
    with CallStore(path, clock=lambda: 1_700_000_000.0) as s:
        assert s.moved_aside == path.with_name("linkdesk.sqlite3.corrupt-20231114-221320")
        assert s.moved_aside.read_bytes() == garbage
        assert s.open_warning is not None and str(s.moved_aside) in s.open_warning
        call = s.open_call(company_id="a", company_name="A", profile="p")
        assert s.get_call(call.id).company_name == "A"
    # A second damaged file in the same second does not overwrite the first one kept.
    path.write_bytes(b"\x00garbage again" * 500)
    with CallStore(path, clock=lambda: 1_700_000_000.0) as s:
        assert s.moved_aside is not None and s.moved_aside.name.endswith("-2")
    assert path.with_name("linkdesk.sqlite3.corrupt-20231114-221320").read_bytes() == garbage


def test_healthy_file_is_never_moved_aside(path: Path) -> None:
    with CallStore(path) as s:
        s.open_call(company_id="a", company_name="A", profile="p")
    with CallStore(path) as s:
        assert s.moved_aside is None and s.open_warning is None
        assert len(s.list_calls()) == 1
    assert [p.name for p in path.parent.iterdir() if "corrupt" in p.name] == []


def test_corrupt_file_opened_read_only_is_reported_and_left_alone(path: Path) -> None:
    path.write_bytes(b"garbage" * 1000)
    with pytest.raises(StoreError) as info:
        CallStore(path, read_only=True)
    assert info.value.kind is StoreErrorKind.CORRUPT
    assert "damaged" in info.value.plain_message and str(path) in info.value.plain_message
    assert path.read_bytes() == b"garbage" * 1000


def test_file_from_a_newer_linkdesk_is_left_untouched(path: Path) -> None:
    with CallStore(path) as s:
        s.open_call(company_id="a", company_name="A", profile="p")
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as info:
        CallStore(path)
    assert info.value.kind is StoreErrorKind.TOO_NEW
    assert "newer version" in info.value.plain_message
    assert not any("corrupt" in p.name for p in path.parent.iterdir())


def test_unreachable_folder_is_a_plain_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(StoreError) as info:
        CallStore(blocker / "linkdesk.sqlite3")
    assert info.value.kind is StoreErrorKind.CANNOT_OPEN
    assert "cannot open" in info.value.plain_message


def test_current_file_is_upgraded_by_a_later_migration(path: Path) -> None:
    with CallStore(path) as old:
        call = old.open_call(company_id="a", company_name="A", profile="p")
        old.save_notes(call.id, "kept across the upgrade")
    add_crm_ref = sql_migration("ALTER TABLE calls ADD COLUMN crm_ref TEXT")
    with CallStore(path, migrations=(*MIGRATIONS, add_crm_ref)) as new:
        assert new._conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) + 1
        columns = [r[1] for r in new._conn.execute("PRAGMA table_info(calls)")]
        assert "crm_ref" in columns
        assert new.notes(call.id) == "kept across the upgrade"
    # The app of today now refuses the upgraded file instead of misreading it.
    with pytest.raises(StoreError) as info:
        CallStore(path)
    assert info.value.kind is StoreErrorKind.TOO_NEW


def test_failing_migration_rolls_back_completely(path: Path) -> None:
    with CallStore(path) as old:
        old.open_call(company_id="a", company_name="A", profile="p")

    def half_done(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half (x)")
        conn.execute("INSERT INTO calls_typo VALUES (1)")

    with pytest.raises(StoreError):
        CallStore(path, migrations=(*MIGRATIONS, half_done))
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "half" not in tables
    finally:
        conn.close()
    with CallStore(path) as again:
        assert len(again.list_calls()) == 1


def test_read_only_open_of_an_older_schema_asks_for_the_app(path: Path) -> None:
    with CallStore(path) as s:
        s.open_call(company_id="a", company_name="A", profile="p")
    newer = (*MIGRATIONS, sql_migration("CREATE TABLE later (x)"))
    with pytest.raises(StoreError) as info:
        CallStore(path, read_only=True, migrations=newer)
    assert info.value.kind is StoreErrorKind.OUTDATED
    assert "Open the LinkDesk app once" in info.value.plain_message


def test_close_with_unsaved_writes_tries_once_more(store: CallStore, path: Path) -> None:
    call = store.open_call(company_id="a", company_name="A", profile="p")
    refusing = RefusingConnection(store._conn, "database is locked")
    store._conn = refusing  # type: ignore[assignment]
    with pytest.raises(StoreError):
        store.save_notes(call.id, "last words")
    refusing.refusing = False
    store.close()
    store.close()  # idempotent
    assert saved_notes(path, call.id) == "last words"
