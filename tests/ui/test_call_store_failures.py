"""A database that refuses writes mid-call: a visible banner, nothing typed lost, retried until saved."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QDialog

from desktop.core.journey import Step
from tests.store_files import saved_notes
from tests.ui.call_workspace_kit import Kit

# These tests make the store fail on purpose; its warnings are what they check.
pytestmark = pytest.mark.expected_logs(r"^Call database refused ", r"the store refused a write: ")


class FullDisk:
    """The store's connection, refusing every write transaction while ``full`` is set."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self.real = real
        self.full = True
        self.refused = 0

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        if self.full and sql.strip().upper().startswith("BEGIN"):
            self.refused += 1
            raise sqlite3.OperationalError("database or disk is full")
        return self.real.execute(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_full_disk_shows_a_banner_keeps_the_notes_and_retries(
    qtbot: Any, kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = kit.open_call("Harbour Bakery Ltd")
    view = kit.workspace.current_view()
    assert view is not None
    banner = kit.workspace.store_banner
    assert not banner.isVisible()

    disk = FullDisk(kit.store._conn)
    monkeypatch.setattr(kit.store, "_conn", disk)
    kit.workspace._store_retry.setInterval(100)  # the real pace is every few seconds
    view.notes.setFocus()
    qtbot.keyClicks(view.notes, "Jo is the admin; uses QuickBooks Online.")
    view.notes.save_now()
    first_key = next(iter(view.checklist.boxes))
    view.checklist.boxes[first_key].setChecked(True)
    kit.platform_chosen(session)  # a journey event arrives while the disk is full

    assert disk.refused > 0
    assert banner.isVisible()
    assert "disk" in banner.message.text() and "full" in banner.message.text()
    assert "keeps what you typed" in banner.message.text()
    assert not any(isinstance(w, QDialog) and w.isVisible() for w in QApplication.topLevelWidgets())
    assert view.notes.toPlainText() == "Jo is the admin; uses QuickBooks Online."
    assert {w.kind for w in kit.store.pending_writes} >= {"notes", "tick", "event"}
    assert saved_notes(kit.store.path, session.call_id) is None
    assert session.state.step(Step.CHOOSE_SOFTWARE).status.value == "done"  # the call goes on

    # Still full for a few retries: the banner stays and nothing is dropped.
    refused = disk.refused
    qtbot.waitUntil(lambda: disk.refused >= refused + 2, timeout=5000)
    assert banner.isVisible()
    assert kit.store.pending_writes

    qtbot.keyClicks(view.notes, " Call back at 3pm.")
    view.notes.save_now()
    disk.full = False
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=5000)
    assert kit.store.pending_writes == ()
    assert saved_notes(kit.store.path, session.call_id) == (
        "Jo is the admin; uses QuickBooks Online. Call back at 3pm."
    )
    assert kit.store.ticks(session.call_id) == {first_key: True}
    summaries = [e.summary for e in kit.store.events(session.call_id)]
    label = view.checklist.label(first_key)
    assert f"Ticked “{label}” on the checklist." in summaries  # the wording, not the key
    assert any("QuickBooks Online" in s for s in summaries)
    assert not kit.workspace._store_retry.isActive()


def test_try_again_now_button_saves_at_once(
    qtbot: Any, kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = kit.open_call("Northwind Traders")
    view = kit.workspace.current_view()
    assert view is not None
    disk = FullDisk(kit.store._conn)
    monkeypatch.setattr(kit.store, "_conn", disk)
    view.notes.setPlainText("Admin is Sam.")
    view.notes.save_now()
    banner = kit.workspace.store_banner
    assert banner.isVisible() and banner.retry_button.isVisible()
    disk.full = False
    banner.retry_button.click()
    assert not banner.isVisible()
    assert saved_notes(kit.store.path, session.call_id) == "Admin is Sam."


def test_a_failure_that_no_retry_can_mend_stays_until_dismissed(qtbot: Any, kit: Kit) -> None:
    from desktop.core.store import StoreError, StoreErrorKind

    kit.open_call("Northwind Traders")
    kit.manager.report_store_error(StoreError(StoreErrorKind.CORRUPT, "file is not a database"))
    banner = kit.workspace.store_banner
    assert banner.isVisible()
    assert "damaged" in banner.message.text() and "was not saved" in banner.message.text()
    assert banner.dismiss_button.isVisible() and not banner.retry_button.isVisible()
    assert not kit.workspace._store_retry.isActive()
    banner.dismiss_button.click()
    assert not banner.isVisible()
