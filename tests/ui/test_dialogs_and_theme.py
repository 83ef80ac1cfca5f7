from __future__ import annotations

from typing import Any

import keyring
from keyring.backends import fail
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from desktop.core.crash import build_report
from desktop.core.paths import default_paths
from desktop.core.secrets import SecretStore
from desktop.core.settings import Settings
from desktop.ui.about_dialog import AboutDialog
from desktop.ui.crash_dialog import show_crash
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.theme import apply_theme
from tests.ui.conftest import Spawn


def test_crash_dialog_is_non_blocking_and_copies_details(qtbot: Any) -> None:
    try:
        raise RuntimeError("the sandbox thread died")
    except RuntimeError as exc:
        report = build_report(exc, "unit test")
    dialog = show_crash(report)  # returns at once: nothing waits on it
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and not dialog.isModal()
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert "RuntimeError: the sandbox thread died" in copied and "Traceback" in copied
    assert dialog.copy_button.text() == "Copied"


def test_about_lists_the_versions(qtbot: Any) -> None:
    dialog = AboutDialog("tests.memkeyring.MemoryKeyring")
    qtbot.addWidget(dialog)
    text = dialog.versions.text()
    for word in ("LinkDesk", "Python", "PySide6", "Qt", "Keyring: tests.memkeyring.MemoryKeyring"):
        assert word in text


def test_light_and_dark_palettes_and_font_scale(qapp: QApplication) -> None:
    original_font = qapp.font()
    try:
        assert apply_theme(qapp, "light") == "light"
        light = qapp.palette().color(QPalette.ColorRole.Window).lightness()
        base_size = qapp.font().pointSizeF()
        assert apply_theme(qapp, "dark", font_scale=1.5) == "dark"
        dark = qapp.palette().color(QPalette.ColorRole.Window).lightness()
        assert light > 200 > 60 > dark
        assert abs(qapp.font().pointSizeF() - base_size * 1.5) < 0.01
        assert apply_theme(qapp, "system") in ("light", "dark")
    finally:
        apply_theme(qapp, "light")
        qapp.setFont(original_font)


def test_without_a_keyring_the_dialog_offers_session_only(qtbot: Any, spawn: Spawn) -> None:
    previous = keyring.get_keyring()
    # keyring's KeyringBackend.__init__ carries no annotations.
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        store = SecretStore()
        settings = Settings.load(default_paths().ensure())
        dialog = SettingsDialog(settings, store, "default", spawn)
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: "No usable keyring" in dialog.keyring_label.text(), timeout=5000)
        assert not dialog.session_only.isHidden() and dialog.session_only.isChecked()
        dialog.api_key.setText("sk_session_only_key")
        with qtbot.waitSignal(dialog.applied):
            dialog.buttons.accepted.emit()
        assert store.get("default") == "sk_session_only_key"
        assert store.is_session_only("default")
    finally:
        keyring.set_keyring(previous)
