"""The control API: the customer's journey as Codat's API shows it, ordering rules, the journal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from desktop.sandbox.server import SandboxServer
from desktop.sandbox.sync import SYNC_DATA_TYPES
from tests.sandbox.conftest import (
    START,
    FakeClock,
    Journey,
    auth_header,
    client_for,
    new_company,
)


def _events(control: httpx.Client, since: int = 0) -> list[dict[str, Any]]:
    body = control.get("/_sandbox/events", params={"since": since}).json()
    events: list[dict[str, Any]] = body["events"]
    return events


def _connection(api: httpx.Client, company_id: str) -> dict[str, Any]:
    results = api.get(f"/companies/{company_id}/connections").json()["results"]
    assert len(results) == 1
    conn: dict[str, Any] = results[0]
    return conn


def test_whole_journey_as_the_api_sees_it(
    api: httpx.Client, control: httpx.Client, clock: FakeClock
) -> None:
    company = new_company(api)
    journey = Journey(control, company["id"])

    clock.advance(10)
    opened = journey.do("open_link")
    assert opened["stage"] == "link_opened" and opened["connectionId"] is None
    assert opened["epoch"] == START + 10 and opened["time"].startswith("2027-01-15T08:00:10.")
    assert api.get(f"/companies/{company['id']}/connections").json()["totalResults"] == 0

    clock.advance(5)
    selected = journey.do("select_platform", platformKey="qhyg")
    conn = _connection(api, company["id"])
    assert conn["id"] == selected["connectionId"]
    assert conn["status"] == "PendingAuth" and conn["integrationKey"] == "qhyg"
    assert selected["connectionStatus"] == "PendingAuth"

    clock.advance(5)
    assert journey.do("consent")["stage"] == "consented"
    assert _connection(api, company["id"])["status"] == "PendingAuth"

    clock.advance(30)
    approved = journey.do("approve")
    assert approved["connectionStatus"] == "Linked" and approved["stage"] == "syncing"
    assert _connection(api, company["id"])["status"] == "Linked"

    finished = journey.do("complete_sync")
    assert finished["stage"] == "synced"
    statuses = api.get(f"/companies/{company['id']}/dataStatus").json()
    assert {s["currentStatus"] for s in statuses.values()} == {"Complete"}

    kinds = [e["kind"] for e in _events(control) if e["companyId"] == company["id"]]
    assert kinds[:6] == [
        "company_created", "link_opened", "connection_created", "consented", "linked",
        "sync_started",
    ]  # fmt: skip
    assert kinds[-1] == "sync_complete"
    linked = next(e for e in _events(control) if e["kind"] == "linked")
    assert linked["epoch"] == START + 50 and linked["connectionId"] == conn["id"]


def test_events_since_and_last(api: httpx.Client, control: httpx.Client) -> None:
    company = new_company(api)
    everything = control.get("/_sandbox/events").json()
    last = everything["last"]
    assert last == everything["events"][-1]["seq"]
    Journey(control, company["id"]).do("open_link")
    newer = control.get("/_sandbox/events", params={"since": last}).json()
    assert [e["kind"] for e in newer["events"]] == ["link_opened"]
    assert newer["last"] == last + 1
    assert control.get("/_sandbox/events", params={"since": "x"}).status_code == 400


@pytest.mark.parametrize(
    ("setup", "action", "params"),
    [
        ([], "select_platform", {"platformKey": "gbol"}),
        ([], "consent", {}),
        (["open_link"], "consent", {}),
        (["open_link"], "approve", {}),
        (["open_link", "select"], "approve", {}),
        ([], "deauthorize", {}),
        (["open_link", "select", "consent"], "deauthorize", {}),
        ([], "complete_sync", {}),
        ([], "cancel", {}),
        (["open_link", "select", "consent", "approve"], "approve", {}),
        (["open_link", "select", "consent", "approve"], "open_link", {}),
        (["open_link", "select", "consent", "approve", "complete_sync"], "complete_sync", {}),
        (["open_link"], "fail", {"reason": "nope"}),
    ],
)
def test_wrong_order_is_409_with_explanation(
    api: httpx.Client, control: httpx.Client, setup: list[str], action: str, params: dict[str, str]
) -> None:
    company = new_company(api)
    journey = Journey(control, company["id"])
    for step in setup:
        if step == "select":
            journey.do("select_platform", platformKey="gbol")
        else:
            journey.do(step)
    before = api.get(f"/companies/{company['id']}").json()
    refused = journey.do(action, expect=409, **params)
    assert isinstance(refused["error"], str) and action in refused["error"]
    assert api.get(f"/companies/{company['id']}").json() == before


def test_malformed_moves_are_400_and_unknown_company_404(
    api: httpx.Client, control: httpx.Client
) -> None:
    company = new_company(api)
    journey = Journey(control, company["id"])
    assert "unknown action" in journey.do("dance", expect=400)["error"]
    journey.do("open_link")
    assert "zzzz" in journey.do("select_platform", expect=400, platformKey="zzzz")["error"]
    journey.do("select_platform", platformKey="akxx")
    assert "reason" in journey.do("fail", expect=400)["error"]
    assert Journey(control, "nope").do("open_link", expect=404)["error"]
    bad = control.post(
        f"/_sandbox/companies/{company['id']}/journey",
        content=b"[1]",
        headers={"Content-Type": "application/json"},
    )
    assert bad.status_code == 400


def test_cancel_at_selection_leaves_no_connection(api: httpx.Client, control: httpx.Client) -> None:
    company = new_company(api)
    journey = Journey(control, company["id"])
    journey.do("open_link")
    answer = journey.do("cancel")
    assert answer["stage"] == "cancelled" and answer["connectionId"] is None
    assert api.get(f"/companies/{company['id']}/connections").json()["totalResults"] == 0


def test_cancel_after_selection_records_codat_cancel_error(
    api: httpx.Client, control: httpx.Client, clock: FakeClock
) -> None:
    company = new_company(api)
    journey = Journey(control, company["id"])
    journey.do("open_link")
    journey.do("select_platform", platformKey="gbol")
    journey.do("consent")
    clock.advance(7)
    journey.do("cancel")
    conn = _connection(api, company["id"])
    assert conn["status"] == "PendingAuth"
    (error,) = conn["dataConnectionErrors"]
    assert error["statusCode"] == "403"
    assert error["statusText"] == "User cancelled linking"
    assert error["errorMessage"] == "User cancelled"
    assert error["status"] == "Active"
    assert error["erroredOnUtc"].startswith("2027-01-15T08:00:07.")

    # The customer comes back later and finishes on the same connection.
    journey.do("open_link")
    again = journey.do("select_platform", platformKey="gbol")
    assert again["connectionId"] == conn["id"]
    journey.do("consent")
    journey.do("approve")
    conn = _connection(api, company["id"])
    assert conn["status"] == "Linked"
    assert conn["dataConnectionErrors"][0]["status"] == "Resolved"
    assert "resolvedOnUtc" in conn["dataConnectionErrors"][0]


def test_fail_carries_the_reason(api: httpx.Client, control: httpx.Client) -> None:
    company = new_company(api)
    journey = Journey(control, company["id"])
    journey.do("open_link")
    journey.do("select_platform", platformKey="akxx")
    answer = journey.do("fail", reason="Token-based Authentication is off")
    assert answer["stage"] == "failed"
    conn = _connection(api, company["id"])
    assert conn["status"] == "PendingAuth"
    assert conn["dataConnectionErrors"][0]["errorMessage"] == "Token-based Authentication is off"
    assert conn["dataConnectionErrors"][0]["status"] == "Active"


def test_deauthorize_after_linking(api: httpx.Client, control: httpx.Client) -> None:
    company = new_company(api)
    journey = Journey(control, company["id"])
    for step in ("open_link", "select", "consent", "approve"):
        if step == "select":
            journey.do("select_platform", platformKey="gbol")
        else:
            journey.do(step)
    answer = journey.do("deauthorize")
    assert answer["stage"] == "deauthorized" and answer["connectionStatus"] == "Deauthorized"
    conn = _connection(api, company["id"])
    assert conn["status"] == "Deauthorized"
    assert conn["dataConnectionErrors"][-1]["statusCode"] == "401"
    # The interrupted first sync ends with an auth error rather than running on.
    history = api.get(f"/companies/{company['id']}/data/history").json()["results"]
    assert {p["status"] for p in history} <= {"AuthError", "Complete"}
    assert all(p["isCompleted"] or p["isErrored"] for p in history)


def _link(journey: Journey, platform: str = "gbol") -> str:
    journey.do("open_link")
    conn_id: str = journey.do("select_platform", platformKey=platform)["connectionId"]
    journey.do("consent")
    journey.do("approve")
    return conn_id


def test_first_sync_progresses_with_the_clock(
    api: httpx.Client, control: httpx.Client, clock: FakeClock
) -> None:
    company = new_company(api)
    journey = Journey(control, company["id"])
    conn_id = _link(journey)
    linked_at = clock.now
    path = f"/companies/{company['id']}"

    statuses = api.get(f"{path}/dataStatus").json()
    assert set(statuses) == set(SYNC_DATA_TYPES)
    assert {s["currentStatus"] for s in statuses.values()} == {"Queued"}
    history = api.get(f"{path}/data/history").json()
    assert history["totalResults"] == len(SYNC_DATA_TYPES)
    assert all(p["progress"] == 0 and not p["isCompleted"] for p in history["results"])
    assert all(p["connectionId"] == conn_id for p in history["results"])
    assert "lastSync" not in api.get(path).json()

    seen_fetching = set()
    seen_progress: dict[str, list[int]] = {}
    for _ in range(120):
        clock.advance(0.5)
        for pull in api.get(f"{path}/data/history").json()["results"]:
            seen_progress.setdefault(pull["dataType"], []).append(pull["progress"])
            if pull["status"] == "Fetching":
                seen_fetching.add(pull["dataType"])
                assert 0 < pull["progress"] < 100
    assert seen_fetching == set(SYNC_DATA_TYPES)
    for values in seen_progress.values():
        assert values == sorted(values) and values[-1] == 100

    statuses = api.get(f"{path}/dataStatus").json()
    assert {s["currentStatus"] for s in statuses.values()} == {"Complete"}
    for status in statuses.values():
        assert status["latestSuccessfulSyncId"] == status["latestSyncId"]
        assert "lastSuccessfulSync" in status
    company_now = api.get(path).json()
    assert company_now["lastSync"] == company_now["dataConnections"][0]["lastSync"]
    one = history["results"][0]
    single = api.get(f"{path}/data/history/{one['id']}").json()
    assert single["isCompleted"] is True and single["progress"] == 100

    done = [e for e in _events(control) if e["kind"] in ("pull_complete", "sync_complete")]
    # Journal times are when each pull was due to finish, not when someone looked.
    assert all(linked_at < e["epoch"] <= clock.now for e in done)
    assert len({e["epoch"] for e in done if e["kind"] == "pull_complete"}) > 1


def test_pull_history_query(api: httpx.Client, control: httpx.Client) -> None:
    company = new_company(api)
    _link(Journey(control, company["id"]))
    path = f"/companies/{company['id']}/data/history"
    bills = api.get(path, params={"query": "dataType=bills"}).json()["results"]
    assert [p["dataType"] for p in bills] == ["bills"]
    refused = api.get(path, params={"query": "isCompleted=true"})
    assert refused.status_code == 400
    assert "Could not resolve property isCompleted on Dataset" in refused.json()["error"]
    missing = api.get(f"{path}/97d60846-f07a-4d42-b5a0-0bdcc6ebf56b")
    assert missing.status_code == 404


def test_complete_sync_finishes_at_once(
    api: httpx.Client, control: httpx.Client, clock: FakeClock
) -> None:
    company = new_company(api)
    journey = Journey(control, company["id"])
    _link(journey)
    clock.advance(3)
    journey.do("complete_sync")
    history = api.get(f"/companies/{company['id']}/data/history").json()["results"]
    assert all(p["status"] == "Complete" and p["progress"] == 100 for p in history)
    assert {p["completed"] for p in history} == {history[0]["completed"]}


def test_speed_scales_the_sync(
    make_sandbox: Callable[..., SandboxServer], clock: FakeClock
) -> None:
    def sync_seconds(speed: float) -> float:
        server = make_sandbox(speed=speed)
        with (
            client_for(server) as api,
            httpx.Client(base_url=server.base_url, headers=auth_header(), trust_env=False) as ctl,
        ):
            company = new_company(api)
            start = clock.now
            _link(Journey(ctl, company["id"]))
            while True:
                statuses = api.get(f"/companies/{company['id']}/dataStatus").json()
                if all(s["currentStatus"] == "Complete" for s in statuses.values()):
                    return clock.now - start
                clock.advance(0.25)

    normal, fast = sync_seconds(1.0), sync_seconds(10.0)
    assert fast * 8 < normal < fast * 12


def test_refresh_all_queues_a_new_pull_per_type(api: httpx.Client, control: httpx.Client) -> None:
    company = new_company(api)
    journey = Journey(control, company["id"])
    _link(journey)
    journey.do("complete_sync")
    before = api.get(f"/companies/{company['id']}/dataStatus").json()
    response = api.post(f"/companies/{company['id']}/data/all")
    assert response.status_code == 204
    history = api.get(f"/companies/{company['id']}/data/history").json()
    assert history["totalResults"] == 2 * len(SYNC_DATA_TYPES)
    after = api.get(f"/companies/{company['id']}/dataStatus").json()
    for data_type, status in after.items():
        assert status["currentStatus"] == "Queued"
        assert status["latestSyncId"] != before[data_type]["latestSyncId"]
        assert status["latestSuccessfulSyncId"] == before[data_type]["latestSuccessfulSyncId"]


def test_company_summary(api: httpx.Client, control: httpx.Client) -> None:
    company = new_company(api)
    Journey(control, company["id"]).do("open_link")
    summary = control.get(f"/_sandbox/companies/{company['id']}").json()
    assert summary["stage"] == "link_opened" and summary["scenario"] is None
    assert control.get("/_sandbox/companies/nope").status_code == 404
