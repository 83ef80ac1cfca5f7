"""The summary of one finished call as the team sees it (version 1), and reading one back.

Published as UTF-8 JSON, one message per call, ``Nats-Msg-Id`` = ``callId``::

    {
      "version": 1,
      "callId": str,              # stable: the same call always gets the same id (a UUID)
      "agent": str|null,          # Settings → "Your name" when the call was opened
      "platformKey": str|null,    # Codat's platform key (GET /integrations), null: never chosen
      "platformName": str|null,
      "reconnection": bool,       # true: the company already had a connection
      "practice": bool,           # a practice call (embedded sandbox or practice scenario)
      "startedAt": float,         # epoch seconds (UTC)
      "endedAt": float,
      "durationSeconds": float,   # endedAt - startedAt
      "outcome": "linked"|"synced"|"retry"|"escalated"|"other"|"unrecorded",
      "furthestStep": 1..5,
      "steps": [                  # always five, step 1 to 5
        {"step": int, "reachedAt": float|null, "passedAt": float|null,
         "seconds": float|null,   # how long the step took (desktop.core.store.facts)
         "passed": bool,          # done or skipped
         "provenance": "observed"|"inferred"|"agent-confirmed"|null}
      ],                          # observed / inferred: from Codat's API; agent-confirmed: the
                                  # agent saw it on the shared screen
      "problems": [str, ...],     # problem keys (ProblemKey), in order of first appearance
      "companyName": str          # ONLY when Settings → Team hub → "Share company names" is on
    }

Never in it: the call's notes, the outcome's own words, the checklist, the Link URL, the company's
id, the API key. Readers skip (and count) any message that is not valid JSON, has another
version, or holds a field of the wrong type or beyond its bound.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop.core.team.subjects import agent_token

if TYPE_CHECKING:
    from desktop.core.store import CallStore

SUMMARY_VERSION = 1
STEPS = range(1, 6)
OUTCOMES = ("linked", "synced", "retry", "escalated", "other", "unrecorded")
PROVENANCES = ("observed", "inferred", "agent-confirmed")
MAX_SUMMARY_BYTES = 16 * 1024
MAX_NAME = 200  # characters of an agent, platform or company name
MAX_PROBLEMS = 20
_NAMESPACE = uuid.UUID("5b0c3c1e-6f1e-4a43-9d0e-6c1d4a7e0f21")  # LinkDesk's own, for uuid5
_KEY = re.compile(r"^[a-z0-9_]{1,40}$")
_PLATFORM_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_CALL_ID = re.compile(r"^[0-9a-f-]{36}$")
_LATEST = 1e11  # epoch seconds beyond any plausible date (year 5138)


class BadSummary(ValueError):
    """A message that is not a call summary this LinkDesk can read; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class StepFacts:
    step: int
    reached_at: float | None
    passed_at: float | None
    seconds: float | None
    passed: bool
    provenance: str | None


@dataclass(frozen=True)
class TeamCall:
    """One call of the team, as read from the stream."""

    call_id: str
    agent: str | None
    platform_key: str | None
    platform_name: str | None
    reconnection: bool
    practice: bool
    started_at: float
    ended_at: float
    outcome: str
    furthest_step: int
    steps: tuple[StepFacts, ...]
    problems: tuple[str, ...]
    company_name: str | None = None


def call_uid(agent: str | None, call_id: int, opened_at: float) -> str:
    """The call's team-wide id: the same for every publish of the same call."""
    return str(uuid.uuid5(_NAMESPACE, f"{agent or ''}|{call_id}|{opened_at!r}"))


def bounded(text: str | None, limit: int = MAX_NAME) -> str | None:
    """``text`` cut to at most ``limit`` characters, the cut marked by an ellipsis (None stays).

    What readers accept (``parse_summary``) bounds every name; a longer one is cut here rather
    than published and refused by every reader.
    """
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1] + "\u2026"


def build_summary(
    store: CallStore, call_id: int, *, share_company_names: bool = False
) -> dict[str, Any] | None:
    """The summary of a finished call; None while the store still has it open.

    Raises ``UnknownCallError`` for an id the store does not have, ``StoreError`` when it cannot
    be read. Every fact comes from the call's row and its report facts (``store/facts.py``).
    Names longer than ``MAX_NAME`` are cut (``bounded``) and only the first ``MAX_PROBLEMS``
    problems are kept, so every summary built is one ``parse_summary`` accepts.
    """
    from desktop.core.store import UnknownCallError

    rows = store.read("SELECT * FROM calls WHERE id = ?", (call_id,))
    if not rows:
        raise UnknownCallError(call_id)
    row = rows[0]
    if row["closed_at"] is None:
        return None
    provenance: dict[int, str] = {}
    for step, source in store.read(
        "SELECT step, provenance FROM events WHERE call_id = ? AND kind = 'step'"
        " AND status IN ('done', 'skipped') AND provenance IS NOT NULL ORDER BY id",
        (call_id,),
        plain=True,
    ):
        if step in STEPS and source in PROVENANCES:
            provenance.setdefault(int(step), str(source))
    passed_bits = int(row["passed_steps"])
    summary: dict[str, Any] = {
        "version": SUMMARY_VERSION,
        "callId": call_uid(row["agent"], call_id, float(row["opened_at"])),
        "agent": bounded(row["agent"]),
        "platformKey": row["platform_key"],
        "platformName": bounded(row["platform_name"]),
        "reconnection": bool(row["reconnection"]),
        "practice": bool(row["practice"]),
        "startedAt": float(row["opened_at"]),
        "endedAt": float(row["closed_at"]),
        "durationSeconds": max(0.0, float(row["closed_at"]) - float(row["opened_at"])),
        "outcome": row["outcome_key"] if row["outcome_key"] in OUTCOMES else "other",
        "furthestStep": int(row["furthest_step"]),
        "steps": [
            {
                "step": n,
                "reachedAt": row[f"s{n}_start"],
                "passedAt": row[f"s{n}_end"],
                "seconds": row[f"s{n}_seconds"],
                "passed": bool(passed_bits & (1 << (n - 1))),
                "provenance": provenance.get(n),
            }
            for n in STEPS
        ],
        "problems": list(dict.fromkeys((row["problem_keys"] or "").split()))[:MAX_PROBLEMS],
    }
    if share_company_names:
        summary["companyName"] = bounded(row["company_name"])
    return summary


def encode(summary: dict[str, Any]) -> bytes:
    return json.dumps(summary, ensure_ascii=False, separators=(",", ":")).encode()


# -- reading one back -------------------------------------------------------------------------


def _text(data: dict[str, Any], key: str, *, optional: bool = True, limit: int = MAX_NAME) -> Any:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise BadSummary(f"{key}: not a text of at most {limit} characters")
    return value


def _time(value: Any, key: str, *, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or not 0 <= value <= _LATEST:
        raise BadSummary(f"{key}: not a number of seconds")
    return float(value)


def _flag(data: dict[str, Any], key: str) -> bool:
    value = data.get(key)
    if not isinstance(value, bool):
        raise BadSummary(f"{key}: not true or false")
    return value


def _step(entry: Any, n: int) -> StepFacts:
    if not isinstance(entry, dict) or entry.get("step") != n:
        raise BadSummary(f"steps[{n - 1}]: not step {n}")
    source = entry.get("provenance")
    if source is not None and source not in PROVENANCES:
        raise BadSummary(f"steps[{n - 1}].provenance: unknown")
    return StepFacts(
        step=n,
        reached_at=_time(entry.get("reachedAt"), "reachedAt", optional=True),
        passed_at=_time(entry.get("passedAt"), "passedAt", optional=True),
        seconds=_time(entry.get("seconds"), "seconds", optional=True),
        passed=_flag(entry, "passed"),
        provenance=source,
    )


def parse_summary(body: bytes, subject_token: str) -> TeamCall:
    """A message of the stream as a ``TeamCall``. Raises ``BadSummary`` for anything else
    (too big, not JSON, another version, a field out of bounds, the subject not the agent's)."""
    if len(body) > MAX_SUMMARY_BYTES:
        raise BadSummary(f"larger than {MAX_SUMMARY_BYTES} bytes")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise BadSummary("not JSON") from None
    if not isinstance(data, dict):
        raise BadSummary("not a JSON object")
    if data.get("version") != SUMMARY_VERSION or isinstance(data.get("version"), bool):
        raise BadSummary(f"version {str(data.get('version'))[:20]!r} is not {SUMMARY_VERSION}")
    call_id = _text(data, "callId", optional=False, limit=36)
    if not _CALL_ID.match(call_id):
        raise BadSummary("callId: not a UUID")
    agent = _text(data, "agent")
    if agent_token(agent) != subject_token:
        raise BadSummary("the subject is not the agent's")
    platform_key = _text(data, "platformKey", limit=64)
    if platform_key is not None and not _PLATFORM_KEY.match(platform_key):
        raise BadSummary("platformKey: not a platform key")
    outcome = data.get("outcome")
    if outcome not in OUTCOMES:
        raise BadSummary("outcome: unknown")
    furthest = data.get("furthestStep")
    if not isinstance(furthest, int) or isinstance(furthest, bool) or furthest not in STEPS:
        raise BadSummary("furthestStep: not 1 to 5")
    steps = data.get("steps")
    if not isinstance(steps, list) or len(steps) != len(STEPS):
        raise BadSummary("steps: not five steps")
    problems = data.get("problems")
    if not isinstance(problems, list) or len(problems) > MAX_PROBLEMS:
        raise BadSummary("problems: not a short list")
    if not all(isinstance(p, str) and _KEY.match(p) for p in problems):
        raise BadSummary("problems: not problem keys")
    started = _time(data.get("startedAt"), "startedAt")
    ended = _time(data.get("endedAt"), "endedAt")
    assert started is not None and ended is not None
    return TeamCall(
        call_id=call_id,
        agent=agent,
        platform_key=platform_key,
        platform_name=_text(data, "platformName"),
        reconnection=_flag(data, "reconnection"),
        practice=_flag(data, "practice"),
        started_at=started,
        ended_at=ended,
        outcome=str(outcome),
        furthest_step=furthest,
        steps=tuple(_step(entry, n) for n, entry in zip(STEPS, steps, strict=True)),
        problems=tuple(dict.fromkeys(problems)),
        company_name=_text(data, "companyName"),
    )
