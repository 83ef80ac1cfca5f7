"""Schema version 2: each call's report facts, kept up to date by triggers as its timeline grows.

The Reports page and ``linkdesk calls stats`` summarise up to a year of a busy team's calls
(100,000) in one aggregate query. Reading every timeline for that would take seconds, so each call
row carries what the reports need, written by SQLite itself in the same transaction as the
timeline entry that changes it:

- ``agent``: the agent's name (Settings → "Your name") when the call was opened;
- ``reconnection``: 1 when the call re-links a company that already had a connection;
- ``furthest_step``: the highest step (1-5) the journey reached (current, failed, done or skipped);
  1 until a step event says otherwise, since every call starts on step 1;
- ``passed_steps``: a bit mask, bit N-1 set once step N was done or skipped;
- ``sN_start``: when step N first became current (or failed), epoch seconds;
- ``sN_end``: when step N was first done or skipped;
- ``sN_seconds``: how long step N took, set when it is done (not skipped): its end minus its
  start, or when no start was seen (the API showed the step already done), minus the end of the
  step before, or minus the call's opening for step 1;
- ``sN_packed``: the same time as 16 hex digits of whole milliseconds, so that a report can hand
  100,000 calls' times to numpy as a few strings (``desktop.core.stats.compute``);
- ``problem_keys``: the distinct problem keys the call met, space-separated, in order of first
  appearance (keys are ``ProblemKey`` values: no spaces);
- ``practice``: 1 for a practice call (on the embedded sandbox, or with a practice scenario);
- ``outcome_key``: "open" while the call is open, then the key of the outcome the agent recorded
  (``OUTCOME_KEYS_BY_WORDS``; words it does not know count as "other"), or "unrecorded".

``calls_report`` is a covering index in the order the report groups calls: the report reads it
from end to end without touching the table or sorting (a compact copy of the facts, kept by
SQLite).

The triggers take events in the order they are inserted, which is the order the journey produced
them. Existing timelines are replayed through the triggers when a version-1 database is upgraded.
"""

from __future__ import annotations

import sqlite3

from desktop.core.calls.outcome import OUTCOMES

STEPS = range(1, 6)

# The outcome as the End call dialog saves it: its words, then maybe ": the agent's own words".
# One source for the words: the call layer's OUTCOMES.
OUTCOME_KEYS_BY_WORDS = {words: key for key, words in OUTCOMES.items()}


def _outcome_key_sql() -> str:
    words = "CASE WHEN instr(outcome, ':') > 0 THEN substr(outcome, 1, instr(outcome, ':') - 1)"
    words += " ELSE outcome END"
    known = " ".join(f"WHEN '{w}' THEN '{k}'" for w, k in OUTCOME_KEYS_BY_WORDS.items())
    return (
        "CASE WHEN closed_at IS NULL THEN 'open' WHEN outcome IS NULL THEN 'unrecorded'"
        f" ELSE (CASE trim({words}) {known} ELSE 'other' END) END"
    )


# A practice call is no real customer: one on the embedded sandbox, or one started with a
# practice scenario. Reports leave them out unless asked.
PRACTICE_SQL = "(api_kind = 'sandbox' OR scenario IS NOT NULL)"

OUTCOME_TRIGGERS = tuple(
    f"""
CREATE TRIGGER calls_outcome_key_{name} AFTER {when} ON calls
BEGIN
    UPDATE calls SET outcome_key = {_outcome_key_sql()}, practice = {PRACTICE_SQL} WHERE id = NEW.id;
END
"""
    for name, when in (("insert", "INSERT"), ("update", "UPDATE OF closed_at, outcome"))
)
STARTED = "('current', 'failed')"
PASSED = "('done', 'skipped')"
REACHED = "('current', 'failed', 'done', 'skipped')"


def _step_assignments() -> str:
    parts: list[str] = []
    for n in STEPS:
        before_end = f"s{n - 1}_end, " if n > 1 else ""
        first_end = f"NEW.step = {n} AND s{n}_end IS NULL"
        seconds = f"max(0.0, NEW.time - coalesce(s{n}_start, {before_end}opened_at))"
        parts += [
            f"s{n}_start = CASE WHEN NEW.step = {n} AND s{n}_start IS NULL"
            f" AND NEW.status IN {STARTED} THEN NEW.time ELSE s{n}_start END",
            f"s{n}_end = CASE WHEN {first_end} AND NEW.status IN {PASSED}"
            f" THEN NEW.time ELSE s{n}_end END",
            f"s{n}_seconds = CASE WHEN {first_end} AND NEW.status = 'done'"
            f" THEN {seconds} ELSE s{n}_seconds END",
            f"s{n}_packed = CASE WHEN {first_end} AND NEW.status = 'done'"
            f" THEN printf('%016X', CAST(round({seconds} * 1000) AS INTEGER))"
            f" ELSE s{n}_packed END",
        ]
    return ",\n        ".join(parts)


STEP_TRIGGER = f"""
CREATE TRIGGER events_step_facts AFTER INSERT ON events
WHEN NEW.kind = 'step' AND NEW.step BETWEEN 1 AND 5 AND NEW.status IS NOT NULL
BEGIN
    UPDATE calls SET
        furthest_step = CASE WHEN NEW.status IN {REACHED} AND NEW.step > furthest_step
            THEN NEW.step ELSE furthest_step END,
        passed_steps = CASE WHEN NEW.status IN {PASSED}
            THEN passed_steps | (1 << (NEW.step - 1)) ELSE passed_steps END,
        {_step_assignments()}
    WHERE id = NEW.call_id;
END
"""

PROBLEM_TRIGGER = """
CREATE TRIGGER events_problem_facts AFTER INSERT ON events
WHEN NEW.kind = 'problem' AND NEW.problem_key IS NOT NULL
BEGIN
    UPDATE calls SET problem_keys = CASE
        WHEN problem_keys IS NULL THEN NEW.problem_key
        WHEN instr(' ' || problem_keys || ' ', ' ' || NEW.problem_key || ' ') > 0 THEN problem_keys
        ELSE problem_keys || ' ' || NEW.problem_key END
    WHERE id = NEW.call_id;
END
"""

COLUMNS = (
    "agent TEXT",
    "reconnection INTEGER NOT NULL DEFAULT 0 CHECK (reconnection IN (0, 1))",
    "furthest_step INTEGER NOT NULL DEFAULT 1",
    "passed_steps INTEGER NOT NULL DEFAULT 0",
    *(f"s{n}_{what} REAL" for n in STEPS for what in ("start", "end", "seconds")),
    *(f"s{n}_packed TEXT" for n in STEPS),
    "problem_keys TEXT",
    "outcome_key TEXT NOT NULL DEFAULT 'open'",
    "practice INTEGER NOT NULL DEFAULT 0 CHECK (practice IN (0, 1))",
)

# The filters the reports offer, each with the date range behind it.
INDEXES = (
    "CREATE INDEX calls_by_opened ON calls (opened_at)",
    "CREATE INDEX calls_by_platform ON calls (platform_key, opened_at)",
    "CREATE INDEX calls_by_agent ON calls (agent, opened_at)",
    "CREATE INDEX calls_report ON calls (practice, platform_key, reconnection, furthest_step, passed_steps,"
    " problem_keys, outcome_key, opened_at, agent, api_kind, scenario, platform_name,"
    " s1_packed, s2_packed, s3_packed, s4_packed, s5_packed)",
)


def migrate_to_report_facts(conn: sqlite3.Connection) -> None:
    """Migration 2: the columns, indexes and triggers above, then the old timelines replayed."""
    for column in COLUMNS:
        conn.execute(f"ALTER TABLE calls ADD COLUMN {column}")
    for statement in INDEXES:
        conn.execute(statement)
    conn.execute(STEP_TRIGGER)
    conn.execute(PROBLEM_TRIGGER)
    for trigger in OUTCOME_TRIGGERS:
        conn.execute(trigger)
    conn.execute(f"UPDATE calls SET outcome_key = {_outcome_key_sql()}, practice = {PRACTICE_SQL}")
    # Re-inserting the saved events (same ids, same order) runs them through the triggers.
    conn.execute("CREATE TEMP TABLE replayed_events AS SELECT * FROM events")
    conn.execute("DELETE FROM events")
    conn.execute("INSERT INTO events SELECT * FROM replayed_events ORDER BY id")
    conn.execute("DROP TABLE temp.replayed_events")
