"""The reports as the Reports page asks for them: off the GUI thread, on their own connection.

A report over a year of calls takes a fraction of a second, too long for the Qt thread, and a
``CallStore`` belongs to the thread that opened it; so each question opens the database read-only
in a worker thread (as ``linkdesk calls stats`` does), asks, and closes it. WAL lets it read while
the app writes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from desktop.core.stats.behind import Behind
from desktop.core.stats.filters import StatsFilter

if TYPE_CHECKING:
    from desktop.core.stats.report import Report
    from desktop.core.store import Call, CallStore

_T = TypeVar("_T")


class StatsService:
    """Reports over the call database at ``path``. Every method raises ``StoreError`` when the
    database cannot be read (missing, damaged, or older than this LinkDesk)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def _ask(self, question: Callable[[CallStore], _T]) -> _T:
        from desktop.core.store import CallStore

        def run() -> _T:
            with CallStore(self.path, read_only=True) as store:
                return question(store)

        return await asyncio.to_thread(run)

    async def report(self, filters: StatsFilter) -> Report:
        from desktop.core.stats.compute import compute_report

        return await self._ask(lambda store: compute_report(store, filters))

    async def calls_behind(self, filters: StatsFilter, behind: Behind) -> list[Call]:
        from desktop.core.stats.behind import calls_behind

        return await self._ask(lambda store: calls_behind(store, filters, behind))

    async def choices(self) -> tuple[list[tuple[str, str]], list[str]]:
        """The platforms (key, name) and agents named in the saved calls, for the filters."""

        def read(store: CallStore) -> tuple[list[tuple[str, str]], list[str]]:
            platforms = [
                (str(r[0]), str(r[1] or r[0]))
                for r in store.read(
                    "SELECT platform_key, max(platform_name) FROM calls"
                    " WHERE platform_key IS NOT NULL GROUP BY platform_key ORDER BY 2, 1"
                )
            ]
            agents = [
                str(r[0])
                for r in store.read(
                    "SELECT DISTINCT agent FROM calls WHERE agent IS NOT NULL ORDER BY agent"
                )
            ]
            return platforms, agents

        return await self._ask(read)

    async def call_text(self, call_id: int) -> str:
        """The call as plain text (the CRM export: timeline, problems, checklist, notes)."""
        from desktop.core.store import export_call

        return await self._ask(lambda store: export_call(store, call_id, "text"))
