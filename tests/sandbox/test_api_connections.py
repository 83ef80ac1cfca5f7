"""Connections and integrations over the Codat API paths."""

from __future__ import annotations

import httpx
import pytest

from desktop.sandbox.server import SandboxServer
from tests.sandbox.conftest import Journey, new_company

SPEND_INSIGHTS_KEYS = {
    "trji", "rqwd", "pbbf", "qudb", "fbrh", "vxvy", "pdvj", "akxx",
    "pqsw", "qhyg", "jcrp", "hbql", "tgff", "knfz", "rvam", "gbol",
}  # fmt: skip


def test_create_connection_is_pending_with_link_url(
    api: httpx.Client, sandbox: SandboxServer
) -> None:
    company = new_company(api)
    response = api.post(f"/companies/{company['id']}/connections", json={"platformKey": "akxx"})
    assert response.status_code == 200
    conn = response.json()
    assert conn["status"] == "PendingAuth"
    assert conn["integrationKey"] == "akxx" and conn["platformName"] == "Oracle NetSuite"
    assert conn["sourceType"] == "Accounting"
    assert conn["linkUrl"] == (
        f"{sandbox.base_url}/link/companies/{company['id']}/connections/{conn['id']}/start"
    )
    listed = api.get(f"/companies/{company['id']}/connections").json()
    assert [c["id"] for c in listed["results"]] == [conn["id"]]
    assert api.get(f"/companies/{company['id']}").json()["dataConnections"][0]["id"] == conn["id"]
    one = api.get(f"/companies/{company['id']}/connections/{conn['id']}").json()
    assert one == conn


@pytest.mark.parametrize("body", [{}, {"platformKey": "XERO"}, {"platformKey": 7}])
def test_create_connection_bad_body_is_400(api: httpx.Client, body: dict[str, object]) -> None:
    company = new_company(api)
    response = api.post(f"/companies/{company['id']}/connections", json=body)
    assert response.status_code == 400
    assert response.json()["validation"]["errors"][0]["itemId"] == "platformKey"


def test_create_connection_unknown_platform_is_404(api: httpx.Client) -> None:
    company = new_company(api)
    response = api.post(f"/companies/{company['id']}/connections", json={"platformKey": "zzzz"})
    assert response.status_code == 404
    assert "zzzz" in response.json()["error"]


def test_unknown_connection_is_404_in_codat_words(api: httpx.Client) -> None:
    company = new_company(api)
    missing = "a22dd66b-564a-4832-9b37-7b3ce4aeb7de"
    base = f"/companies/{company['id']}/connections/{missing}"
    for response in (
        api.get(base),
        api.delete(base),
        api.patch(base, json={"status": "Unlinked"}),
    ):
        assert response.status_code == 404
        assert response.json()["error"] == f"Data connection {missing} not found"


def test_unlink_only_linked(api: httpx.Client, control: httpx.Client) -> None:
    company = new_company(api)
    journey = Journey(control, company["id"])
    journey.do("open_link")
    conn_id = journey.do("select_platform", platformKey="gbol")["connectionId"]
    path = f"/companies/{company['id']}/connections/{conn_id}"
    refused = api.patch(path, json={"status": "Unlinked"})
    assert refused.status_code == 400
    assert (
        "Only Linked connections can be unlinked"
        in refused.json()["validation"]["errors"][0]["message"]
    )
    journey.do("consent")
    journey.do("approve")
    assert api.patch(path, json={"status": "Linked"}).status_code == 400
    unlinked = api.patch(path, json={"status": "Unlinked"})
    assert unlinked.status_code == 200
    assert unlinked.json()["status"] == "Unlinked"
    assert api.get(path).json()["status"] == "Unlinked"


def test_delete_connection(api: httpx.Client) -> None:
    company = new_company(api)
    conn = api.post(f"/companies/{company['id']}/connections", json={"platformKey": "gbol"}).json()
    path = f"/companies/{company['id']}/connections/{conn['id']}"
    response = api.delete(path)
    assert response.status_code == 200
    assert api.get(path).status_code == 404
    assert api.get(f"/companies/{company['id']}/connections").json()["totalResults"] == 0


def test_connection_query_and_order(api: httpx.Client) -> None:
    company = new_company(api)
    for key in ("qhyg", "gbol", "akxx"):
        api.post(f"/companies/{company['id']}/connections", json={"platformKey": key})
    path = f"/companies/{company['id']}/connections"
    found = api.get(path, params={"query": "integrationKey=gbol"}).json()["results"]
    assert [c["platformName"] for c in found] == ["Xero"]
    ordered = api.get(path, params={"orderBy": "platformName"}).json()["results"]
    assert [c["platformName"] for c in ordered] == ["Oracle NetSuite", "QuickBooks Online", "Xero"]
    assert api.get(path, params={"query": "status=="}).status_code == 400


def test_integrations_list_all_spend_insights_platforms(
    api: httpx.Client, sandbox: SandboxServer
) -> None:
    body = api.get("/integrations").json()
    keys = {i["key"] for i in body["results"]}
    assert keys == SPEND_INSIGHTS_KEYS | {"mqjo"}
    assert body["totalResults"] == 17
    for item in body["results"]:
        assert item["enabled"] is True and item["sourceType"] == "Accounting"
        assert item["logoUrl"] == f"{sandbox.base_url}/_sandbox/logos/{item['key']}.svg"
        assert item["isOfflineConnector"] is (item["key"] in ("pqsw", "hbql"))
    xero = api.get("/integrations/gbol").json()
    assert xero["name"] == "Xero"
    accounting = api.get("/integrations", params={"query": "sourceType=accounting&&enabled=true"})
    assert accounting.json()["totalResults"] == 17
    offline = api.get("/integrations", params={"query": "isOfflineConnector=true"}).json()
    assert sorted(i["key"] for i in offline["results"]) == ["hbql", "pqsw"]


def test_integration_branding_and_logo(api: httpx.Client, sandbox: SandboxServer) -> None:
    branding = api.get("/integrations/akxx/branding").json()
    src = branding["logo"]["square"]["image"]["src"]
    assert src == f"{sandbox.base_url}/_sandbox/logos/akxx.svg"
    logo = httpx.get(src, trust_env=False)
    assert logo.status_code == 200
    assert logo.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in logo.content and b"Oracle NetSuite" in logo.content
    assert api.get("/integrations/zzzz").status_code == 404
    assert api.get("/integrations/zzzz/branding").status_code == 404


def test_rate_limit_headers_on_every_answer(sandbox: SandboxServer, api: httpx.Client) -> None:
    company = new_company(api)
    answers = [
        api.get("/companies"),
        api.get(f"/companies/{company['id']}"),
        api.get("/companies/846ed55c-974b-4f7e-9f4d-0c5e5a2e6a11"),
        api.get("/integrations"),
        httpx.get(f"{sandbox.base_url}/companies", trust_env=False),  # 401
    ]
    remaining = []
    for response in answers:
        assert response.headers["X-Rate-Limit-Limit"] == "1000"
        assert response.headers["X-Rate-Limit-Reset"].startswith("2027-01-16T00:00:00")
        remaining.append(int(response.headers["X-Rate-Limit-Remaining"]))
    # Each authorised call costs one; the unauthorised one is free.
    assert remaining == [998, 997, 996, 995, 995]
