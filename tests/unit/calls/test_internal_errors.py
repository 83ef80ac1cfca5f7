"""A bug inside LinkDesk goes to the crash handler with its traceback, never as "Codat is not answering"."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from desktop.core.calls.manager import CallManager
from desktop.core.calls.store_adapter import StoreAdapter
from desktop.core.clock import FakeClock
from desktop.core.codat.models import Company
from desktop.core.crash import CrashHandler
from desktop.core.store import CallStore
from desktop.core.tracker import Tracker, TrackerSettings
from tests.unit.tracker_fakes import COMPANY, FakeCodat, run_until

SETTINGS = TrackerSettings(
    fast_interval=2.0, medium_interval=10.0, stagger=0.0, budget_per_hour=100_000.0
)


class BuggyCodat(FakeCodat):
    """Answers, then trips over its own answer: a bug on our side of the wire."""

    async def get_company(self, company_id: str) -> Company:
        await super().get_company(company_id)
        raise KeyError("dataConnections")


def desk(tmp_path: Path, codat: FakeCodat, crash: CrashHandler) -> tuple[CallManager, Tracker]:
    clock = codat.clock
    store = CallStore(tmp_path / "calls.sqlite3", clock=clock.now)
    tracker = Tracker(codat, clock=clock, settings=SETTINGS, on_internal_error=crash.handle)
    manager = CallManager(StoreAdapter(store), tracker, clock)
    tracker.on_update = manager.on_update
    tracker.on_retry = manager.on_retry
    tracker.on_stop = manager.on_stop
    return manager, tracker


@pytest.mark.asyncio
async def test_a_bug_in_the_tracker_goes_to_the_crash_handler(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    codat = BuggyCodat(clock)
    codat.add()
    crash = CrashHandler()
    manager, tracker = desk(tmp_path, codat, crash)
    async with tracker:
        session = manager.open_call(COMPANY, "Acme", "https://link.codat.io/x")
        with caplog.at_level(logging.ERROR):
            await run_until(tracker, clock, lambda: bool(crash.reports), seconds=60)
    assert "KeyError" in crash.reports[0].summary
    assert "Traceback" in crash.reports[0].details
    assert any(r.exc_info for r in caplog.records if r.levelno >= logging.ERROR)
    assert session.retry_at is None
    assert session.retry_text() is None
    assert not any("Codat did not answer" in e.message for e in session.timeline)
    assert "not answering" not in session.summary()


@pytest.mark.expected_logs(r"Unhandled error in a tracker listener")
@pytest.mark.asyncio
async def test_a_bug_in_a_listener_goes_to_the_crash_handler(tmp_path: Path) -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    codat.add()
    crash = CrashHandler()
    manager, tracker = desk(tmp_path, codat, crash)

    def broken(*_: object) -> None:
        raise ValueError("listener bug")

    async with tracker:
        clock.call_at(clock.now() + 5, lambda: codat.connect(COMPANY, "conn-1", "PendingAuth"))
        manager.open_call(COMPANY, "Acme", "https://link.codat.io/x")
        manager.subscribe(lambda *_: broken())  # it breaks on the first journey change
        await run_until(tracker, clock, lambda: bool(crash.reports), seconds=60)
    assert "ValueError: listener bug" in crash.reports[0].summary
