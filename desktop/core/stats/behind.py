"""The calls behind one figure of a report (a platform's bar, a problem, a step's stops)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop.core.stats.filters import StatsFilter
from desktop.core.store.records import Call

if TYPE_CHECKING:
    from desktop.core.store import CallStore

UNKNOWN_PLATFORM = ""  # stands for "platform never known" (NULL) in a ``Behind``


@dataclass(frozen=True)
class Behind:
    """Which figure: each field set narrows the report's filters further.

    ``platform_key`` "" means the calls whose platform was never known. ``stopped_at`` is a step
    (1-5): the closed calls whose first step not passed was that one.
    """

    platform_key: str | None = None
    problem: str | None = None
    stopped_at: int | None = None
    reconnection: bool | None = None
    agent: str | None = None  # one agent's calls (the team view's per-agent bars)


def calls_behind(
    store: CallStore, filters: StatsFilter, behind: Behind, *, limit: int = 500
) -> list[Call]:
    """The calls counted in one figure, newest first, at most ``limit``. Raises ``StoreError``."""
    where, params = filters.where()
    clauses = [where]
    extra: list[Any] = []
    if behind.platform_key == UNKNOWN_PLATFORM:
        clauses.append("platform_key IS NULL")
    elif behind.platform_key is not None:
        clauses.append("platform_key = ?")
        extra.append(behind.platform_key)
    if behind.problem is not None:
        clauses.append("instr(' ' || problem_keys || ' ', ?) > 0")
        extra.append(f" {behind.problem} ")
    if behind.stopped_at is not None:
        # Passed every step before it, not this one.
        before = (1 << (behind.stopped_at - 1)) - 1
        clauses.append(
            "closed_at IS NOT NULL AND (passed_steps & ?) = ? AND (passed_steps & ?) = 0"
        )
        extra += [before, before, 1 << (behind.stopped_at - 1)]
    if behind.agent is not None:
        clauses.append("coalesce(agent, '') = ?")
        extra.append(behind.agent)
    if behind.reconnection is not None:
        clauses.append("reconnection = ?")
        extra.append(int(behind.reconnection))
    rows = store.read(
        f"SELECT * FROM calls WHERE {' AND '.join(clauses)} ORDER BY opened_at DESC, id DESC"
        " LIMIT ?",
        [*params, *extra, limit],
    )
    return [Call.from_row(r) for r in rows]
