"""The first sync as the call keeps it: one summary in words, one timeline line per change of the
whole, the outcome of an ended call in the store and the export (core only, on a real store)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from pathlib import Path

import pytest

from desktop.core.calls.manager import CallManager
from desktop.core.calls.outcome import Outcome
from desktop.core.calls.session import sync_rows, sync_summary
from desktop.core.calls.store_adapter import StoreAdapter
from desktop.core.clock import FakeClock
from desktop.core.journey import (
    JourneyState,
    Observation,
    Step,
    SyncItem,
    SyncStatus,
    apply,
    start,
)
from desktop.core.store import CallStore, export_call
from tests.unit.journey_builders import Platform, connection, conns, data_status, status

CONN = "7b8e7482-0000-4000-8000-000000000002"


class Tracker:
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.states: dict[str, JourneyState] = {}

    def track(
        self,
        company_id: str,
        *,
        state: JourneyState | None = None,
        until_seen: Callable[[JourneyState], bool] | None = None,
    ) -> JourneyState:
        return self.states.setdefault(company_id, state or start(company_id, self.clock.now()))

    def untrack(self, company_id: str) -> None:
        self.states.pop(company_id, None)

    def focus(self, company_id: str | None) -> None:
        """Nothing to put first: these calls are never short of budget."""

    def confirm(self, company_id: str, step: Step, at: float | None = None) -> JourneyState:
        return self.states[company_id]


def _manager(tmp_path: Path) -> tuple[CallManager, Tracker, CallStore, FakeClock]:
    clock = FakeClock()
    store = CallStore(tmp_path / "calls.sqlite3", clock=clock.now)
    tracker = Tracker(clock)
    return CallManager(StoreAdapter(store), tracker, clock), tracker, store, clock


def _see(manager: CallManager, tracker: Tracker, company: str, observation: Observation) -> None:
    state, events = apply(tracker.states[company], observation)
    tracker.states[company] = state
    manager.on_update(company, state, events)


def _items(done: int, fetching: int = 0, failed: int = 0) -> list[SyncItem]:
    """Data types as the journey keeps them: a fetching type nearly through, a failed
    one at 100 % (Codat's progress of a pull that ended in error, as the sandbox sends it)."""
    kinds = [SyncStatus.DONE] * done + [SyncStatus.FETCHING] * fetching
    kinds += [SyncStatus.FAILED] * failed
    return [
        SyncItem(
            data_type=f"type{i}",
            status=kind,
            codat_status={"done": "Complete", "fetching": "Fetching", "failed": "FetchError"}[
                kind.value
            ],
            since=0.0,
            progress={"done": 100, "fetching": 90, "failed": 100}[kind.value],
        )
        for i, kind in enumerate(kinds)
    ]


@pytest.mark.parametrize(
    ("done", "fetching", "failed", "bar", "percent"),
    [
        (7, 2, 0, "7 of 9 done", 77),  # was "7 of 9 done (98%)": fetching counted its progress
        (8, 0, 1, "8 of 9 done · 1 failed", 88),  # was "8 of 9 done (100%)": failed counted 100
        (9, 0, 0, "9 of 9 done", 100),
        (0, 3, 0, "0 of 3 done", 0),
        (199, 0, 1, "199 of 200 done · 1 failed", 99),  # never rounded up to 100
    ],
)
def test_the_sync_bar_counts_only_the_data_types_done(
    done: int, fetching: int, failed: int, bar: str, percent: int
) -> None:
    summary = sync_summary(_items(done, fetching, failed))
    assert summary is not None
    assert summary.bar_words() == bar
    assert summary.percent == percent
    # The bar and the line under it say the same counts.
    assert summary.words().startswith(f"{done} of {done + fetching + failed} data types done")
    assert (f"{failed} failed" in summary.words()) == bool(failed)


def test_one_timeline_line_per_change_of_the_whole_sync_in_words(tmp_path: Path) -> None:
    manager, tracker, store, clock = _manager(tmp_path)
    session = manager.open_call("c1", "Harbour Bakery Ltd", "https://link")
    created = clock.now()
    qbo: Platform = {"key": "qhyg", "name": "QuickBooks Online"}
    _see(manager, tracker, "c1", conns(created + 5, connection(CONN, "Linked", created, **qbo)))
    types = ["chartOfAccounts", "invoices", "bills", "customers"]
    clock.advance(30)
    fetching = [status(t, "Fetching") for t in types]
    _see(manager, tracker, "c1", data_status(clock.now(), *fetching))
    clock.advance(30)  # two types done: one new line; the same again: none
    half = [
        status(t, "Complete" if i < 2 else "Fetching", last=clock.now())
        for i, t in enumerate(types)
    ]
    _see(manager, tracker, "c1", data_status(clock.now(), *half))
    _see(manager, tracker, "c1", data_status(clock.now() + 1, *half))
    summary = sync_summary(session.state.sync)
    assert summary is not None and summary.words() == "2 of 4 data types done · 2 fetching"
    words = [row.words for row in session.snapshot().sync_rows]
    assert "Chart of accounts" in words and "chartOfAccounts" not in words
    lines = [e.message for e in session.timeline if e.kind == "sync"]
    assert lines == [
        "First sync: 0 of 4 data types done · 4 fetching.",
        "First sync: 2 of 4 data types done · 2 fetching.",
    ]
    exported = export_call(store, session.call_id, "text", tz=UTC)
    assert exported.count("First sync:") == 2 and "Sync of" not in exported

    manager.close_call(session.call_id, Outcome("retry", "tomorrow at 10"))
    call = store.get_call(session.call_id)
    assert call.outcome == "Customer will retry: tomorrow at 10" and not call.is_open
    exported = export_call(store, session.call_id, "markdown", tz=UTC)
    assert "- **Outcome:** Customer will retry: tomorrow at 10" in exported
    assert "Call ended: Customer will retry: tomorrow at 10." in exported
    assert "Practice" not in exported  # a call started as a call is not a practice
    recent = manager.recent_calls()
    assert [(r.company_name, r.outcome, r.practice) for r in recent] == [
        ("Harbour Bakery Ltd", "Customer will retry: tomorrow at 10", None)
    ]


def test_a_failed_data_types_own_bar_says_failed_and_holds_nothing() -> None:
    # Its pull reported 100 %: the row read "Bill payments: failed (100%)", as if the data were in.
    (done, fetching, failed) = sync_rows(_items(1, 1, 1))
    assert failed.status == "failed" and failed.percent == 0
    assert failed.bar_words().endswith(": failed")
    assert done.percent == 100 and done.bar_words().endswith(": done (100%)")
    assert fetching.bar_words() == f"{fetching.words}: fetching ({fetching.percent}%)"
