"""The team's report: the same figures over the team file (``desktop.core.team``), and per agent.

``compute_team_report`` is ``compute_report`` over the team's calls with ``by_agent``: the same
pass also tallies one group per agent, so every figure has one definition for the agent's own
reports and the team's.

``TeamStatsService`` is what the Reports page's Team view asks: it reads what is new on the stream
(at most every ``min_interval`` seconds unless asked afresh), then answers from the team file on
a read-only connection in a worker thread, like ``StatsService``.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.core.stats.filters import StatsFilter
from desktop.core.stats.service import StatsService

if TYPE_CHECKING:
    from desktop.core.stats.report import Report
    from desktop.core.store import CallStore


def compute_team_report(store: CallStore, filters: StatsFilter | None = None) -> Report:
    """The report over the team file's calls, with ``agents`` (one group per agent, by name).

    Raises ``StoreError`` if the team file cannot be read.
    """
    from desktop.core.stats.compute import compute_report

    return compute_report(store, filters, by_agent=True)


class TeamStatsService(StatsService):
    """Reports over the team file at ``path``, read fresh from the hub by ``sync`` first.

    ``sync()`` fetches what is new (``desktop.core.team.reader.read_team_calls``) and returns a
    plain sentence about it; when it raises, ``notice`` says what failed (the team file, named,
    or the hub) and the calls read before are shown. Every method raises ``StoreError`` like ``StatsService``'s.
    """

    def __init__(
        self,
        path: Path,
        sync: Callable[[], Awaitable[str]],
        *,
        min_interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(path)
        self.sync = sync
        self.min_interval = min_interval
        self.clock = clock
        self.notice = ""  # plain words on the last read of the stream
        self._synced_at: float | None = None

    async def refresh(self, *, force: bool = False) -> bool:
        """Read the stream unless it was read within ``min_interval`` (``force``: read now).

        True when a read was made, even one cut short (the team file may hold new calls, so
        new agents and platforms); False when none was due.
        """
        now = self.clock()
        if not force and self._synced_at is not None and now - self._synced_at < self.min_interval:
            return False
        self._synced_at = now
        try:
            self.notice = await self.sync()
        except Exception as exc:  # the old copy stays; the notice names what failed
            self.notice = _failure_notice(exc, self.path)
        return True

    async def _ask(self, question: Callable[[CallStore], Any]) -> Any:
        import asyncio

        if not self.path.exists():
            await asyncio.to_thread(_create, self.path)
        return await super()._ask(question)

    async def report(self, filters: StatsFilter) -> Report:
        await self.refresh()
        report: Report = await self._ask(lambda store: compute_team_report(store, filters))
        return report

    async def call_text(self, call_id: int) -> str:
        """A team call as plain text: what its summary said (the team never gets more)."""
        from desktop.core.store.timefmt import duration, local

        def read(store: CallStore) -> str:
            from desktop.core.store import UnknownCallError

            rows = store.read("SELECT * FROM calls WHERE id = ?", (call_id,))
            if not rows:
                raise UnknownCallError(call_id)
            r = rows[0]
            lines = [
                f"Agent: {r['agent'] or '(no name)'}",
                f"Platform: {r['platform_name'] or r['platform_key'] or '(not chosen)'}",
                f"Kind: {'reconnection' if r['reconnection'] else 'first connection'}"
                + (", practice" if r["practice"] else ""),
                f"Started: {local(r['opened_at']).strftime('%Y-%m-%d %H:%M')}",
                f"Lasted: {duration(max(0.0, (r['closed_at'] or r['opened_at']) - r['opened_at']))}",
                f"Outcome: {r['outcome'] or r['outcome_key']}",
                f"Furthest step: {r['furthest_step']}",
            ]
            for n in range(1, 6):
                seconds = r[f"s{n}_seconds"]
                passed = bool(r["passed_steps"] & (1 << (n - 1)))
                took = f", took {duration(seconds)}" if seconds is not None else ""
                lines.append(f"Step {n}: {'passed' if passed else 'not passed'}{took}")
            lines.append(f"Problems: {r['problem_keys'] or 'none'}")
            return "\n".join(lines) + "\n"

        text: str = await self._ask(read)
        return text


def _failure_notice(exc: Exception, path: Path) -> str:
    """Plain words for a failed read: the team file's own problem (``StoreError``, SQLite's
    error) names the file; anything else is the hub's (down, refused, timed out)."""
    import sqlite3

    from desktop.core.store import StoreError

    if isinstance(exc, StoreError | sqlite3.Error):
        words = (exc.detail or exc.kind.value) if isinstance(exc, StoreError) else str(exc)
        return (
            f"The team calls' file could not be written ({words}); showing the team calls read"
            f" before. File: {path}"
        )
    problem = getattr(exc, "problem", None)  # TeamHubUnreachable's: the status bar's words
    if isinstance(problem, str) and problem:
        return f"{problem[0].upper()}{problem[1:]}; showing the team calls read before."
    return f"The team hub could not be reached ({exc}); showing the team calls read before."


def _create(path: Path) -> None:
    from desktop.core.team.local_file import TeamFile

    TeamFile(path).close()
