"""The keyring after the first frame: read off the GUI thread, and a locked one never freezes the app."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import keyring
import pytest
from PySide6.QtCore import QTimer

from desktop.app.context import AppContext
from desktop.app.root import show_first_frame
from desktop.core.paths import default_paths
from desktop.core.secrets import SERVICE
from desktop.core.settings import Settings
from tests.conftest import run_in_qloop
from tests.memkeyring import LockedKeyring, MemoryKeyring

KEY = "sk_startup_keyring_test"
BASE = "http://127.0.0.1:9"  # never contacted: no page asks Codat anything in these tests


@pytest.fixture
def ctx(qtbot: Any, qloop: Any) -> Iterator[AppContext]:
    paths = default_paths().ensure()
    context = AppContext(paths, Settings.load(paths), api_base_override=BASE)
    yield context
    run_in_qloop(qtbot, context.aclose(), timeout=20000)


def test_the_first_frame_is_shown_before_the_keyring_is_touched(
    qtbot: Any, qapp: Any, ctx: AppContext, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.store[(SERVICE, ctx.profile)] = KEY
    window, shell = show_first_frame(qapp, ctx)
    qtbot.addWidget(window)
    assert window.isVisible()
    assert memory_keyring.threads == []  # painted, and the keyring not asked yet
    assert window.target_label.text() == "Checking the key…"
    shell.start()
    qtbot.waitUntil(lambda: window.target_label.text() == f"Codat at {BASE}", timeout=5000)
    assert memory_keyring.threads, "the key was never read"
    assert threading.main_thread() not in memory_keyring.threads


def test_a_locked_keyring_never_freezes_the_window(qtbot: Any, qapp: Any, ctx: AppContext) -> None:
    locked = LockedKeyring()
    locked.store[(SERVICE, ctx.profile)] = KEY
    previous = keyring.get_keyring()
    keyring.set_keyring(locked)
    try:
        window, shell = show_first_frame(qapp, ctx)
        qtbot.addWidget(window)
        shell.start()
        qtbot.waitUntil(locked.asked.is_set, timeout=5000)  # the read waits for an unlock...
        beats: list[int] = []
        heartbeat = QTimer()
        heartbeat.timeout.connect(lambda: beats.append(1))
        heartbeat.start(5)
        qtbot.waitUntil(lambda: len(beats) >= 10, timeout=5000)  # ...and Qt's loop keeps going
        heartbeat.stop()
        assert window.target_label.text() == "Checking the key…"
        window.page_actions["call"].trigger()  # the agent can move around meanwhile
        assert window.current_page() == "call"
        locked.unlock.set()
        qtbot.waitUntil(lambda: window.target_label.text() == f"Codat at {BASE}", timeout=5000)
        assert threading.main_thread() not in locked.threads
    finally:
        locked.unlock.set()
        keyring.set_keyring(previous)


def test_settings_and_about_ask_the_keyring_off_the_gui_thread(
    qtbot: Any, qapp: Any, ctx: AppContext, memory_keyring: MemoryKeyring
) -> None:
    window, shell = show_first_frame(qapp, ctx)
    qtbot.addWidget(window)
    shell.start()
    qtbot.waitUntil(lambda: window.target_label.text() != "Checking the key…", timeout=5000)
    before = len(memory_keyring.threads)
    shell.open_settings()
    dialog = shell.settings_dialog
    qtbot.waitUntil(lambda: "Stored in: checking" not in dialog.keyring_label.text(), timeout=5000)
    qtbot.waitUntil(lambda: "Checking" not in dialog.api_key.placeholderText(), timeout=5000)
    shell.open_about()
    qtbot.waitUntil(lambda: getattr(shell, "about_dialog", None) is not None, timeout=5000)
    assert len(memory_keyring.threads) > before  # Settings asked whether a key is stored
    assert threading.main_thread() not in memory_keyring.threads
    dialog.reject()
    shell.about_dialog.close()
