"""The tracker against the sandbox's scenarios for real calls (issue 13 §5), end to end over HTTP.

Each scenario's customer is played by the sandbox's autopilot (speed 20); one tracker follows the
company with short intervals. Only where each journey ends is asserted, never how fast.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from desktop.core.clock import SystemClock
from desktop.core.codat import CodatClient
from desktop.core.journey import EventKind, JourneyEvent, JourneyState, ProblemKey
from desktop.core.tracker import Stop, StopReason, Tracker
from desktop.sandbox.server import SandboxServer, control_headers
from tests.e2e.fast_tracker import FAST

KEY = "linkdesk-sandbox"
SETTINGS = FAST

Check = Callable[[JourneyState, Stop | None, list[JourneyEvent]], bool]


def _finished(state: JourneyState, stop: Stop | None, _events: list[JourneyEvent]) -> bool:
    return stop is not None and stop.reason is StopReason.FINISHED and state.synced


def _linked_again(state: JourneyState, stop: Stop | None, events: list[JourneyEvent]) -> bool:
    return _finished(state, stop, events) and any(
        e.kind is EventKind.CONNECTION and "Linked again" in e.message for e in events
    )


def _new_beside_dead(state: JourneyState, stop: Stop | None, events: list[JourneyEvent]) -> bool:
    return (
        _finished(state, stop, events)
        and state.platform is not None
        and state.platform.key == "qhyg"
        and any(e.kind is EventKind.FOLLOWING and "instead of" in e.message for e in events)
    )


def _one_time(state: JourneyState, stop: Stop | None, events: list[JourneyEvent]) -> bool:
    return _finished(state, stop, events) and not any(
        e.problem is not None and e.problem.key is ProblemKey.DEAUTHORIZED for e in events
    )


def _permissions(state: JourneyState, stop: Stop | None, _events: list[JourneyEvent]) -> bool:
    problem = state.problem
    return (
        stop is None  # the customer can fix it: still followed
        and problem is not None
        and problem.key is ProblemKey.SYNC_FAILED
        and problem.needs == "needs the customer"
        and "bills" in problem.message
    )


def _not_supported(state: JourneyState, stop: Stop | None, events: list[JourneyEvent]) -> bool:
    codat = {i.data_type: i.codat_status for i in state.sync}
    return _finished(state, stop, events) and codat.get("directCosts") == "NotSupported"


def _never_synced(state: JourneyState, stop: Stop | None, events: list[JourneyEvent]) -> bool:
    return _finished(state, stop, events) and "balanceSheet" not in {
        i.data_type for i in state.sync
    }


CASES: dict[str, Check] = {
    "reconnect-deauthorized": _linked_again,
    "reconnect-unlinked": _linked_again,
    "new-beside-dead": _new_beside_dead,
    "one-time-sync": _one_time,
    "one-time-sync:hbql": _one_time,
    "permissions-error": _permissions,
    "not-supported": _not_supported,
    "never-synced": _never_synced,
}


async def _follow(base: str, scenario: str, check: Check) -> None:
    async with (
        httpx.AsyncClient(trust_env=False) as http,
        httpx.AsyncClient(base_url=base, trust_env=False, headers=control_headers(KEY)) as control,
    ):
        client = CodatClient(http, base, KEY)
        company = (await client.create_company(f"Scenario {scenario}")).id
        answer = await control.post(
            f"/_sandbox/companies/{company}/scenario", json={"scenario": scenario}
        )
        assert answer.status_code == 200, answer.text
        events: list[JourneyEvent] = []
        tracker = Tracker(client, clock=SystemClock(), settings=SETTINGS)
        tracker.on_update = lambda c, s, e: events.extend(e)
        async with tracker:
            tracker.track(company)
            for _ in range(1200):  # a generous bound for a loaded machine
                state = tracker.state(company)
                assert state is not None
                if check(state, tracker.stopped(company), events):
                    break
                await asyncio.sleep(0.05)
            state = tracker.state(company)
            assert state is not None
            assert check(state, tracker.stopped(company), events), (
                state.to_json(),
                tracker.stopped(company),
                [e.message for e in events],
            )
        assert tracker.internal_errors == []


@pytest.mark.parametrize("scenario", list(CASES))
def test_the_tracker_follows_each_real_call_scenario_to_its_right_end(scenario: str) -> None:
    with SandboxServer(api_key=KEY, speed=20.0) as server:
        asyncio.run(_follow(server.base_url, scenario, CASES[scenario]))
