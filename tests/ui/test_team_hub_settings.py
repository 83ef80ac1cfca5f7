"""Settings › Team hub: the NATS URL in the settings file, the credentials in the keyring only;
the status bar says which mode the tracking is in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.core.live import HUB_SECRET_ACCOUNT, HUB_SECRET_SERVICE, status_text
from desktop.core.paths import default_paths
from desktop.core.secrets import SecretStore
from desktop.core.settings import Settings
from desktop.ui.main_window import MainWindow
from desktop.ui.settings_dialog import SettingsDialog
from tests.memkeyring import MemoryKeyring
from tests.ui.conftest import Spawn

TOKEN = "hub-token-s3cret-4242"


def _dialog(qtbot: Any, spawn: Spawn) -> tuple[SettingsDialog, Settings]:
    settings = Settings.load(default_paths().ensure())
    dialog = SettingsDialog(settings, SecretStore(), "default", spawn)
    qtbot.addWidget(dialog)
    return dialog, settings


def test_the_hub_url_is_saved_and_the_credentials_go_to_the_keyring_only(
    qtbot: Any, memory_keyring: MemoryKeyring, linkdesk_home: Path, spawn: Spawn
) -> None:
    dialog, _ = _dialog(qtbot, spawn)
    dialog.hub_form.editors["hub_url"].setText("nats://hub.example:4222")  # type: ignore[attr-defined]
    dialog.hub_form.editors["hub_tls_ca"].setText("/etc/linkdesk/team-ca.pem")  # type: ignore[attr-defined]
    dialog.hub_credentials.setText(TOKEN)
    with qtbot.waitSignal(dialog.applied):
        dialog.buttons.accepted.emit()
    assert Settings.load(default_paths()).get("hub_url") == "nats://hub.example:4222"
    assert Settings.load(default_paths()).get("hub_tls_ca") == "/etc/linkdesk/team-ca.pem"
    assert memory_keyring.store[(HUB_SECRET_SERVICE, HUB_SECRET_ACCOUNT)] == TOKEN
    assert dialog.hub_credentials.text() == ""
    for path in linkdesk_home.rglob("*"):
        if path.is_file():
            assert TOKEN not in path.read_text(errors="replace")


def test_a_hub_url_that_is_not_nats_is_explained_and_nothing_is_saved(
    qtbot: Any, memory_keyring: MemoryKeyring, spawn: Spawn
) -> None:
    dialog, settings = _dialog(qtbot, spawn)
    dialog.hub_form.editors["hub_url"].setText("https://hub.example")  # type: ignore[attr-defined]
    dialog.hub_credentials.setText(TOKEN)
    dialog.buttons.accepted.emit()
    assert "nats://" in dialog.error.text()
    assert settings.get("hub_url") == ""
    assert (HUB_SECRET_SERVICE, HUB_SECRET_ACCOUNT) not in memory_keyring.store


def test_the_status_bar_says_live_or_polling(qtbot: Any) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.set_calls_open(1)
    assert window.mode_label.text() == "Polling"
    assert window.mode_label.accessibleName() == "Tracking mode"
    window.set_tracking_status(status_text(True))
    assert window.mode_label.text() == "Live, team hub"
    window.set_tracking_status(status_text(False))
    assert window.mode_label.text() == "Polling"
    window.set_tracking_status(status_text(False, refused=True))  # up, but refusing webhooks
    assert window.mode_label.text() == (
        "Team hub up, but Codat's webhooks are being refused (check the hub's signing secret): "
        "polling"
    )


def test_the_status_bar_says_idle_when_no_call_is_open(qtbot: Any) -> None:
    """Nothing is polled without a call: "Polling" would say requests go out."""
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.mode_label.text() == "Idle: no call open"
    window.set_calls_open(2)
    assert window.mode_label.text() == "Polling"
    window.set_calls_open(0)
    assert window.mode_label.text() == "Idle: no call open"
    window.set_tracking_status(status_text(True))  # the hub's events come in, call or not
    assert window.mode_label.text() == "Live, team hub"
    window.set_tracking_status("Polling (the team hub refused the credentials)")
    assert window.mode_label.text() == "Polling (the team hub refused the credentials)"


def test_the_status_bar_shows_the_feeds_words_with_the_reason_it_polls(qtbot: Any) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.set_calls_open(1)
    for live in (True, False):
        window.set_tracking_status(status_text(live))
        assert window.mode_label.text() == status_text(live)
    window.set_tracking_status(status_text(False, "the team hub's TLS certificate is not trusted"))
    assert window.mode_label.text() == "Polling (the team hub's TLS certificate is not trusted)"


def test_sharing_company_names_with_the_team_is_off_until_ticked(
    qtbot: Any, memory_keyring: MemoryKeyring, linkdesk_home: Path, spawn: Spawn
) -> None:
    dialog, settings = _dialog(qtbot, spawn)
    share = dialog.hub_form.editors["team_share_company_names"]
    assert settings.get("team_share_company_names") is False
    assert not share.isChecked()  # type: ignore[attr-defined]
    share.setChecked(True)  # type: ignore[attr-defined]
    with qtbot.waitSignal(dialog.applied):
        dialog.buttons.accepted.emit()
    assert Settings.load(default_paths()).get("team_share_company_names") is True


def test_a_hub_url_holding_a_password_is_refused_and_nothing_is_saved(
    qtbot: Any, memory_keyring: MemoryKeyring, linkdesk_home: Path, spawn: Spawn
) -> None:
    dialog, settings = _dialog(qtbot, spawn)
    dialog.hub_form.editors["hub_url"].setText("nats://agent:pa55word@hub.example:4222")  # type: ignore[attr-defined]
    dialog.buttons.accepted.emit()
    assert "credentials" in dialog.error.text() and "keyring" in dialog.error.text()
    assert "pa55word" not in dialog.error.text()
    assert settings.get("hub_url") == ""
    assert Settings.load(default_paths()).get("hub_url") == ""
    for path in linkdesk_home.rglob("*"):
        if path.is_file():
            assert "pa55word" not in path.read_text(errors="replace")
