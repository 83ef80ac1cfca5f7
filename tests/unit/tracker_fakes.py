"""A scriptable in-memory Codat for tracker tests: answers from plain dicts, logs every call."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from desktop.core.clock import FakeClock
from desktop.core.codat.errors import CodatError, ErrorKind
from desktop.core.codat.models import (
    Company,
    Connection,
    DataStatus,
    Page,
    PullOperation,
    RateLimit,
    data_statuses_from_json,
)
from desktop.core.tracker import Tracker
from tests.unit.journey_builders import when

COMPANY = "c0ffee00-0000-4000-8000-00000000000a"


def _page(items: list[dict[str, Any]], parse: Callable[[Any], Any]) -> Page[Any]:
    return Page.from_json(
        {
            "results": items,
            "pageNumber": 1,
            "pageSize": 100,
            "totalResults": len(items),
            "_links": {},
        },
        parse,
    )


@dataclass
class FakeCodat:
    """One or more companies whose connections, data status and history a test edits directly."""

    clock: FakeClock
    companies: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[float, str, str]] = field(default_factory=list)  # (time, company, what)
    fail: Callable[[float, str, str], CodatError | None] | None = None
    hang: bool = False
    last_rate_limit: RateLimit | None = None
    rate_limit: Callable[[float], RateLimit | None] | None = None

    def add(self, company_id: str = COMPANY, name: str = "Acme") -> dict[str, Any]:
        world = {"name": name, "connections": [], "status": {}, "ops": []}
        self.companies[company_id] = world
        return world

    def connect(self, company_id: str, conn_id: str, status: str, **extra: Any) -> None:
        world = self.companies[company_id]
        existing = next((c for c in world["connections"] if c["id"] == conn_id), None)
        if existing is None:
            existing = {
                "id": conn_id,
                "integrationId": "i",
                "integrationKey": "gbol",
                "sourceId": "s",
                "platformName": "Xero",
                "linkUrl": "https://link.example/x",
                "created": when(self.clock.now()),
                "sourceType": "Accounting",
                "dataConnectionErrors": [],
            }
            world["connections"].append(existing)
        existing["status"] = status
        existing.update(extra)

    def sync(
        self, company_id: str, conn_id: str, types: dict[str, str], message: str | None = None
    ) -> None:
        world = self.companies[company_id]
        now = self.clock.now()
        for data_type, status in types.items():
            op_id = f"{conn_id}-{data_type}"
            world["status"][data_type] = {
                "dataType": data_type,
                "currentStatus": status,
                "latestSyncId": op_id,
                "lastSuccessfulSync": when(now) if status == "Complete" else None,
            }
            world["ops"] = [o for o in world["ops"] if o["id"] != op_id] + [
                {
                    "id": op_id,
                    "companyId": company_id,
                    "connectionId": conn_id,
                    "dataType": data_type,
                    "status": status,
                    "requested": when(now),
                    "progress": 100 if status == "Complete" else 50,
                    "isCompleted": status == "Complete",
                    "isErrored": status.endswith("Error"),
                    "errorMessage": message if status.endswith("Error") else None,
                }
            ]

    async def _call(self, company_id: str, what: str) -> dict[str, Any]:
        now = self.clock.now()
        self.calls.append((now, company_id, what))
        if self.rate_limit is not None:
            self.last_rate_limit = self.rate_limit(now)
        await asyncio.sleep(0)  # a real answer takes a moment
        while self.hang:
            await asyncio.sleep(0.01)
        if self.fail is not None:
            err = self.fail(now, company_id, what)
            if err is not None:
                raise err
        world = self.companies.get(company_id)
        if world is None:
            raise CodatError(ErrorKind.HTTP, status_code=404, error=f"No company {company_id}")
        return world

    async def get_company(self, company_id: str) -> Company:
        world = await self._call(company_id, "company")
        return Company.from_json(
            {
                "id": company_id,
                "name": world["name"],
                "redirect": "r",
                "dataConnections": world["connections"],
            }
        )

    async def list_connections(self, company_id: str, *, page_size: int) -> Page[Connection]:
        world = await self._call(company_id, "connections")
        return _page(list(world["connections"]), Connection.from_json)

    async def get_data_status(self, company_id: str) -> dict[str, DataStatus]:
        world = await self._call(company_id, "dataStatus")
        return data_statuses_from_json(dict(world["status"]))

    async def list_pull_operations(
        self, company_id: str, *, page_size: int, order_by: str
    ) -> Page[PullOperation]:
        world = await self._call(company_id, "history")
        return _page(list(world["ops"]), PullOperation.from_json)

    def kinds(self, company_id: str = COMPANY) -> list[str]:
        return [what for _, c, what in self.calls if c == company_id]

    def times(self, company_id: str = COMPANY) -> list[float]:
        return [t for t, c, _ in self.calls if c == company_id]


def scripted_journey(
    conn_id: str, *, queued_at: float = 120.0
) -> tuple[FakeClock, FakeCodat, float]:
    """A simulated clock, the scriptable Codat with ``COMPANY``, and the start time ``t0``. The
    customer's connection ``conn_id`` is PendingAuth at +60 s and Linked at +120 s; the first
    sync (bills, suppliers) is queued at ``queued_at`` s and complete at +150 s."""
    clock = FakeClock()
    codat = FakeCodat(clock)
    codat.add()
    t0 = clock.now()
    clock.call_at(t0 + 60, lambda: codat.connect(COMPANY, conn_id, "PendingAuth"))
    clock.call_at(t0 + 120, lambda: codat.connect(COMPANY, conn_id, "Linked"))
    clock.call_at(
        t0 + queued_at,
        lambda: codat.sync(COMPANY, conn_id, {"bills": "Queued", "suppliers": "Fetching"}),
    )
    clock.call_at(
        t0 + 150,
        lambda: codat.sync(COMPANY, conn_id, {"bills": "Complete", "suppliers": "Complete"}),
    )
    return clock, codat, t0


async def run_until(
    tracker: Tracker,
    clock: FakeClock,
    done: Callable[[], bool],
    *,
    seconds: float,
    spins: int = 200_000,
) -> None:
    """Let the tracker run (its sleeps move the fake clock) until ``done`` or the time is up."""
    end = clock.now() + seconds
    for _ in range(spins):
        if done():
            return
        if clock.now() >= end:
            break
        await asyncio.sleep(0)
    assert done(), f"not done after {clock.now() - end + seconds:.0f} virtual seconds"


async def run_for(tracker: Tracker, clock: FakeClock, seconds: float, spins: int = 500_000) -> None:
    end = clock.now() + seconds
    for _ in range(spins):
        if clock.now() >= end:
            return
        await asyncio.sleep(0)
    raise AssertionError("the clock stopped moving: nothing scheduled")
