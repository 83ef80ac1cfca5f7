from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLineEdit

from desktop.core.paths import default_paths
from desktop.core.secrets import SecretStore
from desktop.core.settings import Settings
from desktop.ui.settings_dialog import SettingsDialog
from tests.memkeyring import MemoryKeyring

KEY = "sk_dialog_test_key_987"


def _dialog(qtbot: Any) -> tuple[SettingsDialog, Settings]:
    settings = Settings.load(default_paths().ensure())
    dialog = SettingsDialog(settings, SecretStore(), "default")
    qtbot.addWidget(dialog)
    return dialog, settings


def test_key_field_is_masked_and_can_be_revealed(qtbot: Any) -> None:
    dialog, _ = _dialog(qtbot)
    assert dialog.api_key.echoMode() == QLineEdit.EchoMode.Password
    dialog.reveal_button.click()
    assert dialog.api_key.echoMode() == QLineEdit.EchoMode.Normal
    dialog.reveal_button.click()
    assert dialog.api_key.echoMode() == QLineEdit.EchoMode.Password


def test_ok_stores_key_in_keyring_only_and_saves_settings(
    qtbot: Any, memory_keyring: MemoryKeyring, linkdesk_home: Path
) -> None:
    dialog, _settings = _dialog(qtbot)
    dialog.api_key.setText(KEY)
    dialog.api_base.setText("http://127.0.0.1:9999")
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    with qtbot.waitSignal(dialog.applied):
        dialog.buttons.accepted.emit()
    assert memory_keyring.store[("LinkDesk", "default")] == KEY
    again = Settings.load(default_paths())
    assert again.get("api_base") == "http://127.0.0.1:9999"
    assert again.get("theme") == "dark"
    assert dialog.api_key.text() == ""
    for path in linkdesk_home.rglob("*"):
        if path.is_file():
            assert KEY not in path.read_text(errors="replace")


def test_invalid_value_is_explained_and_nothing_is_lost(qtbot: Any) -> None:
    dialog, settings = _dialog(qtbot)
    dialog._create_profile("bad/name")
    assert "profile name" in dialog.error.text()
    assert list(settings.profiles) == ["default"]
    dialog._create_profile("production")
    assert dialog.selected_profile() == "production"
    assert "production" in settings.profiles


def test_test_connection_round_trip(qtbot: Any) -> None:
    dialog, _ = _dialog(qtbot)
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


def test_every_declared_setting_page_saves(qtbot: Any) -> None:
    dialog, _settings = _dialog(qtbot)
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
