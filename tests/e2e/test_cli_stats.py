"""``linkdesk calls stats`` in its own process: text, JSON and CSV over a hand-built store."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from desktop.commands import exits
from desktop.core.paths import default_paths
from desktop.core.stats import compute_report
from desktop.core.store import CallStore
from tests.e2e.test_cli_calls import calls
from tests.unit.stats.builders import CALL_A, CALL_B, Clock, add_call, build


def seed(home: Path) -> Path:
    paths = default_paths({"LINKDESK_HOME": str(home)}).ensure()
    with CallStore(paths.database, clock=Clock()) as store:
        build(store, store._clock)  # type: ignore[arg-type]
    return paths.database


def test_json_is_the_report_of_the_store(linkdesk_home: Path) -> None:
    database = seed(linkdesk_home)
    out = calls("stats", "--json", home=linkdesk_home)
    assert out.returncode == 0, out.stderr
    printed = json.loads(out.stdout)
    with CallStore(database, read_only=True) as store:
        assert printed == json.loads(json.dumps(compute_report(store).to_json()))
    assert printed["all"]["calls"] == 5
    assert [f["stoppedHere"] for f in printed["all"]["funnel"]] == [0, 0, 1, 1, 0]
    assert printed["reconnections"]["calls"] == 1


def test_filters_reach_the_report(linkdesk_home: Path) -> None:
    seed(linkdesk_home)
    out = calls(
        "stats", "--json", "--platform", "xero", "--agent", "Ana", "--practice", home=linkdesk_home
    )
    assert out.returncode == 0, out.stderr
    printed = json.loads(out.stdout)
    assert printed["filters"]["platform"] == "xero" and printed["filters"]["practice"] is True
    assert printed["all"]["calls"] == 3  # A, B and the practice call E


def test_text_and_csv(linkdesk_home: Path) -> None:
    seed(linkdesk_home)
    out = calls("stats", home=linkdesk_home)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "All calls: 5 call(s), 1 open; of 4 closed, linked 2 (50%), synced 2 (50%)" in text
    assert "Reconnections: 1 call(s)" in text
    step4 = next(line for line in text.splitlines() if line.startswith("4 Sign in"))
    assert step4.split()[5:] == ["3", "2", "1", "1", "min", "40", "s", "5", "min", "00", "s"]
    qbo = next(line for line in text.splitlines() if line.startswith("QuickBooks"))
    assert qbo.split() == [
        "QuickBooks",
        "Online",
        "[qbo]",
        "2",
        "50%",
        "50%",
        "cancelled",
        "1,",
        "stalled",
        "1",
    ]
    out = calls("stats", "--csv", home=linkdesk_home)
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert {
        "group": "all",
        "section": "calls",
        "item": "",
        "measure": "calls",
        "value": "5",
    } in rows


def test_dates_are_local_days_both_included(linkdesk_home: Path) -> None:
    paths = default_paths({"LINKDESK_HOME": str(linkdesk_home)}).ensure()

    def at(day: str, hour: int) -> float:
        return datetime.fromisoformat(f"{day}T{hour:02d}:00").astimezone().timestamp()

    clock = Clock()
    with CallStore(paths.database, clock=clock) as store:
        for day in ("2026-11-01", "2026-11-02", "2026-11-03"):
            add_call(store, clock, replace(CALL_A, opened_at=at(day, 23), steps=[]))
            add_call(store, clock, replace(CALL_B, opened_at=at(day, 0), steps=[]))
    out = calls(
        "stats", "--json", "--since", "2026-11-02", "--until", "2026-11-02", home=linkdesk_home
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["all"]["calls"] == 2
    out = calls("stats", "--json", "--since", "2026-11-02", home=linkdesk_home)
    assert json.loads(out.stdout)["all"]["calls"] == 4


def test_bad_date_and_no_database(linkdesk_home: Path) -> None:
    out = calls("stats", "--since", "30/11/2026", home=linkdesk_home)
    assert out.returncode == exits.INPUT == 1  # unusable input, as the README's table says
    assert "'30/11/2026' is not a date like 2026-11-30" in out.stderr
    out = calls("stats", "--json", home=linkdesk_home)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["all"]["calls"] == 0
    assert not default_paths().database.exists()
    out = calls("stats", home=linkdesk_home)
    assert "No calls saved yet (practice calls count only with --practice)." in out.stdout
    assert "match" not in out.stdout  # no filter was given
    out = calls("stats", "--practice", home=linkdesk_home)
    assert out.stdout.splitlines()[-1] == "No calls saved yet."
    out = calls("stats", "--platform", "gbol", home=linkdesk_home)
    assert "No calls match these filters." in out.stdout


def test_filters_that_keep_no_saved_call_say_so(linkdesk_home: Path) -> None:
    seed(linkdesk_home)
    out = calls("stats", "--since", "2099-01-01", home=linkdesk_home)
    assert out.returncode == 0, out.stderr
    assert "No calls match these filters." in out.stdout
    assert "saved yet" not in out.stdout
