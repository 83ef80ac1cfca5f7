"""Settings refuses an http:// API base off this computer unless the agent insists; the choice is
kept per profile and read by the app's Codat client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop.app.context import AppContext
from desktop.core.codat import CodatError
from desktop.core.codat.errors import ErrorKind
from desktop.core.paths import default_paths
from desktop.core.secrets import SecretStore
from desktop.core.settings import Settings
from desktop.ui.settings_dialog import SettingsDialog
from tests.conftest import run_in_qloop
from tests.ui.conftest import Spawn


def test_http_base_refused_until_insisted_then_used(
    qtbot: Any, qloop: Any, linkdesk_home: Path, spawn: Spawn
) -> None:
    settings = Settings.load(default_paths().ensure())
    dialog = SettingsDialog(settings, SecretStore(), "default", spawn)
    qtbot.addWidget(dialog)
    dialog.api_base.setText("http://codat.internal.example:8080")
    dialog.buttons.accepted.emit()
    assert "unencrypted" in dialog.error.text()
    assert Settings.load(default_paths()).get("api_base") == "https://api.codat.io"  # not kept

    dialog.allow_insecure.setChecked(True)
    with qtbot.waitSignal(dialog.applied):
        dialog.buttons.accepted.emit()
    saved = Settings.load(default_paths())
    assert saved.get("api_base") == "http://codat.internal.example:8080"
    assert saved.get("allow_insecure_http") is True

    # The app's client reads the choice: with it the base is used, without it refused.
    SecretStore().set("default", "sk_test_key")
    ctx = AppContext(default_paths(), saved)
    run_in_qloop(qtbot, ctx.load_api_key())  # as the app does after its first frame
    try:
        client = run_in_qloop(qtbot, ctx.codat())
        assert client.base_url == "http://codat.internal.example:8080"
        saved.set("allow_insecure_http", False)
        with pytest.raises(CodatError) as refused:
            run_in_qloop(qtbot, ctx.codat())
        assert refused.value.kind is ErrorKind.REFUSED_URL
    finally:
        run_in_qloop(qtbot, ctx.aclose())
