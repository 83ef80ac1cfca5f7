"""The real shell with a team hub: a practice call (the embedded sandbox) is never followed
through the hub, whose events come from the team's Codat account only, so it keeps polling."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.core.store import ApiKind
from tests.conftest import run_in_qloop


def test_a_practice_call_is_not_followed_through_the_hub(make_shell: Any, nats_url: str) -> None:
    running = make_shell(settings={"hub_url": nats_url})
    parts = running.shell.call_parts
    assert parts.live is not None
    session = parts.manager.open_call("co-practice-1", "Harbour Bakery", "http://127.0.0.1/l")
    assert parts.manager.origin_of(session.company_id).api_kind is ApiKind.SANDBOX
    assert "co-practice-1" in parts.tracker.active
    assert not parts.live.serves("co-practice-1")
    parts.live.sync_with_tracker()
    assert not parts.live.feed.covers("co-practice-1", 0.0)
    assert "co-practice-1" not in parts.live.followed


@pytest.mark.expected_logs(r"Team hub not used: its URL in the settings holds a credential")
def test_a_saved_hub_url_holding_a_password_is_not_used_and_the_agent_is_told(
    make_shell: Any, qtbot: Any
) -> None:
    """Saved before Settings refused such URLs: nothing connects with it, and the status bar says
    why (without the URL, which holds the secret)."""
    running = make_shell(settings={"hub_url": "nats://agent:pa55word@127.0.0.1:4222"})
    assert running.shell.call_parts.live is None
    shown = running.window.mode_label.text()
    assert shown.startswith("Polling (the team hub URL in the settings holds a password")
    assert "pa55word" not in shown
    # Nor do the other parts that reach the hub use it: finished calls are not shared with it,
    # and the Team view's refresh says why instead of connecting.
    assert running.shell.call_parts.team is None
    team = running.shell._team_reports()
    said = run_in_qloop(qtbot, team.sync())
    assert said.startswith("Team hub not read: the team hub URL in the settings holds a password")
    assert "pa55word" not in said
