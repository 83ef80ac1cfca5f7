"""Reports computed from hand-built stores, every figure known in advance (see builders.py)."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TypedDict, Unpack

import pytest

from desktop.core.stats import UNKNOWN_PLATFORM, Behind, StatsFilter, calls_behind

# From its own module: the package imports it on first use (numpy), which mypy reads as Any.
from desktop.core.stats.compute import compute_report, outcome_key
from desktop.core.store import MIGRATIONS, CallStore
from tests.unit.stats.builders import CALL_A, CALL_B, Clock, add_call, build


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[CallStore]:
    with CallStore(tmp_path / "calls.sqlite3", clock=clock) as s:
        yield s


@pytest.fixture
def ids(store: CallStore, clock: Clock) -> dict[str, int]:
    return build(store, clock)


def test_empty_store_has_zeroes_and_no_rates(store: CallStore) -> None:
    report = compute_report(store)
    assert report.all.calls == 0
    assert report.all.linked_rate is None
    assert [t.median for t in report.all.step_times] == [None] * 5
    assert report.platforms == ()
    assert report.to_json()["all"]["funnel"][0]["reached"] == 0


def test_calls_outcomes_and_completion(store: CallStore, ids: dict[str, int]) -> None:
    everything = compute_report(store).all
    assert (everything.calls, everything.open) == (5, 1)  # the practice call E is left out
    assert dict(everything.outcomes) == {"synced": 1, "retry": 1, "escalated": 1, "unrecorded": 1}
    # A passed step 5; D passed steps 4 and 5 without an outcome recorded.
    assert (everything.linked, everything.synced) == (2, 2)
    assert everything.linked_rate == everything.synced_rate == 0.5


def test_funnel_reached_passed_and_where_calls_stopped(
    store: CallStore, ids: dict[str, int]
) -> None:
    funnel = compute_report(store).all.funnel
    assert [f.reached for f in funnel] == [5, 4, 4, 3, 2]
    assert [f.passed for f in funnel] == [4, 4, 3, 2, 2]
    assert [f.stopped_here for f in funnel] == [0, 0, 1, 1, 0]  # B on step 3, C on step 4
    assert funnel[3].title == "Sign in and approve"


def test_median_and_p90_per_step_are_nearest_rank(store: CallStore, ids: dict[str, int]) -> None:
    times = compute_report(store).all.step_times
    assert [(t.count, t.median, t.p90) for t in times] == [
        (3, 60.0, 90.0),  # 60, 30, 90
        (3, 20.0, 40.0),  # 40, 20, 10
        (2, 10.0, 100.0),  # 100 (from step 2's end), 10
        (2, 100.0, 300.0),  # 300, 100 (from skipped step 3)
        (2, 300.0, 600.0),
    ]


def test_problems_ranked_counting_each_call_once(store: CallStore, ids: dict[str, int]) -> None:
    report = compute_report(store)
    assert [(p.key, p.calls, p.share) for p in report.all.problems] == [
        ("cancelled", 1, 0.2),
        ("connection_error", 1, 0.2),
        ("stalled", 1, 0.2),
    ]
    qbo = report.platform("qbo")
    assert qbo is not None
    assert [(p.key, p.calls, p.share) for p in qbo.problems] == [
        ("cancelled", 1, 0.5),
        ("stalled", 1, 0.5),
    ]


def test_per_platform_most_calls_first_unknown_last(store: CallStore, ids: dict[str, int]) -> None:
    report = compute_report(store)
    assert [(g.platform_key, g.platform_name, g.calls) for g in report.platforms] == [
        ("qbo", "QuickBooks Online", 2),
        ("xero", "Xero", 2),
        (None, None, 1),
    ]
    xero = report.platform("xero")
    assert xero is not None
    assert [t.median for t in xero.step_times] == [30.0, 20.0, 100.0, 300.0, 600.0]
    assert xero.linked == 1 and xero.linked_rate == 0.5
    qbo = report.platform("qbo")
    assert qbo is not None
    assert [t.count for t in qbo.step_times] == [1, 1, 1, 1, 1]
    assert [t.median for t in qbo.step_times] == [90.0, 10.0, 10.0, 100.0, 300.0]


def test_reconnections_apart_from_first_connections(store: CallStore, ids: dict[str, int]) -> None:
    report = compute_report(store)
    assert report.first_connections.calls == 4
    assert report.reconnections.calls == 1
    assert report.reconnections.synced == 1
    assert [t.count for t in report.reconnections.step_times] == [0, 0, 0, 1, 1]
    assert [t.median for t in report.first_connections.step_times][3:] == [300.0, 600.0]


class Filters(TypedDict, total=False):
    """``StatsFilter``'s fields, as keywords."""

    since: float
    until: float
    platform: str
    agent: str
    practice: bool


def test_filters_agent_platform_dates_and_practice(store: CallStore, ids: dict[str, int]) -> None:
    def count(**kw: Unpack[Filters]) -> int:
        return compute_report(store, StatsFilter(**kw)).all.calls

    assert count(agent="Ana") == 3
    assert count(agent="Ana", practice=True) == 4
    assert count(practice=True) == 6
    assert count(platform="xero") == 2
    assert count(since=5_000, until=20_000) == 2  # B and C; until is left out
    assert count(agent="Nobody") == 0
    practice = compute_report(store, StatsFilter(practice=True, platform="xero"))
    assert dict(practice.all.outcomes)["linked"] == 1


def test_calls_behind_a_figure(store: CallStore, ids: dict[str, int]) -> None:
    everyone = StatsFilter()

    def behind(**kw: object) -> list[int]:
        return [c.id for c in calls_behind(store, everyone, Behind(**kw))]  # type: ignore[arg-type]

    assert behind(problem="cancelled") == [ids["C"]]
    assert behind(problem="cancel") == []  # whole keys only
    assert behind(platform_key="xero") == [ids["B"], ids["A"]]  # newest first
    assert behind(platform_key=UNKNOWN_PLATFORM) == [ids["F"]]
    assert behind(stopped_at=3) == [ids["B"]]
    assert behind(stopped_at=4) == [ids["C"]]
    assert behind(reconnection=True) == [ids["D"]]
    with_practice = calls_behind(store, StatsFilter(practice=True), Behind(platform_key="xero"))
    assert [c.id for c in with_practice] == [ids["E"], ids["B"], ids["A"]]


def test_json_and_csv_carry_the_same_figures(store: CallStore, ids: dict[str, int]) -> None:
    report = compute_report(store, StatsFilter(since=0.0))
    shape = report.to_json()
    assert shape["filters"] == {
        "since": "1970-01-01T00:00:00.000Z",
        "until": None,
        "platform": None,
        "agent": None,
        "practice": False,
    }
    assert shape["all"]["outcomes"] == {
        "linked": 0,
        "synced": 1,
        "retry": 1,
        "escalated": 1,
        "other": 0,
        "unrecorded": 1,
    }
    assert shape["platforms"][0]["platformKey"] == "qbo"
    assert shape["reconnections"]["calls"] == 1
    assert shape["all"]["stepSeconds"][4] == {
        "step": 5,
        "title": "Complete and first sync",
        "count": 2,
        "median": 300.0,
        "p90": 600.0,
    }
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    lookup = {(r["group"], r["section"], r["item"], r["measure"]): r["value"] for r in rows}
    assert lookup[("all", "calls", "", "calls")] == "5"
    assert lookup[("platform:xero", "problems", "connection_error", "share")] == "0.5"
    assert lookup[("all", "funnel", "3 Review and start", "stoppedHere")] == "1"
    assert lookup[("platform:unknown", "calls", "", "open")] == "1"


def test_outcome_words_map_to_keys() -> None:
    assert outcome_key("Linked") == "linked"
    assert outcome_key("Linked and first sync done") == "synced"
    assert outcome_key("Other") == "other"
    assert outcome_key("Something new") == "other"
    assert outcome_key(None) == "unrecorded"


def test_agent_and_reconnection_saved_with_the_call(store: CallStore, clock: Clock) -> None:
    call_id = add_call(store, clock, CALL_A)
    call = store.get_call(call_id)
    assert (call.agent, call.reconnection) == ("Ana", False)
    blank = store.open_call(company_id="x", company_name="X", profile="p", agent="")
    assert blank.agent is None


def test_upgrade_replays_old_timelines_into_the_facts(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "old.sqlite3"
    with CallStore(path, clock=clock, migrations=MIGRATIONS[:1]) as old:
        for spec in (CALL_A, CALL_B):
            # The version-1 calls table, as the app of then wrote it.
            call_id = old._conn.execute(
                "INSERT INTO calls (company_id, company_name, platform_key, profile, api_kind,"
                " opened_at) VALUES ('c', 'C', ?, 'p', 'codat', ?)",
                (spec.platform, spec.opened_at),
            ).lastrowid
            assert call_id is not None
            for t, step, status in spec.steps:
                old.add_event(call_id, t, "step", "s", step=step, status=status)
            for t, key in spec.problems:
                old.add_event(call_id, t, "problem", "p", problem_key=key)
            old.close_call(call_id, spec.outcome)
        old_ids = [r[0] for r in old._conn.execute("SELECT id FROM events ORDER BY id")]
    with CallStore(path, clock=clock) as upgraded:
        report = compute_report(upgraded)
        assert [r[0] for r in upgraded.read("SELECT id FROM events ORDER BY id")] == old_ids
    assert [t.median for t in report.all.step_times] == [30.0, 20.0, 100.0, 300.0, 600.0]
    assert [p.key for p in report.all.problems] == ["connection_error"]
    assert report.all.funnel[2].stopped_here == 1
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert raw.execute("SELECT count(*) FROM sqlite_temp_master").fetchone()[0] == 0
    finally:
        raw.close()


def _alike_but_agents(store: CallStore, clock: Clock) -> None:
    """Calls alike in everything but their agent (one cell each by agent), and a few that differ."""
    from tests.unit.stats.builders import CallSpec, done

    for n, agent in enumerate(("Ana", "Ben", None, "Ana", "Cát O'Neil")):
        at = 1_000.0 + n * 100
        add_call(store, clock, CallSpec(at, "xero", agent, steps=done(at + 1, 1, 2, 3, 4, 5)))
        add_call(store, clock, CallSpec(at + 50, "qbo", agent, reconnection=True,
                                        steps=done(at + 52, 1, 2), problems=[(at + 60, "mfa")]))  # fmt: skip
    add_call(store, clock, CallSpec(2_000.0, "xero", "Ben", steps=done(2_001.0, 1)))


@pytest.mark.parametrize("team_file", [False, True], ids=["call database", "team file"])
def test_by_agent_counts_the_other_groups_as_without_it(
    tmp_path: Path, clock: Clock, team_file: bool
) -> None:
    path = tmp_path / "calls.sqlite3"
    with CallStore(path, clock=clock) as store:
        _alike_but_agents(store, clock)
    if team_file:  # its own index groups by agent first: the same answers
        from desktop.core.team.local_file import TeamFile

        TeamFile(path).close()
    with CallStore(path, read_only=True) as store:
        plain = compute_report(store)
        by_agent = compute_report(store, by_agent=True)
    assert by_agent.all == plain.all
    assert by_agent.first_connections == plain.first_connections
    assert by_agent.reconnections == plain.reconnections
    assert by_agent.platforms == plain.platforms
    assert plain.all.calls == 11
    assert [(g.agent, g.calls) for g in by_agent.agents] == [
        ("", 2), ("Ana", 4), ("Ben", 3), ("Cát O'Neil", 2)
    ]  # fmt: skip
    assert sum(g.linked for g in by_agent.agents) == plain.all.linked == 5
