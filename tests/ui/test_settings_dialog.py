from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import keyring
import pytest
from PySide6.QtWidgets import QLineEdit

from desktop.core.paths import default_paths
from desktop.core.secrets import SecretStore
from desktop.core.settings import Settings
from desktop.ui.settings_dialog import SettingsDialog
from tests.memkeyring import LockedKeyring, MemoryKeyring
from tests.ui.conftest import Spawn

KEY = "sk_dialog_test_key_987"


def _dialog(qtbot: Any, spawn: Spawn) -> tuple[SettingsDialog, Settings]:
    settings = Settings.load(default_paths().ensure())
    dialog = SettingsDialog(settings, SecretStore(), "default", spawn)
    qtbot.addWidget(dialog)
    return dialog, settings


def test_key_field_is_masked_and_can_be_revealed(qtbot: Any, spawn: Spawn) -> None:
    dialog, _ = _dialog(qtbot, spawn)
    assert dialog.api_key.echoMode() == QLineEdit.EchoMode.Password
    dialog.reveal_button.click()
    assert dialog.api_key.echoMode() == QLineEdit.EchoMode.Normal
    dialog.reveal_button.click()
    assert dialog.api_key.echoMode() == QLineEdit.EchoMode.Password


def test_ok_stores_key_in_keyring_only_and_saves_settings(
    qtbot: Any,
    spawn: Spawn,
    memory_keyring: MemoryKeyring,
    linkdesk_home: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # qasync's executor logs what it runs, at DEBUG
    dialog, _settings = _dialog(qtbot, spawn)
    dialog.api_key.setText(KEY)
    dialog.api_base.setText("http://127.0.0.1:9999")
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    with qtbot.waitSignal(dialog.applied):
        dialog.buttons.accepted.emit()
    assert memory_keyring.store[("LinkDesk", "default")] == KEY
    assert threading.main_thread() not in memory_keyring.threads  # every keyring call left it
    assert KEY not in caplog.text  # the key crossed to the keyring's thread unseen
    again = Settings.load(default_paths())
    assert again.get("api_base") == "http://127.0.0.1:9999"
    assert again.get("theme") == "dark"
    assert dialog.api_key.text() == ""
    for path in linkdesk_home.rglob("*"):
        if path.is_file():
            assert KEY not in path.read_text(errors="replace")


def test_invalid_value_is_explained_and_nothing_is_lost(qtbot: Any, spawn: Spawn) -> None:
    dialog, settings = _dialog(qtbot, spawn)
    dialog._create_profile("bad/name")
    assert "profile name" in dialog.error.text()
    assert list(settings.profiles) == ["default"]
    dialog._create_profile("production")
    assert dialog.selected_profile() == "production"
    assert "production" in settings.profiles


def test_test_connection_round_trip(qtbot: Any, spawn: Spawn) -> None:
    dialog, _ = _dialog(qtbot, spawn)
    dialog.api_key.setText(KEY)
    with qtbot.waitSignal(dialog.test_requested) as blocker:
        dialog.test_button.click()
    assert blocker.args == ["https://api.codat.io", KEY]
    assert not dialog.test_button.isEnabled()
    dialog.show_test_result(False, "Codat rejected the API key. Correlation id: abc123")
    assert "abc123" in dialog.test_result.text()
    assert dialog.test_button.isEnabled()
    dialog.copy_result.click()
    from PySide6.QtGui import QGuiApplication

    assert "abc123" in QGuiApplication.clipboard().text()


def test_every_declared_setting_page_saves(qtbot: Any, spawn: Spawn) -> None:
    dialog, _settings = _dialog(qtbot, spawn)
    tabs = [dialog.tabs.tabText(i).replace("&", "") for i in range(dialog.tabs.count())]
    assert tabs == ["Connection", "Appearance", "Calls", "Polling", "Guides", "Team hub"]
    calls = dialog.calls_form.editors
    calls["invitation_template"].setPlainText("Hi {company}: {link}")  # type: ignore[attr-defined]
    calls["notify"].setChecked(False)  # type: ignore[attr-defined]
    calls["stall_seconds"].boxes["4"].setValue(900)  # type: ignore[attr-defined]
    polling = dialog.polling_form.editors
    polling["fast_interval"].setValue(3.0)  # type: ignore[attr-defined]
    polling["quota_share"].setValue(40.0)  # type: ignore[attr-defined]
    dialog.guides_form.editors["team_guides_dir"].edit.setText("/srv/team-guides")  # type: ignore[attr-defined]
    age = dialog.guides_form.editors["guides_max_age_days"]
    assert age.accessibleName().startswith("Re-check a guide")
    age.setValue(90)  # type: ignore[attr-defined]
    with qtbot.waitSignal(dialog.applied):
        dialog.buttons.accepted.emit()
    again = Settings.load(default_paths())
    assert again.get("invitation_template") == "Hi {company}: {link}"
    assert again.get("notify") is False
    assert again.get("stall_seconds")["4"] == 900
    assert again.get("stall_seconds")["1"] == 180  # the others kept their values
    assert again.get("fast_interval") == 3.0
    assert again.get("quota_share") == 40.0
    assert again.get("team_guides_dir") == "/srv/team-guides"
    assert again.get("guides_max_age_days") == 90


def test_a_stored_key_is_found_and_tested_without_typing_it(
    qtbot: Any, spawn: Spawn, memory_keyring: MemoryKeyring
) -> None:
    SecretStore().set("default", KEY)
    dialog, _ = _dialog(qtbot, spawn)
    qtbot.waitUntil(lambda: "A key is stored" in dialog.api_key.placeholderText(), timeout=5000)
    with qtbot.waitSignal(dialog.test_requested) as blocker:
        dialog.test_button.click()
    assert blocker.args == ["https://api.codat.io", KEY]
    assert memory_keyring.threads[1:]  # read again for the test, beside the placeholder's read
    assert threading.main_thread() not in memory_keyring.threads[1:]


def test_a_locked_keyring_never_freezes_the_dialog(qtbot: Any, spawn: Spawn) -> None:
    """The keyring waits for an unlock prompt: the dialog opens and keeps handling events."""
    locked = LockedKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(locked)
    try:
        dialog, _ = _dialog(qtbot, spawn)
        dialog.show()
        qtbot.waitUntil(locked.asked.is_set, timeout=5000)  # a read waits in a worker thread...
        assert dialog.api_key.placeholderText() == "Checking for a stored key…"
        qtbot.keyClicks(dialog.api_key, "typed while locked")  # ...and the dialog still works
        assert dialog.api_key.text() == "typed while locked"
        locked.unlock.set()
        qtbot.waitUntil(lambda: "No key" in dialog.api_key.placeholderText(), timeout=5000)
    finally:
        locked.unlock.set()
        keyring.set_keyring(previous)


def test_your_name_is_no_longer_than_a_team_summary_carries(qtbot: Any, spawn: Spawn) -> None:
    from desktop.core.team.summary import MAX_NAME

    dialog, _ = _dialog(qtbot, spawn)
    dialog.agent_name.clear()
    qtbot.keyClicks(dialog.agent_name, "n" * (MAX_NAME + 5))
    assert dialog.agent_name.text() == "n" * MAX_NAME
