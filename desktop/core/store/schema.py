"""The database schema as an ordered list of migrations, tracked by ``PRAGMA user_version``.

Migration N (1-based) takes a database at version N-1 to version N. Each runs in its own
transaction together with the version bump, so a crash mid-upgrade leaves the previous version
intact. Never edit a released migration: append a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from desktop.core.store.facts import migrate_to_report_facts

Migration = Callable[[sqlite3.Connection], None]


def sql_migration(*statements: str) -> Migration:
    """A migration made of SQL statements (executescript would commit early, so one by one)."""

    def run(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    return run


_V1_CALLS_AND_TIMELINE = sql_migration(
    """
    CREATE TABLE calls (
        id INTEGER PRIMARY KEY,
        company_id TEXT NOT NULL,
        company_name TEXT NOT NULL,
        platform_key TEXT,
        platform_name TEXT,
        link_url TEXT,
        profile TEXT NOT NULL,
        api_kind TEXT NOT NULL CHECK (api_kind IN ('codat', 'sandbox')),
        scenario TEXT,
        opened_at REAL NOT NULL,
        closed_at REAL,
        outcome TEXT
    )
    """,
    "CREATE INDEX calls_still_open ON calls (closed_at, opened_at)",
    """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        call_id INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        time REAL NOT NULL,
        kind TEXT NOT NULL,
        step INTEGER,
        status TEXT,
        provenance TEXT,
        problem_key TEXT,
        summary TEXT NOT NULL,
        data TEXT
    )
    """,
    "CREATE INDEX events_by_call ON events (call_id, time, id)",
    """
    CREATE TABLE ticks (
        call_id INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        item_key TEXT NOT NULL,
        ticked INTEGER NOT NULL CHECK (ticked IN (0, 1)),
        time REAL NOT NULL,
        PRIMARY KEY (call_id, item_key)
    )
    """,
    """
    CREATE TABLE notes (
        call_id INTEGER PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        updated_at REAL NOT NULL
    )
    """,
)

MIGRATIONS: tuple[Migration, ...] = (
    _V1_CALLS_AND_TIMELINE,
    migrate_to_report_facts,  # v2: report facts per call (facts.py)
)


def version_of(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration]) -> int:
    """Applies the migrations the database lacks; returns how many ran.

    The connection must be in autocommit mode (isolation_level=None): transactions are explicit.
    """
    applied = 0
    while (current := version_of(conn)) < len(migrations):
        # IMMEDIATE takes the write lock first, so two processes cannot both run migration N.
        conn.execute("BEGIN IMMEDIATE")
        try:
            if version_of(conn) != current:  # another process migrated meanwhile
                conn.execute("ROLLBACK")
                continue
            migrations[current](conn)
            conn.execute(f"PRAGMA user_version = {current + 1:d}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        applied += 1
    return applied
