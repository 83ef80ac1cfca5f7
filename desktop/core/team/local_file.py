"""The team's calls on this computer: a sibling database of the call database, in the data folder.

``team-calls.sqlite3`` has the call database's schema (so ``desktop.core.stats`` computes the
team's reports with the very code of the agent's own), one ``calls`` row per team call read from
the stream, and three tables of its own:

- ``team_calls``: each team call id once (a republished call is stored once) with the stream
  sequence it came at;
- ``team_position``: the last stream sequence read, so a new read fetches only what is new;
- ``team_outbox``: this agent's finished calls (local call ids) not yet acknowledged by the hub;
and one index of its own, ``team_report_by_agent``, for the team's report.

Each ``TeamFile`` owns one sqlite3 connection, used from the thread that opened it (the callers
open one in a worker thread, do their work and close it). WAL lets the app and
``linkdesk calls stats --team`` use it at once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core.calls.outcome import OUTCOMES as OUTCOME_WORDS
from desktop.core.team.summary import TeamCall

TEAM_FILE = "team-calls.sqlite3"
TEAM_PROFILE = "team"  # the profile column of team calls (they belong to no local profile)

_TABLES = (
    "CREATE TABLE IF NOT EXISTS team_calls ("
    " call_uid TEXT PRIMARY KEY, row_id INTEGER NOT NULL, agent TEXT, seq INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS team_position (stream TEXT PRIMARY KEY, last_seq INTEGER NOT NULL)",
    # The team's report groups by agent first (desktop.core.stats.compute, ``by_agent``): this
    # covering index in that order lets SQLite group a year of a team's calls without sorting
    # (about half the time of the call database's own ``calls_report`` plus a sort).
    "CREATE INDEX IF NOT EXISTS team_report_by_agent ON calls (practice, agent, platform_key,"
    " reconnection, furthest_step, passed_steps, problem_keys, outcome_key, opened_at, api_kind,"
    " scenario, platform_name, s1_packed, s2_packed, s3_packed, s4_packed, s5_packed)",
    "CREATE TABLE IF NOT EXISTS team_outbox ("
    " call_id INTEGER PRIMARY KEY, queued_at REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
    " last_error TEXT)",
)


def team_file_path(data_folder: Path) -> Path:
    return data_folder / TEAM_FILE


@dataclass(frozen=True)
class Stored:
    added: int  # new team calls
    duplicates: int  # calls already stored (a republish, a re-read)


class TeamFile:
    """See the module docstring. Raises ``StoreError`` when the file cannot be opened."""

    def __init__(self, path: Path) -> None:
        from desktop.core.store import CallStore

        self.path = Path(path)
        # The call database's schema, created or upgraded by the store itself.
        CallStore(self.path).close()
        self._conn = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode = WAL").fetchone()
        self._conn.execute("PRAGMA synchronous = NORMAL")
        for statement in _TABLES:
            self._conn.execute(statement)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> TeamFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the outbox ------------------------------------------------------------------------------

    def queue(self, call_id: int, at: float) -> None:
        """Remember a finished call to publish (queued once however often it is asked)."""
        self._conn.execute(
            "INSERT OR IGNORE INTO team_outbox (call_id, queued_at) VALUES (?, ?)", (call_id, at)
        )

    def queued(self) -> list[int]:
        """The calls waiting to be published, oldest first."""
        rows = self._conn.execute("SELECT call_id FROM team_outbox ORDER BY queued_at, call_id")
        return [int(r[0]) for r in rows]

    def published(self, call_id: int) -> None:
        self._conn.execute("DELETE FROM team_outbox WHERE call_id = ?", (call_id,))

    def failed(self, call_id: int, error: str) -> None:
        self._conn.execute(
            "UPDATE team_outbox SET attempts = attempts + 1, last_error = ? WHERE call_id = ?",
            (error[:500], call_id),
        )

    # -- the team's calls ------------------------------------------------------------------------

    def position(self, stream: str) -> int:
        """The last stream sequence read (0: nothing yet)."""
        row = self._conn.execute(
            "SELECT last_seq FROM team_position WHERE stream = ?", (stream,)
        ).fetchone()
        return int(row[0]) if row else 0

    def store(self, stream: str, calls: Iterable[tuple[int, TeamCall]], last_seq: int) -> Stored:
        """Add the calls read (with their stream sequence) and move the position to ``last_seq``,
        in one transaction: a read cut short leaves both as they were."""
        added = duplicates = 0
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for seq, call in calls:
                if conn.execute(
                    "SELECT 1 FROM team_calls WHERE call_uid = ?", (call.call_id,)
                ).fetchone():
                    duplicates += 1
                    continue
                row_id = self._insert(call)
                conn.execute(
                    "INSERT INTO team_calls (call_uid, row_id, agent, seq) VALUES (?, ?, ?, ?)",
                    (call.call_id, row_id, call.agent, seq),
                )
                added += 1
            conn.execute(
                "INSERT INTO team_position (stream, last_seq) VALUES (?, ?) ON CONFLICT (stream)"
                " DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)",
                (stream, last_seq),
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return Stored(added, duplicates)

    def _insert(self, call: TeamCall) -> int:
        """One ``calls`` row with the report facts the summary carries (``store/facts.py``)."""
        cursor = self._conn.execute(
            "INSERT INTO calls (company_id, company_name, platform_key, platform_name, profile,"
            " api_kind, opened_at, closed_at, outcome, agent, reconnection)"
            " VALUES (?, ?, ?, ?, ?, 'codat', ?, ?, ?, ?, ?)",
            (
                call.call_id,
                call.company_name or "",
                call.platform_key,
                call.platform_name,
                TEAM_PROFILE,
                call.started_at,
                call.ended_at,
                OUTCOME_WORDS.get(call.outcome),
                call.agent or "",  # "" not NULL: a report can filter on an agent without a name
                int(call.reconnection),
            ),
        )
        row_id = int(cursor.lastrowid or 0)
        facts: dict[str, Any] = {
            "outcome_key": call.outcome,
            "practice": int(call.practice),
            "furthest_step": call.furthest_step,
            "passed_steps": sum(1 << (s.step - 1) for s in call.steps if s.passed),
            "problem_keys": " ".join(call.problems) or None,
        }
        for s in call.steps:
            facts[f"s{s.step}_start"] = s.reached_at
            facts[f"s{s.step}_end"] = s.passed_at
            facts[f"s{s.step}_seconds"] = s.seconds
        # Not closed_at nor outcome: the store's outcome trigger would overwrite the facts.
        assignments = ", ".join(f"{name} = ?" for name in facts)
        packed = ", ".join(
            f"s{n}_packed = CASE WHEN s{n}_seconds IS NULL THEN NULL"
            f" ELSE printf('%016X', CAST(round(s{n}_seconds * 1000) AS INTEGER)) END"
            for n in range(1, 6)
        )
        self._conn.execute(
            f"UPDATE calls SET {assignments} WHERE id = ?", (*facts.values(), row_id)
        )
        self._conn.execute(f"UPDATE calls SET {packed} WHERE id = ?", (row_id,))
        return row_id

    def count(self) -> int:
        row = self._conn.execute("SELECT count(*) FROM team_calls").fetchone()
        return int(row[0])
