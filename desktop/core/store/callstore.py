"""``CallStore``: the calls, their timelines, checklist ticks and notes, in one SQLite file.

Thread-safety: a store owns one sqlite3 connection and is used only from the thread that created
it (the app's Qt/asyncio thread). sqlite3's ``check_same_thread`` enforces this: a call from any
other thread raises ``sqlite3.ProgrammingError``. Other processes (``linkdesk calls``) may open the
same file at the same time: in WAL mode they read while the app writes.

Durability: WAL with ``synchronous=NORMAL``. Every committed write survives the app crashing or
being killed; only a power cut can take back the last few transactions, which is the price of not
syncing the disk on every keystroke's autosave. A writable store checkpoints the log on a thread
of its own (``checkpoint.WalCheckpointer``), not inside a commit on the app's thread.

Failures: every sqlite3 error becomes a ``StoreError`` with a plain message. A write that fails for
a reason that can pass (disk full, read-only, locked, I/O error) is kept in memory in
``pending_writes`` and written by ``retry_pending()``; later writes wait behind it, so the
database never sees them out of order.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from desktop.core.logs import SECRET_FILTER
from desktop.core.store.checkpoint import WalCheckpointer
from desktop.core.store.errors import (
    TRANSIENT_KINDS,
    StoreError,
    StoreErrorKind,
    UnknownCallError,
    classify,
    from_sqlite,
)
from desktop.core.store.records import ApiKind, Call, Event, tick_entry
from desktop.core.store.schema import MIGRATIONS, Migration, migrate, version_of

log = logging.getLogger(__name__)

Statement = tuple[str, tuple[Any, ...]]


@dataclass(frozen=True)
class PendingWrite:
    """A write the database refused for now; kept in memory until ``retry_pending`` succeeds."""

    kind: str  # "event", "tick", "notes", "close" or "update"
    call_id: int
    description: str  # for the agent: what is not saved yet
    statements: tuple[Statement, ...]
    payload: Mapping[str, Any] = field(default_factory=dict)


class CallStore:
    """The local record of calls. See the module docstring for threads, durability and failures."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], float] = time.time,
        migrations: Sequence[Migration] = MIGRATIONS,
        busy_timeout: float = 1.0,
        read_only: bool = False,
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._clock = clock
        self._migrations = tuple(migrations)
        self._busy_timeout = busy_timeout
        self._pending: deque[PendingWrite] = deque()
        # Set when the file could not be opened at all and was moved aside for a fresh one.
        self.moved_aside: Path | None = None
        self._closed = False
        self._conn = self._open()
        # Started by the first write; a store that is only read never starts it.
        self.checkpointer = None if read_only else WalCheckpointer(self.path)

    # -- opening -------------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        if not self.read_only:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(StoreErrorKind.CANNOT_OPEN, str(exc), path=str(self.path)) from exc
        try:
            return self._connect_and_prepare()
        except sqlite3.Error as exc:
            if classify(exc) is not StoreErrorKind.CORRUPT or self.read_only:
                raise from_sqlite(exc, path=str(self.path)) from exc
            first_error = exc
        # Not a database at all: keep the file for whoever wants to rescue it, start afresh.
        self.moved_aside = self._move_aside(first_error)
        try:
            return self._connect_and_prepare()
        except sqlite3.Error as exc:
            raise from_sqlite(exc, path=str(self.path)) from exc

    def _connect_and_prepare(self) -> sqlite3.Connection:
        if self.read_only:
            if not self.path.exists():
                raise StoreError(StoreErrorKind.CANNOT_OPEN, "no such file", path=str(self.path))
            target, uri = self.path.resolve().as_uri() + "?mode=ro", True
        else:
            target, uri = str(self.path), False
        conn = sqlite3.connect(target, uri=uri, timeout=self._busy_timeout, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            # Reading the schema reads the file's header: a file that is no database fails here.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            if not self.read_only:
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
                conn.execute("PRAGMA synchronous = NORMAL")
                # Checkpoints run on WalCheckpointer's thread, not inside this thread's commits.
                conn.execute("PRAGMA wal_autocheckpoint = 0").fetchone()
            version = version_of(conn)
            if version > len(self._migrations):
                raise StoreError(
                    StoreErrorKind.TOO_NEW,
                    f"schema version {version}, this LinkDesk knows {len(self._migrations)}",
                    path=str(self.path),
                )
            if self.read_only:
                if version < len(self._migrations):
                    raise StoreError(
                        StoreErrorKind.OUTDATED,
                        f"schema version {version}, this LinkDesk needs {len(self._migrations)}",
                        path=str(self.path),
                    )
            else:
                ran = migrate(conn, self._migrations)
                if ran:
                    log.info("Call database %s upgraded to version %d", self.path, version + ran)
        except BaseException:
            conn.close()
            raise
        return conn

    def _move_aside(self, error: sqlite3.Error) -> Path:
        stamp = datetime.fromtimestamp(self._clock(), tz=UTC).strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        try:
            self.path.replace(aside)
            # SQLite names a database's journal files after it, so they follow it under the new name.
            for suffix in ("-wal", "-shm", "-journal"):
                companion = self.path.with_name(self.path.name + suffix)
                if companion.exists():
                    companion.replace(aside.with_name(aside.name + suffix))
        except OSError as exc:
            raise StoreError(
                StoreErrorKind.CORRUPT,
                f"{error}; moving it aside failed: {exc}",
                path=str(self.path),
            ) from exc
        log.warning(
            "Call database %s could not be read (%s); moved aside to %s", self.path, error, aside
        )
        return aside

    @property
    def open_warning(self) -> str | None:
        """What to tell the agent after opening, if the old file had to be moved aside."""
        if self.moved_aside is None:
            return None
        return (
            "LinkDesk's call database was damaged and could not be read, so a new one was "
            f"started. Nothing was deleted: the damaged file was kept as {self.moved_aside}."
        )

    def close(self) -> None:
        """Writes what is still pending if it can, then closes the file. Idempotent."""
        if self._closed:
            return
        if self._pending:
            try:
                self.retry_pending()
            except StoreError as exc:
                log.error(
                    "Closing the call database with %d unsaved change(s): %s",
                    len(self._pending),
                    exc,
                )
        if self.checkpointer is not None:
            self.checkpointer.stop()  # first: the last connection to close checkpoints the log
        self._conn.close()
        self._closed = True

    def __enter__(self) -> CallStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- calls ---------------------------------------------------------------------------------

    def open_call(
        self,
        *,
        company_id: str,
        company_name: str,
        profile: str,
        api_kind: ApiKind | str = ApiKind.CODAT,
        platform_key: str | None = None,
        platform_name: str | None = None,
        link_url: str | None = None,
        scenario: str | None = None,
        opened_at: float | None = None,
        agent: str | None = None,
        reconnection: bool = False,
    ) -> Call:
        """Starts a call. Not queued on failure: the caller needs the new id, so it gets the error.

        ``agent`` is the agent's name from Settings (None or "" when not set); ``reconnection``
        says the company already had a connection: both feed the reports (``desktop.core.stats``).
        """
        kind = ApiKind(api_kind)
        when = self._clock() if opened_at is None else opened_at
        with self._guarded():
            cursor = self._conn.execute(
                "INSERT INTO calls (company_id, company_name, platform_key, platform_name,"
                " link_url, profile, api_kind, scenario, opened_at, agent, reconnection)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    company_id,
                    company_name,
                    platform_key,
                    platform_name,
                    link_url,
                    profile,
                    kind.value,
                    scenario,
                    when,
                    agent or None,
                    int(reconnection),
                ),
            )
        call_id = cursor.lastrowid
        assert call_id is not None
        return self.get_call(call_id)

    def update_call(
        self,
        call_id: int,
        *,
        company_name: str | None = None,
        platform_key: str | None = None,
        platform_name: str | None = None,
        link_url: str | None = None,
    ) -> None:
        """Fills in what was learnt during the call (the platform, a new Link URL)."""
        changes = {
            name: value
            for name, value in (
                ("company_name", company_name),
                ("platform_key", platform_key),
                ("platform_name", platform_name),
                ("link_url", link_url),
            )
            if value is not None
        }
        if not changes:
            return
        assignments = ", ".join(f"{name} = ?" for name in changes)
        self._submit(
            PendingWrite(
                "update",
                call_id,
                f"details of call {call_id}",
                ((f"UPDATE calls SET {assignments} WHERE id = ?", (*changes.values(), call_id)),),
                changes,
            ),
            must_touch=True,
        )

    def close_call(self, call_id: int, outcome: str | None, *, at: float | None = None) -> None:
        """Ends a call at ``at`` (epoch seconds; now by the store's clock if None).

        Closing one already closed keeps its first closing time and outcome. Raises
        ``UnknownCallError`` for an id the store never had, ``StoreError`` if the disk refuses.
        """
        self._submit(
            PendingWrite(
                "close",
                call_id,
                f"closing of call {call_id}",
                (
                    (
                        "UPDATE calls SET closed_at = ?, outcome = ? WHERE id = ? AND closed_at IS NULL",
                        (self._clock() if at is None else at, outcome, call_id),
                    ),
                ),
                {"outcome": outcome},
            )
        )
        self.get_call(call_id)  # an unknown id is an error, an already closed call is not

    def get_call(self, call_id: int) -> Call:
        """The call with this id. Raises ``UnknownCallError`` if there is none, ``StoreError`` if the
        file cannot be read.
        """
        with self._guarded():
            row = self._conn.execute("SELECT * FROM calls WHERE id = ?", (call_id,)).fetchone()
        if row is None:
            raise UnknownCallError(call_id)
        return Call.from_row(row)

    def open_calls(self) -> list[Call]:
        """Calls not closed yet, oldest first: what the app resumes tracking on start."""
        with self._guarded():
            rows = self._conn.execute(
                "SELECT * FROM calls WHERE closed_at IS NULL ORDER BY opened_at, id"
            ).fetchall()
        return [Call.from_row(r) for r in rows]

    def list_calls(self, limit: int | None = 50, include_closed: bool = True) -> list[Call]:
        """The newest calls first; ``limit=None`` for all of them."""
        where = "" if include_closed else " WHERE closed_at IS NULL"
        with self._guarded():
            rows = self._conn.execute(
                f"SELECT * FROM calls{where} ORDER BY opened_at DESC, id DESC LIMIT ?",
                (-1 if limit is None else limit,),
            ).fetchall()
        return [Call.from_row(r) for r in rows]

    def read(self, sql: str, params: Sequence[Any] = (), *, plain: bool = False) -> list[Any]:
        """Rows of a read-only query (the reports' aggregates): ``sqlite3.Row`` objects, or plain
        tuples with ``plain=True`` (cheaper by the hundred thousand). Raises ``StoreError``."""
        with self._guarded():
            cursor = self._conn.cursor()
            if plain:
                cursor.row_factory = None
            return cursor.execute(sql, tuple(params)).fetchall()

    # -- timeline ------------------------------------------------------------------------------

    def add_event(
        self,
        call_id: int,
        time: float,
        kind: str,
        summary: str,
        *,
        step: int | None = None,
        status: str | None = None,
        provenance: str | None = None,
        problem_key: str | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> Event:
        """Records one journey event or agent action (kind ``agent.*``) on the call's timeline.

        Summaries and data are scrubbed of registered secrets before they reach the disk.
        """
        clean_summary = SECRET_FILTER.scrub(summary)
        encoded = (
            None if data is None else SECRET_FILTER.scrub(json.dumps(data, ensure_ascii=False))
        )
        ids = self._submit(
            PendingWrite(
                "event",
                call_id,
                f"timeline entry “{clean_summary}”",
                (
                    (
                        "INSERT INTO events (call_id, time, kind, step, status, provenance,"
                        " problem_key, summary, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            call_id,
                            time,
                            kind,
                            step,
                            status,
                            provenance,
                            problem_key,
                            clean_summary,
                            encoded,
                        ),
                    ),
                ),
            )
        )
        return Event(
            id=ids[0],
            call_id=call_id,
            time=time,
            kind=kind,
            summary=clean_summary,
            step=step,
            status=status,
            provenance=provenance,
            problem_key=problem_key,
            data=None if encoded is None else json.loads(encoded),
        )

    def events(self, call_id: int) -> list[Event]:
        """The call's saved timeline in time order (ties in the order they were recorded)."""
        with self._guarded():
            rows = self._conn.execute(
                "SELECT * FROM events WHERE call_id = ? ORDER BY time, id", (call_id,)
            ).fetchall()
        return [Event.from_row(r) for r in rows]

    # -- checklist -----------------------------------------------------------------------------

    def set_tick(
        self,
        call_id: int,
        item_key: str,
        ticked: bool,
        *,
        label: str | None = None,
        at: float | None = None,
    ) -> None:
        """Ticks or unticks a checklist item at ``at`` (epoch seconds; now if None), and records
        the action on the timeline."""
        now = self._clock() if at is None else at
        name = label or item_key
        kind, summary = tick_entry(ticked, name)
        self._submit(
            PendingWrite(
                "tick",
                call_id,
                f"checklist item “{name}”",
                (
                    (
                        "INSERT INTO ticks (call_id, item_key, ticked, time) VALUES (?, ?, ?, ?)"
                        " ON CONFLICT (call_id, item_key)"
                        " DO UPDATE SET ticked = excluded.ticked, time = excluded.time",
                        (call_id, item_key, int(ticked), now),
                    ),
                    (
                        "INSERT INTO events (call_id, time, kind, summary, data)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (
                            call_id,
                            now,
                            kind,
                            summary,
                            json.dumps({"item": item_key, "label": name, "ticked": ticked}),
                        ),
                    ),
                ),
                {"item_key": item_key, "ticked": ticked},
            )
        )

    def ticks(self, call_id: int) -> dict[str, bool]:
        """Each checklist item's state, including ticks not saved yet."""
        with self._guarded():
            rows = self._conn.execute(
                "SELECT item_key, ticked FROM ticks WHERE call_id = ? ORDER BY time, item_key",
                (call_id,),
            ).fetchall()
        state = {row["item_key"]: bool(row["ticked"]) for row in rows}
        for write in self._pending:
            if write.kind == "tick" and write.call_id == call_id:
                state[write.payload["item_key"]] = write.payload["ticked"]
        return state

    # -- notes ---------------------------------------------------------------------------------

    def save_notes(self, call_id: int, text: str, *, at: float | None = None) -> None:
        """Replaces the call's notes, saved at ``at`` (epoch seconds; now if None).

        While the disk refuses, only the newest text is kept."""
        self._submit(
            PendingWrite(
                "notes",
                call_id,
                f"notes of call {call_id}",
                (
                    (
                        "INSERT INTO notes (call_id, text, updated_at) VALUES (?, ?, ?)"
                        " ON CONFLICT (call_id)"
                        " DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
                        (call_id, text, self._clock() if at is None else at),
                    ),
                ),
                {"text": text},
            )
        )

    def notes(self, call_id: int) -> str:
        """The call's notes, the unsaved newest text first if the disk refused it."""
        for write in reversed(self._pending):
            if write.kind == "notes" and write.call_id == call_id:
                return str(write.payload["text"])
        with self._guarded():
            row = self._conn.execute(
                "SELECT text FROM notes WHERE call_id = ?", (call_id,)
            ).fetchone()
        return "" if row is None else str(row["text"])

    # -- writing and its failures --------------------------------------------------------------

    @property
    def pending_writes(self) -> tuple[PendingWrite, ...]:
        """Changes the database refused so far, oldest first; empty when everything is saved."""
        return tuple(self._pending)

    def retry_pending(self) -> int:
        """Writes the queued changes in order; returns how many were saved.

        Raises StoreError (``queued=True``) if the database still refuses; what is left stays queued.
        """
        saved = 0
        while self._pending:
            write = self._pending[0]
            try:
                self._execute(write)
            except sqlite3.ProgrammingError:
                raise
            except sqlite3.IntegrityError as exc:
                # Its call no longer exists; retrying would never succeed.
                log.error("Dropping unsaved %s: %s", write.description, exc)
            except sqlite3.Error as exc:
                raise from_sqlite(exc, path=str(self.path), queued=True) from exc
            self._pending.popleft()
            saved += 1
        return saved

    def _submit(self, write: PendingWrite, *, must_touch: bool = False) -> list[int]:
        if self._pending:
            try:
                self.retry_pending()
            except StoreError as exc:
                self._enqueue(write)
                raise StoreError(exc.kind, exc.detail, path=exc.path, queued=True) from exc
        try:
            ids, touched = self._execute(write)
        except sqlite3.ProgrammingError:
            raise
        except sqlite3.IntegrityError as exc:
            if "FOREIGN KEY" in str(exc).upper():
                raise UnknownCallError(write.call_id) from exc
            raise from_sqlite(exc, path=str(self.path)) from exc
        except sqlite3.Error as exc:
            kind = classify(exc)
            if kind in TRANSIENT_KINDS:
                self._enqueue(write)
                log.warning(
                    "Call database refused the %s; kept in memory: %s", write.description, exc
                )
                raise StoreError(kind, str(exc), path=str(self.path), queued=True) from exc
            raise from_sqlite(exc, path=str(self.path)) from exc
        if must_touch and not touched:
            raise UnknownCallError(write.call_id)
        return ids

    def _enqueue(self, write: PendingWrite) -> None:
        if write.kind == "notes":
            # Only the newest text matters; older unsaved versions would just be overwritten.
            kept = [
                w for w in self._pending if not (w.kind == "notes" and w.call_id == write.call_id)
            ]
            self._pending = deque(kept)
        self._pending.append(write)

    def _execute(self, write: PendingWrite) -> tuple[list[int], int]:
        """Runs a write's statements in one transaction; returns new row ids and rows changed."""
        conn = self._conn
        ids: list[int] = []
        touched = 0
        conn.execute("BEGIN IMMEDIATE")
        try:
            for sql, params in write.statements:
                cursor = conn.execute(sql, params)
                ids.append(cursor.lastrowid or 0)
                touched += max(cursor.rowcount, 0)
            conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        if self.checkpointer is not None:
            self.checkpointer.note_write()
        return ids, touched

    def _rollback(self) -> None:
        if not self._conn.in_transaction:
            return
        try:
            self._conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            # SQLite rolls back by itself after some I/O errors; the original error matters more.
            log.debug("Rollback after a failed write also failed: %s", exc)

    @contextmanager
    def _guarded(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.ProgrammingError:
            raise  # a bug (wrong thread, closed store), not a problem with the disk
        except sqlite3.Error as exc:
            raise from_sqlite(exc, path=str(self.path)) from exc
