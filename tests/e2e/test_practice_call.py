"""A practice call: the embedded sandbox, a scripted customer on autopilot, followed like a real call."""

from __future__ import annotations

from typing import Any

from desktop.core.practice import Scenario
from desktop.ui.practice_dialog import PracticeDialog


def test_practice_call_runs_a_scenario_to_the_end(qtbot: Any, make_shell: Any) -> None:
    # A fast simulated customer: the scenario's minutes pass in seconds.
    running = make_shell({"fast_interval": 0.5, "medium_interval": 1.0}, sandbox={"speed": 60.0})
    window, shell = running.window, running.shell

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
    saved = shell.call_parts.store.get_call(session.call_id)
    assert saved.is_practice and saved.scenario == "happy-path:qhyg"  # recorded with the call
    qtbot.waitUntil(lambda: session.state.synced, timeout=60000)
    assert session.state.platform is not None and session.state.platform.key == "qhyg"
    assert session.state.linked
