"""The Reports page's Team calls toggle: the team's calls and the Agents view with a team hub, a
plain explanation without one; reachable from the keyboard."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.core.stats.service import StatsService
from desktop.core.stats.team import TeamStatsService
from desktop.core.store import CallStore
from desktop.core.team.local_file import TeamFile
from desktop.core.team.subjects import STREAM, agent_token
from desktop.core.team.summary import TeamCall, build_summary, encode, parse_summary
from desktop.ui.reports import ReportsPage
from desktop.ui.reports.page import VIEWS
from tests.hub.team_kit import CAT, make_agent
from tests.ui.test_reports_page import rows
from tests.unit.stats.builders import Clock, build


def team_file_of_three_agents(root: Path) -> Path:
    """The three simulated agents' finished calls, as a read of the team stream stores them."""
    path = root / "team.sqlite3"
    calls: list[tuple[int, TeamCall]] = []
    for name in ("ana", "ben", "cat"):
        agent = make_agent(root, name)
        with CallStore(agent.paths.database, read_only=True) as store:
            for call_id in agent.finished():
                summary = build_summary(store, call_id)
                assert summary is not None
                token = agent_token(summary["agent"])
                calls.append((len(calls) + 1, parse_summary(encode(summary), token)))
    with TeamFile(path) as team:
        team.store(STREAM, calls, len(calls))
    return path


@pytest.fixture
def local(tmp_path: Path) -> Path:
    path = tmp_path / "calls.sqlite3"
    with CallStore(path, clock=Clock()) as store:
        build(store, store._clock)  # type: ignore[arg-type]
    return path


def make_page(qtbot: Any, local: Path, team: TeamStatsService | None) -> ReportsPage:
    page = ReportsPage(
        StatsService(local), lambda coro, name: asyncio.ensure_future(coro), team=team
    )
    qtbot.addWidget(page)
    page.resize(1366, 768)
    with qtbot.waitSignal(page.report_shown, timeout=10000):
        page.show()
    return page


def press_team(qtbot: Any, page: ReportsPage) -> None:
    """The keyboard's way: focus the toggle (it takes Tab focus) and press Space."""
    assert page.team.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert page.team.accessibleName().startswith("Team calls")
    page.team.setFocus()
    qtbot.keyClick(page.team, Qt.Key.Key_Space)


def test_without_a_team_hub_the_toggle_explains(qtbot: Any, qloop: Any, local: Path) -> None:
    page = make_page(qtbot, local, None)
    before = rows(page, "funnel")
    press_team(qtbot, page)
    assert page.team.isChecked()
    assert page.team_note.isVisible()
    assert "none is set up on this computer" in page.team_note.text()
    assert "Settings → Team hub" in page.team_note.text()
    assert not page.tabs.isTabVisible(VIEWS.index("agents"))
    assert rows(page, "funnel") == before  # still this computer's calls, said so
    press_team(qtbot, page)
    assert not page.team_note.isVisible()


def test_the_team_view_shows_every_agent(
    qtbot: Any, qloop: Any, local: Path, tmp_path: Path
) -> None:
    reads: list[bool] = []

    async def sync() -> str:
        reads.append(True)
        return "Team hub read: 6 new call(s), 6 in all."

    team = TeamStatsService(team_file_of_three_agents(tmp_path / "agents"), sync)
    page = make_page(qtbot, local, team)
    assert page.report is not None and (page.report.all.calls, page.report.all.open) == (5, 1)
    assert not page.tabs.isTabVisible(VIEWS.index("agents"))
    with qtbot.waitSignal(page.report_shown, timeout=10000):
        press_team(qtbot, page)
    assert reads == [True]
    # A, B, C (Ana), D (Ben), Cat's: finished calls only, the practice call E left out.
    assert (page.report.all.calls, page.report.all.open) == (5, 0)
    assert page.team_note.text() == "Team hub read: 6 new call(s), 6 in all."
    assert page.tabs.isTabVisible(VIEWS.index("agents"))
    assert rows(page, "agents") == [
        ["Ana", "3", "33%", "33%", "cancelled"],
        ["Ben", "1", "100%", "100%", "-"],
        [CAT, "1", "0%", "0%", "cancelled"],
    ]
    # Reached: A, B, C, D; passed: A, C, D; stopped: B (failed there) and Cat (never got there).
    assert rows(page, "funnel")[2] == ["3 Review and start", "4", "3", "2"]
    assert [page.agent.itemText(i) for i in range(page.agent.count())] == [
        "All agents",
        "Ana",
        "Ben",
        CAT,
    ]
    # A row of the Agents table lists that agent's calls; opening one shows its summary only.
    page.tabs.setCurrentIndex(VIEWS.index("agents"))
    with qtbot.waitSignal(page.calls_listed, timeout=10000):
        page.tables["agents"].itemActivated.emit(page.tables["agents"].item(1, 0))
    assert [r[2:] for r in rows(page, "behind")] == [["-", "QuickBooks Online", "-"]]
    page.open_call(0)
    qtbot.waitUntil(lambda: bool(page._dialogs), timeout=10000)
    text = page._dialogs[-1].text.toPlainText()  # type: ignore[attr-defined]
    assert "Agent: Ben" in text and "Kind: reconnection" in text
    # Back to this computer's calls.
    with qtbot.waitSignal(page.report_shown, timeout=10000):
        press_team(qtbot, page)
    assert (page.report.all.calls, page.report.all.open) == (5, 1) and not page.report.agents
    assert not page.tabs.isTabVisible(VIEWS.index("agents"))
    assert not page.team_note.isVisible()


def test_an_agent_chosen_here_but_not_in_the_team_is_dropped_and_refresh_rereads(
    qtbot: Any, qloop: Any, local: Path, tmp_path: Path
) -> None:
    reads: list[bool] = []

    async def sync() -> str:
        reads.append(True)
        return f"read {len(reads)}"

    team = TeamStatsService(team_file_of_three_agents(tmp_path / "agents"), sync)
    page = make_page(qtbot, local, team)
    qtbot.waitUntil(lambda: page.agent.findData("Sam") > 0, timeout=10000)
    with qtbot.waitSignal(page.report_shown, timeout=10000):
        page.agent.setCurrentIndex(page.agent.findData("Sam"))  # only on this computer
    with qtbot.waitSignal(page.report_shown, timeout=10000):
        page.team.setChecked(True)
    assert page.agent.currentData() is None and page.report is not None
    assert page.report.all.calls == 5
    with qtbot.waitSignal(page.report_shown, timeout=10000):
        page.refresh_button.click()  # within the 10 s a read is kept: read again all the same
    assert reads == [True, True] and page.team_note.text() == "read 2"


def _team_calls(root: Path, names: tuple[str, ...]) -> list[TeamCall]:
    """The named simulated agents' finished calls as the stream's reader parses them."""
    calls = []
    for name in names:
        agent = make_agent(root, name)
        with CallStore(agent.paths.database, read_only=True) as store:
            for call_id in agent.finished():
                summary = build_summary(store, call_id)
                assert summary is not None
                calls.append(parse_summary(encode(summary), agent_token(summary["agent"])))
    return calls


def _combo(combo: Any) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def test_the_first_hub_read_fills_the_agent_and_platform_choices(
    qtbot: Any, qloop: Any, local: Path, tmp_path: Path
) -> None:
    """The team file is empty until the hub is read: the choices come from after that read."""
    path = tmp_path / "team.sqlite3"
    batches = [_team_calls(tmp_path / "agents", ("ana", "ben", "cat"))]

    async def sync() -> str:
        calls = batches.pop(0) if batches else []
        with TeamFile(path) as team:
            team.store(STREAM, list(enumerate(calls, 1)), len(calls))
        return f"Team hub read: {len(calls)} new call(s)."

    page = make_page(qtbot, local, TeamStatsService(path, sync))
    with qtbot.waitSignal(page.report_shown, timeout=10000):
        press_team(qtbot, page)
    assert page.report is not None and page.report.all.calls == 5
    assert _combo(page.agent) == ["All agents", "Ana", "Ben", CAT]
    assert _combo(page.platform) == ["All platforms", "QuickBooks Online (qbo)", "Xero (xero)"]


def test_refresh_brings_the_new_agents_into_the_choices_and_keeps_the_one_chosen(
    qtbot: Any, qloop: Any, local: Path, tmp_path: Path
) -> None:
    path = tmp_path / "team.sqlite3"
    batches = [
        _team_calls(tmp_path / "first", ("ana",)),
        _team_calls(tmp_path / "second", ("ben", "cat")),
    ]
    seq = [0]

    async def sync() -> str:
        calls = batches.pop(0) if batches else []
        with TeamFile(path) as team:
            team.store(STREAM, [(seq[0] + n, c) for n, c in enumerate(calls, 1)], seq[0] + 9)
        seq[0] += 10
        return f"Team hub read: {len(calls)} new call(s)."

    page = make_page(qtbot, local, TeamStatsService(path, sync))
    with qtbot.waitSignal(page.report_shown, timeout=10000):
        press_team(qtbot, page)
    assert _combo(page.agent) == ["All agents", "Ana"]
    with qtbot.waitSignal(page.report_shown, timeout=10000):
        page.agent.setCurrentIndex(page.agent.findData("Ana"))
    with qtbot.waitSignal(page.report_shown, timeout=10000):
        page.refresh_button.click()  # F5: the hub read again within its 10 s
    assert _combo(page.agent) == ["All agents", "Ana", "Ben", CAT]
    assert page.agent.currentData() == "Ana"  # the agent's choice stays
    assert page.report is not None and page.report.all.calls == 3
