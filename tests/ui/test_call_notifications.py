"""A notification when a followed journey changes while LinkDesk is not the window in front."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QWidget

from tests.ui.call_workspace_kit import Kit, make_kit


def bring_to_front(qtbot: Any, widget: QWidget) -> None:
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget.window(), timeout=3000)


def test_notifies_with_company_and_change_when_window_is_behind(qtbot: Any, kit: Kit) -> None:
    session = kit.open_call("Harbour Bakery Ltd")
    other = QWidget()
    qtbot.addWidget(other)
    other.setWindowTitle("The customer's screen share")
    bring_to_front(qtbot, other)
    assert not kit.workspace.isActiveWindow()

    kit.platform_chosen(session)

    assert len(kit.notifier.shown) == 1
    title, message = kit.notifier.shown[0]
    assert "Harbour Bakery Ltd" in title
    assert message == session.summary()
    assert message.startswith("Step 3")  # the customer moved on to reviewing and starting


def test_no_notification_while_the_window_is_in_front(qtbot: Any, kit: Kit) -> None:
    session = kit.open_call("Harbour Bakery Ltd")
    bring_to_front(qtbot, kit.workspace)
    kit.platform_chosen(session)
    assert session.summary().startswith("Step 3")  # the change did reach the workspace
    assert kit.notifier.shown == []


def test_the_notify_setting_turned_off_stops_notifications(qtbot: Any, tmp_path: Path) -> None:
    from desktop.core.paths import default_paths
    from desktop.core.settings import Settings

    settings = Settings.load(default_paths({"LINKDESK_HOME": str(tmp_path / "home")}).ensure())
    settings.set("notify", False)  # unticked in Settings
    kit = make_kit(qtbot, tmp_path, notify_enabled=lambda: bool(settings.get("notify")))
    session = kit.open_call("Harbour Bakery Ltd")
    other = QWidget()
    qtbot.addWidget(other)
    bring_to_front(qtbot, other)

    kit.platform_chosen(session)
    assert session.summary().startswith("Step 3")  # the change did reach the workspace
    assert kit.notifier.shown == []

    settings.set("notify", True)  # ticked again: the next change is notified
    kit.clock.advance(30)
    session.confirm_step(3)
    assert len(kit.notifier.shown) == 1
    kit.store.close()
