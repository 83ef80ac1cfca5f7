"""A practice call whose lesson comes after the first sync is followed until the lesson shows.

The call manager and one tracker follow a company of the real sandbox over HTTP (speed 20), as
the app follows a practice call; a real call of the same customer stops at the first sync, as it
always did. Only where each call ends is asserted, never how fast.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from desktop.core.calls.manager import CallManager
from desktop.core.calls.practice_hints import LESSONS_AFTER_FIRST_SYNC, practice_hint
from desktop.core.calls.session import CallSession
from desktop.core.calls.store_adapter import StoreAdapter
from desktop.core.clock import SystemClock
from desktop.core.codat import CodatClient
from desktop.core.journey import ProblemKey, Step, start
from desktop.core.store import CallStore
from desktop.core.tracker import Tracker
from desktop.sandbox.scenarios import SCENARIOS
from desktop.sandbox.server import SandboxServer, control_headers
from tests.e2e.fast_tracker import FAST

KEY = "linkdesk-sandbox"
SETTINGS = FAST

# The call as it stands, and whether its tracker still follows it -> the call has come to its end.
Ended = Callable[[CallSession, bool], bool]


async def _call(
    base: str, tmp_path: Path, scenario: str, practice: bool, ended: Ended
) -> set[str | None]:
    """Play ``scenario`` in the sandbox and follow it as a call (a practice call if ``practice``)
    until ``ended`` says so or the tracker stops following it, within a generous bound. Returns
    the hints the call page showed once the first sync was done."""
    after_sync: set[str | None] = set()
    store = CallStore(tmp_path / "calls.sqlite3")
    async with (
        httpx.AsyncClient(trust_env=False) as http,
        httpx.AsyncClient(base_url=base, trust_env=False, headers=control_headers(KEY)) as control,
    ):
        client = CodatClient(http, base, KEY)
        company = (await client.create_company(f"Practice {scenario}")).id
        answer = await control.post(
            f"/_sandbox/companies/{company}/scenario", json={"scenario": scenario}
        )
        assert answer.status_code == 200, answer.text
        clock = SystemClock()
        tracker = Tracker(client, clock=clock, settings=SETTINGS)
        manager = CallManager(StoreAdapter(store), tracker, clock)
        tracker.on_update = manager.on_update
        tracker.on_stop = manager.on_stop
        async with tracker:
            session = manager.open_call(
                company,
                f"Practice {scenario}",
                "https://link",
                scenario=scenario if practice else None,
            )
            session.confirm_step(Step.OPEN_LINK)  # as the trainee does when told the link opened
            reviewed = False
            for _ in range(1200):  # a generous bound for a loaded machine
                following = tracker.stopped(company) is None
                if ended(session, following) or not following:
                    break
                if session.state.first_sync_done:
                    after_sync.add(session.snapshot().hint)
                if not reviewed and session.state.platform is not None:
                    session.confirm_step(Step.REVIEW_AND_START)
                    reviewed = True
                await asyncio.sleep(0.05)
            following = tracker.stopped(company) is None
            assert ended(session, following), (
                session.state.to_json(),
                tracker.stopped(company),
                [e.message for e in session.timeline],
            )
        assert tracker.internal_errors == []
    store.close()
    return after_sync


def _access_lost(session: CallSession, following: bool) -> bool:
    problem = session.state.problem
    return (
        following  # the customer can still sign in again: the call goes on being followed
        and session.state.first_sync_done
        and problem is not None
        and problem.key is ProblemKey.DEAUTHORIZED
        and bool(problem.fix)
        and "deauthorized" in session.summary()
        and session.snapshot().hint is None  # the Problem box says it now
    )


@pytest.mark.slow
def test_a_xero_deauthorized_practice_call_shows_the_access_lost_after_its_first_sync(
    tmp_path: Path,
) -> None:
    with SandboxServer(api_key=KEY, speed=20.0) as server:
        hints = asyncio.run(
            _call(server.base_url, tmp_path, "xero-deauthorized", True, _access_lost)
        )
    # Between the first sync and the access lost, the banner said the call was not over.
    assert any(h is not None and "not over" in h for h in hints), hints


def _one_time_sync_seen(session: CallSession, following: bool) -> bool:
    state = session.state
    return not following and state.synced and state.one_time_sync and state.note is not None


@pytest.mark.slow
def test_a_one_time_sync_practice_call_shows_the_connector_gone_after_its_first_sync(
    tmp_path: Path,
) -> None:
    with SandboxServer(api_key=KEY, speed=20.0) as server:
        asyncio.run(_call(server.base_url, tmp_path, "one-time-sync", True, _one_time_sync_seen))


def _stopped_at_the_first_sync(session: CallSession, following: bool) -> bool:
    return not following and session.state.synced and session.state.linked


@pytest.mark.slow
def test_a_real_call_is_still_left_at_its_first_sync(tmp_path: Path) -> None:
    """Not a practice call: the goal ends the following, whatever the customer does later."""
    with SandboxServer(api_key=KEY, speed=20.0) as server:
        asyncio.run(
            _call(server.base_url, tmp_path, "xero-deauthorized", False, _stopped_at_the_first_sync)
        )


def test_every_sandbox_scenario_scripted_after_the_first_sync_is_followed_past_it() -> None:
    """The sandbox plays these steps once the first sync has ended (``after_sync``): a practice
    call that stopped at its first sync would never show them."""
    after_sync = {
        name
        for name, scenario in SCENARIOS.items()
        if any(step.after_sync for step in scenario.build(scenario.default_platform))
    }
    assert after_sync == LESSONS_AFTER_FIRST_SYNC
    for name in after_sync:
        hint = practice_hint(name, start("c1", 0.0))
        assert hint is not None and hint != f"Practice call: scenario {name}."
