"""The control API's later-life actions: reauthorize, unlink, sync_status; and the data status of
data types never synced or not supported, as Codat's docs show them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from desktop.sandbox.journey import DATASET_STATUSES
from tests.sandbox.conftest import FakeClock, Journey, new_company


def _linked(api: httpx.Client, control: httpx.Client) -> tuple[Journey, str]:
    company = new_company(api)
    journey = Journey(control, company["id"])
    journey.do("open_link")
    journey.do("select_platform", platformKey="gbol")
    journey.do("consent")
    journey.do("approve")
    return journey, company["id"]


def _connections(api: httpx.Client, company_id: str) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = api.get(f"/companies/{company_id}/connections").json()[
        "results"
    ]
    return results


@pytest.mark.parametrize("loss", ["deauthorize", "unlink"])
def test_reauthorize_links_the_same_connection_again_and_syncs(
    api: httpx.Client, control: httpx.Client, clock: FakeClock, loss: str
) -> None:
    journey, company_id = _linked(api, control)
    before = _connections(api, company_id)[0]["id"]
    journey.do(loss)
    assert _connections(api, company_id)[0]["status"] in ("Deauthorized", "Unlinked")
    answer = journey.do("reauthorize")
    assert answer["connectionStatus"] == "Linked"
    conns = _connections(api, company_id)
    assert [c["id"] for c in conns] == [before] and conns[0]["status"] == "Linked"
    assert all(e["status"] == "Resolved" for e in conns[0]["dataConnectionErrors"])
    events = control.get("/_sandbox/events").json()["events"]
    kinds = [e["kind"] for e in events if e["companyId"] == company_id]
    assert kinds.count("reconnected") == 1 and kinds.count("sync_started") == 2


def test_reauthorize_and_unlink_are_409_out_of_order(
    api: httpx.Client, control: httpx.Client
) -> None:
    company = new_company(api)
    journey = Journey(control, company["id"])
    assert "Deauthorized or Unlinked" in journey.do("reauthorize", expect=409)["error"]
    assert "needs a connection" in journey.do("unlink", expect=409)["error"]
    journey, _ = _linked(api, control)
    assert "Deauthorized or Unlinked" in journey.do("reauthorize", expect=409)["error"]
    journey.do("unlink")
    assert "Only Linked" in journey.do("unlink", expect=409)["error"]


@pytest.mark.parametrize("status", DATASET_STATUSES)
def test_sync_status_sets_any_of_codats_21_statuses(
    api: httpx.Client, control: httpx.Client, status: str
) -> None:
    journey, company_id = _linked(api, control)
    journey.do("sync_status", dataType="bills", status=status)
    data = api.get(f"/companies/{company_id}/dataStatus").json()
    assert data["bills"]["currentStatus"] == status
    history = api.get(f"/companies/{company_id}/data/history").json()["results"]
    bills = [p for p in history if p["dataType"] == "bills"]
    assert bills[-1]["status"] == status
    assert bills[-1]["isErrored"] is (status not in ("Complete", "NotSupported"))


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({}, "dataType"),
        ({"dataType": "bills"}, "must be one of"),
        ({"dataType": "bills", "status": "Done"}, "must be one of"),
        ({"dataType": "", "status": "Complete"}, "dataType"),
        ({"dataType": "bills", "status": "FetchError", "errorMessage": 3}, "errorMessage"),
    ],
)
def test_sync_status_is_validated(
    api: httpx.Client, control: httpx.Client, params: dict[str, Any], words: str
) -> None:
    journey, _ = _linked(api, control)
    assert words in journey.do("sync_status", expect=400, **params)["error"]


def test_a_data_type_with_no_pull_gets_one(api: httpx.Client, control: httpx.Client) -> None:
    journey, company_id = _linked(api, control)
    journey.do("sync_status", dataType="purchaseOrders", status="NotSupported")
    data = api.get(f"/companies/{company_id}/dataStatus").json()
    assert data["purchaseOrders"]["currentStatus"] == "NotSupported"


def test_deauthorize_takes_a_reason(api: httpx.Client, control: httpx.Client) -> None:
    journey, company_id = _linked(api, control)
    journey.do("deauthorize", reason="The connector removed itself.")
    error = _connections(api, company_id)[0]["dataConnectionErrors"][-1]
    assert error["errorMessage"] == "The connector removed itself."
    journey.do("reauthorize")
    assert journey.do("deauthorize", expect=400, reason="  ")["error"]
