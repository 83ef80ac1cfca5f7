"""A practice call: the embedded sandbox, a scripted customer on autopilot, followed like a real call."""

from __future__ import annotations

import re
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
    assert re.fullmatch(r"Practice \d\d\.\d\d\.\d\d - Happy path", session.company_name)
    assert window.current_page() == "call"
    saved = shell.call_parts.store.get_call(session.call_id)
    assert saved.is_practice and saved.scenario == "happy-path:qhyg"  # recorded with the call
    qtbot.waitUntil(lambda: session.state.synced, timeout=60000)
    assert session.state.platform is not None and session.state.platform.key == "qhyg"
    assert session.state.linked


def test_cancel_at_selection_says_what_to_notice_and_the_stall_prompt_comes(
    qtbot: Any, make_shell: Any
) -> None:
    # The API never sees this customer; the stall prompt for step 1 comes after 3 s here.
    stall = {"1": 3, "2": 300, "3": 300, "4": 600, "5": 1800}
    running = make_shell(
        {"fast_interval": 0.5, "medium_interval": 1.0, "stall_seconds": stall},
        sandbox={"speed": 60.0},
    )
    window, shell = running.window, running.shell
    window.practice_action.trigger()
    qtbot.waitUntil(lambda: getattr(shell, "practice_dialog", None) is not None, timeout=10000)
    dialog: PracticeDialog = shell.practice_dialog
    names = [dialog.list.item(i).data(256).name for i in range(dialog.list.count())]
    dialog.list.setCurrentRow(names.index("cancel-at-selection"))
    dialog.buttons.accepted.emit()

    workspace = shell.call_workspace
    qtbot.waitUntil(lambda: workspace.current_view() is not None, timeout=10000)
    view = workspace.current_view()
    assert view is not None
    assert view.kind.isVisibleTo(view) and "cancel-at-selection" in view.kind.text()
    assert view.journey.hint.isVisibleTo(view) and "no connection" in view.journey.hint.text()
    qtbot.waitUntil(lambda: view.journey.stall.isVisibleTo(view), timeout=20000)
    assert "Ask whether the link opened" in view.journey.stall.text()
    text = workspace.export_text("text")
    assert text is not None and "sandbox scenario cancel-at-selection" in text
