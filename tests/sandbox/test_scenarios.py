"""Scripted customers reach their end state on a fake clock, with no real waiting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx
import pytest

from desktop.sandbox.scenarios import NETSUITE_TBA_REASON, SCENARIOS, parse_scenario
from desktop.sandbox.server import SandboxServer
from tests.sandbox.conftest import FakeClock, client_for, new_company

Clients = tuple[httpx.Client, httpx.Client]


@contextmanager
def _clients(server: SandboxServer) -> Iterator[Clients]:
    with (
        client_for(server) as api,
        httpx.Client(base_url=server.base_url, trust_env=False) as control,
    ):
        yield api, control


def _run_to_end(
    api: httpx.Client, control: httpx.Client, clock: FakeClock, company_id: str, step: float = 2.0
) -> dict[str, Any]:
    """Poll like a tracker would until the autopilot is done and nothing is syncing."""
    for _ in range(5000):
        summary: dict[str, Any] = control.get(f"/_sandbox/companies/{company_id}").json()
        api.get(f"/companies/{company_id}/connections")
        if summary["scenario"] is None and summary["stage"] != "syncing":
            return summary
        clock.advance(step)
    raise AssertionError("the scenario never finished")


def _kinds(control: httpx.Client, company_id: str) -> list[str]:
    events = control.get("/_sandbox/events").json()["events"]
    return [e["kind"] for e in events if e["companyId"] == company_id]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_each_scenario_reaches_its_end_state(
    name: str, make_sandbox: Callable[..., SandboxServer], clock: FakeClock
) -> None:
    scenario = SCENARIOS[name]
    server = make_sandbox(scenario=name)
    with _clients(server) as (api, control):
        company = new_company(api)
        summary = _run_to_end(api, control, clock, company["id"])
        assert summary["stage"] == scenario.end_stage
        assert summary["connectionStatus"] == scenario.end_status
        connections = api.get(f"/companies/{company['id']}/connections").json()["results"]
        if scenario.end_status is None:
            assert connections == []
        else:
            statuses = [c["status"] for c in connections]
            assert statuses == [*scenario.earlier_connections, scenario.end_status]
            assert connections[-1]["integrationKey"] == scenario.default_platform
        kinds = _kinds(control, company["id"])
        assert kinds[:2] == ["company_created", "autopilot_started"]
        assert kinds.count("autopilot_finished") == 1 and "autopilot_stopped" not in kinds
        # Nothing further happens once the script has run.
        before = api.get(f"/companies/{company['id']}").json()
        clock.advance(3600)
        assert api.get(f"/companies/{company['id']}").json() == before


def test_scenario_details(make_sandbox: Callable[..., SandboxServer], clock: FakeClock) -> None:
    with ExitStack() as stack:
        _check_details(make_sandbox, clock, stack)


def _check_details(
    make_sandbox: Callable[..., SandboxServer], clock: FakeClock, stack: ExitStack
) -> None:
    def finished(name: str) -> tuple[httpx.Client, httpx.Client, str]:
        server = make_sandbox(scenario=name)
        api, control = stack.enter_context(_clients(server))
        company_id = new_company(api)["id"]
        clock.advance(10_000)  # one big jump: every due step still applies in order
        return api, control, company_id

    api, control, cid = finished("wrong-password")
    kinds = _kinds(control, cid)
    assert kinds.index("sign_in_failed") < kinds.index("linked")

    api, control, cid = finished("netsuite-no-tba")
    (conn,) = api.get(f"/companies/{cid}/connections").json()["results"]
    assert conn["platformName"] == "Oracle NetSuite"
    assert conn["dataConnectionErrors"][0]["errorMessage"] == NETSUITE_TBA_REASON

    api, control, cid = finished("sync-error")
    statuses = api.get(f"/companies/{cid}/dataStatus").json()
    assert statuses["billPayments"]["currentStatus"] == "FetchError"
    assert "latestSuccessfulSyncId" not in statuses["billPayments"]
    others = {k: v["currentStatus"] for k, v in statuses.items() if k != "billPayments"}
    assert set(others.values()) == {"Complete"}
    errored = [
        p for p in api.get(f"/companies/{cid}/data/history").json()["results"] if p["isErrored"]
    ]
    assert [p["dataType"] for p in errored] == ["billPayments"] and errored[0]["errorMessage"]

    api, control, cid = finished("xero-deauthorized")
    kinds = _kinds(control, cid)
    assert kinds.index("sync_complete") < kinds.index("deauthorized")
    (conn,) = api.get(f"/companies/{cid}/connections").json()["results"]
    assert conn["dataConnectionErrors"][-1]["statusCode"] == "401"

    api, control, cid = finished("stall-at-consent")
    (conn,) = api.get(f"/companies/{cid}/connections").json()["results"]
    assert conn["status"] == "PendingAuth" and conn["dataConnectionErrors"] == []


def _sync_span(control: httpx.Client, company_id: str) -> float:
    events = [
        e for e in control.get("/_sandbox/events").json()["events"] if e["companyId"] == company_id
    ]
    start = next(e["epoch"] for e in events if e["kind"] == "sync_started")
    end = next(e["epoch"] for e in events if e["kind"] == "sync_complete")
    return float(end - start)


def test_slow_sync_is_slower(make_sandbox: Callable[..., SandboxServer], clock: FakeClock) -> None:
    spans = {}
    for name in ("happy-path", "slow-sync"):
        server = make_sandbox(scenario=name)
        with _clients(server) as (api, control):
            cid = new_company(api)["id"]
            clock.advance(10_000)
            api.get(f"/companies/{cid}")
            spans[name] = _sync_span(control, cid)
    assert spans["slow-sync"] > 10 * spans["happy-path"]


def test_platform_option_and_speed(
    make_sandbox: Callable[..., SandboxServer], clock: FakeClock
) -> None:
    server = make_sandbox(scenario="happy-path:qhyg", speed=4.0)
    with client_for(server) as api:
        cid = new_company(api)["id"]
        # At speed 1 the selection comes 11 s in; at speed 4, under 3 s.
        clock.advance(3)
        (conn,) = api.get(f"/companies/{cid}/connections").json()["results"]
        assert conn["integrationKey"] == "qhyg" and conn["platformName"] == "QuickBooks Online"


def test_control_call_starts_a_scenario(sandbox: SandboxServer, clock: FakeClock) -> None:
    with _clients(sandbox) as (api, control):
        quiet = new_company(api, "Left alone")["id"]
        driven = new_company(api, "Driven")["id"]
        answer = control.post(
            f"/_sandbox/companies/{driven}/scenario", json={"scenario": "netsuite-no-tba"}
        )
        assert answer.status_code == 200
        summary = _run_to_end(api, control, clock, driven)
        assert summary["stage"] == "failed"
        assert api.get(f"/companies/{quiet}/connections").json()["totalResults"] == 0
        bad = control.post(f"/_sandbox/companies/{driven}/scenario", json={"scenario": "nope"})
        assert bad.status_code == 400 and "unknown scenario" in bad.json()["error"]


def test_autopilot_stops_when_a_person_interferes(sandbox: SandboxServer, clock: FakeClock) -> None:
    with _clients(sandbox) as (api, control):
        cid = new_company(api)["id"]
        control.post(f"/_sandbox/companies/{cid}/scenario", json={"scenario": "happy-path"})
        clock.advance(12)  # opened and selected
        control.post(f"/_sandbox/companies/{cid}/journey", json={"action": "cancel"})
        clock.advance(600)
        kinds = _kinds(control, cid)
        assert "autopilot_stopped" in kinds and "linked" not in kinds


def test_scenario_list(sandbox: SandboxServer) -> None:
    listed = httpx.get(f"{sandbox.base_url}/_sandbox/scenarios", trust_env=False).json()
    assert [s["name"] for s in listed["scenarios"]] == list(SCENARIOS)
    with pytest.raises(ValueError, match="unknown scenario"):
        parse_scenario("nope")
    with pytest.raises(ValueError, match="always uses"):
        parse_scenario("netsuite-no-tba:gbol")
