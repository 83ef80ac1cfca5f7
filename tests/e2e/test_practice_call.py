"""A practice call: the embedded sandbox, a scripted customer on autopilot, followed like a real call."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication

from desktop.context import AppContext
from desktop.core.paths import default_paths
from desktop.core.practice import Scenario
from desktop.core.settings import Settings
from desktop.ui.main_window import MainWindow
from desktop.ui.practice_dialog import PracticeDialog
from desktop.ui.shell import Shell
from tests.conftest import run_in_qloop


def test_practice_call_runs_a_scenario_to_the_end(qtbot: Any, qloop: Any) -> None:
    paths = default_paths().ensure()
    settings = Settings.load(paths)
    settings.set("fast_interval", 0.5)
    settings.set("medium_interval", 1.0)
    ctx = AppContext(paths, settings, force_sandbox=True)
    window = MainWindow()
    qtbot.addWidget(window)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    shell = Shell(app, ctx, window)
    # A fast simulated customer: the scenario's minutes pass in seconds.
    run_in_qloop(qtbot, ctx.ensure_sandbox(speed=60.0))
    shell.start()
    try:
        window.practice_action.trigger()
        qtbot.waitUntil(lambda: getattr(shell, "practice_dialog", None) is not None, timeout=10000)
        dialog: PracticeDialog = shell.practice_dialog
        names = [dialog.list.item(i).data(256).name for i in range(dialog.list.count())]
        assert {"happy-path", "netsuite-no-tba", "cancel-at-selection"} <= set(names)
        dialog.list.setCurrentRow(names.index("happy-path"))
        assert dialog.platform.isEnabled()
        dialog.platform.setCurrentIndex(dialog.platform.findData("qhyg"))
        with qtbot.waitSignal(dialog.chosen) as blocker:
            dialog.buttons.accepted.emit()
        scenario, platform = blocker.args
        assert isinstance(scenario, Scenario) and platform == "qhyg"

        manager = shell.call_parts.manager
        qtbot.waitUntil(lambda: len(manager.sessions) == 1, timeout=10000)
        session = next(iter(manager.sessions.values()))
        assert session.company_name.startswith("Practice happy path")
        assert window.current_page() == "call"
        qtbot.waitUntil(lambda: session.state.synced, timeout=60000)
        assert session.state.platform is not None and session.state.platform.key == "qhyg"
        assert session.state.linked
    finally:
        run_in_qloop(qtbot, ctx.aclose(), timeout=20000)
