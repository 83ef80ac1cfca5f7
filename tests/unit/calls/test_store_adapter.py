"""Each call is saved with the profile and API target it is opened with, read at its opening."""

from __future__ import annotations

import asyncio
from pathlib import Path

from desktop.app.context import AppContext
from desktop.core.calls.manager import CallManager
from desktop.core.calls.store_adapter import StoreAdapter
from desktop.core.clock import FakeClock
from desktop.core.paths import default_paths
from desktop.core.settings import Settings
from desktop.core.store import CallStore, export_call
from tests.unit.calls.hand_tracker import HandTracker


def test_a_call_opened_after_switching_profile_and_adding_a_key_is_a_real_call(
    tmp_path: Path,
) -> None:
    paths = default_paths({"LINKDESK_HOME": str(tmp_path / "home")}).ensure()
    settings = Settings.load(paths)
    ctx = AppContext(paths, settings)
    asyncio.run(ctx.load_api_key())  # as the app does after its first frame, off the GUI thread
    store = CallStore(tmp_path / "calls.sqlite3")
    clock = FakeClock()
    # Built once, at start, as the app does.
    manager = CallManager(StoreAdapter(store), HandTracker(clock), clock, origin=ctx.call_origin)

    sandboxed = manager.open_call("c-1", "Corner bakery", "http://127.0.0.1/link/c-1").call_id
    assert store.get_call(sandboxed).profile == "default"
    assert store.get_call(sandboxed).api_kind == "sandbox"  # no key yet: the embedded sandbox
    # Started as a call, not as a practice (issue 15): only a practice call says "practice".
    assert not store.get_call(sandboxed).is_practice

    # The agent adds a profile with a key in Settings and switches to it.
    settings.add_profile("team")
    ctx.secrets.set("team", "key-for-team")
    ctx.profile = "team"
    ctx.forget_api_key()
    asyncio.run(ctx.load_api_key())  # Settings applied: the key is read again

    real = manager.open_call("c-2", "Harbour Bakery", "https://link.codat.io/c-2").call_id
    call = store.get_call(real)
    assert call.profile == "team"
    assert not call.is_practice
    assert "Practice call" not in export_call(store, real, "markdown")
    sandbox_export = export_call(store, sandboxed, "markdown")
    assert "Practice call" not in sandbox_export and "the embedded sandbox" in sandbox_export
    practice = manager.open_call(
        "c-3", "Practice bakery", "http://127.0.0.1/link/c-3", scenario="happy-path"
    ).call_id
    assert "Practice call:** sandbox scenario happy-path" in export_call(
        store, practice, "markdown"
    )
    store.close()
