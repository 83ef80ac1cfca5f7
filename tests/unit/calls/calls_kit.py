"""A call manager on a real store file, with a tracker told by hand; "restart" builds a new one."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core.calls.manager import CallManager
from desktop.core.calls.store_adapter import StoreAdapter
from desktop.core.clock import FakeClock
from desktop.core.store import CallStore
from tests.unit.calls.hand_tracker import HandTracker
from tests.unit.journey_builders import COMPANY, connection, conns

CONN = "7b8e7482-0000-4000-8000-000000000002"


@dataclass
class Desk:
    """One run of LinkDesk: a store, a tracker and a manager sharing one clock."""

    store: CallStore
    tracker: HandTracker
    manager: CallManager
    clock: FakeClock

    def close(self) -> None:
        self.store.close()

    def customer_links(self, status: str = "PendingAuth") -> None:
        self.clock.advance(30)
        created = self.clock.now()
        self.tracker.observe(COMPANY, conns(created, connection(CONN, status, created)))


def start_desk(path: Path, clock: FakeClock) -> Desk:
    store = CallStore(path, clock=clock.now)
    tracker = HandTracker(clock)
    manager = CallManager(StoreAdapter(store), tracker, clock)
    tracker.manager = manager
    return Desk(store, tracker, manager, clock)


class FullDisk:
    """The store's connection, refusing every write transaction while ``full`` is set."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self.real = real
        self.full = True

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        if self.full and sql.strip().upper().startswith("BEGIN"):
            raise sqlite3.OperationalError("database or disk is full")
        return self.real.execute(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)
