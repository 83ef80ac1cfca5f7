"""Follow a journey through sandbox -> hub -> JetStream -> HubFeed -> Tracker, in this loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from desktop.core.clock import SystemClock
from desktop.core.codat import CodatClient
from desktop.core.codat.models import (
    Company,
    Connection,
    DataStatus,
    Page,
    PullOperation,
    RateLimit,
)
from desktop.core.journey import JourneyState
from desktop.core.live import HubFeed, LiveTracking
from desktop.core.tracker import Tracker, TrackerSettings
from tests.hub.conftest import SANDBOX_KEY, Chain

# Polling so slow that only live events can move a journey within a test's bounds.
EVENTS_ONLY = TrackerSettings(
    fast_interval=900.0, medium_interval=900.0, slow_interval=900.0, hot_window=900.0
)
Step = tuple[str, dict[str, Any]]
HAPPY: Sequence[Step] = (
    ("open_link", {}),
    ("select_platform", {"platformKey": "gbol"}),
    ("consent", {}),
    ("approve", {}),
    ("complete_sync", {}),
)


def tracked(tracker: Tracker, company_id: str) -> JourneyState:
    """The company's journey as the tracker last saw it (the test follows the company)."""
    state = tracker.state(company_id)
    assert state is not None, f"{company_id} is not tracked"
    return state


async def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.02)


async def new_company(chain: Chain, name: str = "Live Co") -> str:
    async with httpx.AsyncClient(base_url=chain.sandbox.base_url, trust_env=False) as http:
        response = await http.post("/companies", json={"name": name}, headers=chain.api().headers)
        response.raise_for_status()
        return str(response.json()["id"])


async def act(chain: Chain, company_id: str, action: str, **params: Any) -> None:
    async with httpx.AsyncClient(
        base_url=chain.sandbox.base_url, trust_env=False, headers=chain.sandbox.control_headers()
    ) as http:
        response = await http.post(
            f"/_sandbox/companies/{company_id}/journey", json={"action": action, **params}
        )
        assert response.status_code == 200, response.text


@dataclass
class LiveRun:
    tracker: Tracker
    live: LiveTracking
    http: httpx.AsyncClient

    async def follow(self, company_id: str, timeout: float = 20.0) -> None:
        """Track the company and follow its events from now on; return once it is live."""
        self.tracker.track(company_id)
        self.live.follow(company_id, since=time.time())
        await wait_until(lambda: self.tracker.is_live(company_id), timeout)

    async def aclose(self) -> None:
        await self.live.aclose()
        await self.tracker.aclose()
        await self.http.aclose()


def start_live(
    chain: Chain,
    settings: TrackerSettings = EVENTS_ONLY,
    *,
    stale_after: float = 3.0,
    connect_options: dict[str, Any] | None = None,
) -> LiveRun:
    """``connect_options``: the feed's credentials (``desktop.core.live.connect_options``)."""
    http = httpx.AsyncClient(trust_env=False)
    client = CodatClient(http, chain.sandbox.base_url, SANDBOX_KEY)
    tracker = Tracker(client, clock=SystemClock(), settings=settings)
    feed = HubFeed(
        chain.nats_url,
        on_event=lambda event: None,
        stale_after=stale_after,
        connect_options=connect_options,
    )
    live = LiveTracking(tracker, feed)
    feed.start()
    return LiveRun(tracker, live, http)


def journey_shape(state: JourneyState) -> dict[str, Any]:
    """What the agent sees, without the times: steps, sync items, phase, problem, connection."""
    return {
        "steps": [(int(s.step), s.status.value, s.provenance) for s in state.steps],
        "sync": sorted((i.data_type, i.status.value) for i in state.sync),
        "phase": state.phase.value,
        "problem": state.problem.key.value if state.problem else None,
        "status": state.connection_status,
        "platform": state.platform.key if state.platform else None,
    }


class NoCodat:
    """A Codat client for a tracker that is never asked to poll (no company is followed)."""

    last_rate_limit: RateLimit | None = None

    async def get_company(self, company_id: str) -> Company:
        raise AssertionError("unexpected Codat call get_company")

    async def list_connections(self, company_id: str, *, page_size: int) -> Page[Connection]:
        raise AssertionError("unexpected Codat call list_connections")

    async def get_data_status(self, company_id: str) -> dict[str, DataStatus]:
        raise AssertionError("unexpected Codat call get_data_status")

    async def list_pull_operations(
        self, company_id: str, *, page_size: int, order_by: str
    ) -> Page[PullOperation]:
        raise AssertionError("unexpected Codat call list_pull_operations")
