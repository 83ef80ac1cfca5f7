"""Which calls a report counts: a date range, a platform, an agent, practice calls or not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.core.journey.model import iso


@dataclass(frozen=True)
class StatsFilter:
    """The calls a report is about. Every field narrows; the defaults take every real call.

    ``since``/``until`` are epoch seconds compared with the time the call was opened: from
    ``since`` (included) to ``until`` (left out). ``platform`` is Codat's platform key (as in
    ``GET /integrations``), ``agent`` the agent's name as saved with the call.
    """

    since: float | None = None
    until: float | None = None
    platform: str | None = None
    agent: str | None = None
    practice: bool = False  # True: practice calls count too

    def where(self) -> tuple[str, list[Any]]:
        """The SQL condition on ``calls`` and its parameters (never an empty condition)."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.since is not None:
            clauses.append("opened_at >= ?")
            params.append(self.since)
        if self.until is not None:
            clauses.append("opened_at < ?")
            params.append(self.until)
        if self.platform is not None:
            clauses.append("platform_key = ?")
            params.append(self.platform)
        if self.agent is not None:
            clauses.append("agent = ?")
            params.append(self.agent)
        if not self.practice:
            # A practice call is no real customer (see desktop.core.store.facts).
            clauses.append("practice = 0")
        return (" AND ".join(clauses) or "1"), params

    def to_json(self) -> dict[str, Any]:
        return {
            "since": iso(self.since),
            "until": iso(self.until),
            "platform": self.platform,
            "agent": self.agent,
            "practice": self.practice,
        }
