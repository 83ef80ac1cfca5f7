"""Companies: create, read, list (paging, query, ordering), delete; names; auth; errors."""

from __future__ import annotations

import base64
import re
from typing import Any

import httpx
import pytest

from desktop.sandbox.server import SandboxServer
from tests.sandbox.conftest import FakeClock, client_for, new_company


def test_create_company_answers_codat_company(api: httpx.Client, sandbox: SandboxServer) -> None:
    body = new_company(api, "Technicalium")
    assert body["name"] == "Technicalium"
    assert re.fullmatch(r"[0-9a-f-]{36}", body["id"])
    assert body["redirect"] == f"{sandbox.base_url}/link/company/{body['id']}"
    assert body["dataConnections"] == []
    assert body["products"] == ["spend-insights"]
    fetched = api.get(f"/companies/{body['id']}").json()
    assert fetched["id"] == body["id"] and fetched["created"] == body["created"]


def test_created_time_comes_from_the_clock(api: httpx.Client, clock: FakeClock) -> None:
    clock.now = 1_900_000_000.0
    body = new_company(api)
    assert body["created"].startswith("2030-03-17T17:46:40.")
    assert body["created"].endswith("Z")


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Company (Codat[1])", "Company Codat1"),
        ("Bob's Burgers & Co.", "Bob's Burgers & Co."),
        ("Acme <Ltd>; #2", "Acme Ltd 2"),
    ],
)
def test_forbidden_name_characters_are_stripped(api: httpx.Client, given: str, stored: str) -> None:
    assert new_company(api, given)["name"] == stored


@pytest.mark.parametrize(
    "payload",
    [{"name": "(([]))"}, {"name": ""}, {}, {"name": 42}, {"name": "ok", "tags": {"": "x"}}],
)
def test_bad_company_bodies_are_400_with_validation(
    api: httpx.Client, payload: dict[str, Any]
) -> None:
    response = api.post("/companies", json=payload)
    assert response.status_code == 400
    body = response.json()
    assert body["statusCode"] == 400
    assert body["validation"]["errors"][0]["itemId"] in ("name", "tags")
    assert api.get("/companies").json()["totalResults"] == 0


def test_body_that_is_not_json_is_400(api: httpx.Client) -> None:
    response = api.post(
        "/companies", content=b"name=Acme", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["validation"]["errors"][0]["itemId"] == "body"


def test_unknown_company_is_404_in_codat_words(api: httpx.Client) -> None:
    missing = "846ed55c-974b-4f7e-9f4d-0c5e5a2e6a11"
    for response in (
        api.get(f"/companies/{missing}"),
        api.delete(f"/companies/{missing}"),
        api.get(f"/companies/{missing}/connections"),
        api.get(f"/companies/{missing}/dataStatus"),
        api.get(f"/companies/{missing}/data/history"),
        api.post(f"/companies/{missing}/data/all"),
    ):
        assert response.status_code == 404
        body = response.json()
        assert body["error"] == f"No company was found with ID {missing}"
        assert body["service"] == "ClientsApi"


def test_delete_company_is_204_and_gone(api: httpx.Client) -> None:
    company = new_company(api)
    response = api.delete(f"/companies/{company['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert api.get(f"/companies/{company['id']}").status_code == 404


def test_update_company(api: httpx.Client) -> None:
    company = new_company(api, "Old name")
    patched = api.patch(f"/companies/{company['id']}", json={"description": "ref 42"}).json()
    assert patched["name"] == "Old name" and patched["description"] == "ref 42"
    replaced = api.put(f"/companies/{company['id']}", json={"name": "New [name]"}).json()
    assert replaced["name"] == "New name" and "description" not in replaced


def test_paging_envelope_and_links(api: httpx.Client) -> None:
    ids = [new_company(api, f"Company {i}")["id"] for i in range(5)]
    first = api.get("/companies", params={"page": 1, "pageSize": 2}).json()
    assert first["pageNumber"] == 1 and first["pageSize"] == 2 and first["totalResults"] == 5
    assert [c["id"] for c in first["results"]] == ids[:2]
    links = first["_links"]
    assert links["self"]["href"] == "/companies"
    assert links["current"]["href"] == "/companies?page=1&pageSize=2"
    assert links["next"]["href"] == "/companies?page=2&pageSize=2"
    assert "previous" not in links
    last = api.get(links["next"]["href"].replace("page=2", "page=3")).json()
    assert [c["id"] for c in last["results"]] == ids[4:]
    assert "next" not in last["_links"]
    assert last["_links"]["previous"]["href"] == "/companies?page=2&pageSize=2"
    beyond = api.get("/companies", params={"page": 9, "pageSize": 2}).json()
    assert beyond["results"] == [] and beyond["totalResults"] == 5


def test_following_next_links_visits_every_company_once(api: httpx.Client) -> None:
    ids = {new_company(api, f"Co {i}")["id"] for i in range(7)}
    seen: list[str] = []
    href: str | None = "/companies?page=1&pageSize=3"
    while href:
        page = api.get(href).json()
        seen.extend(c["id"] for c in page["results"])
        href = page["_links"].get("next", {}).get("href")
    assert sorted(seen) == sorted(ids)


@pytest.mark.parametrize(
    "params",
    [{"page": 0}, {"page": "x"}, {"pageSize": 0}, {"pageSize": 5001}, {"pageSize": "-3"}],
)
def test_bad_paging_parameters_are_400(api: httpx.Client, params: dict[str, Any]) -> None:
    response = api.get("/companies", params=params)
    assert response.status_code == 400
    item = response.json()["validation"]["errors"][0]["itemId"]
    assert item == next(iter(params))


def test_page_size_5000_is_accepted(api: httpx.Client) -> None:
    new_company(api)
    response = api.get("/companies", params={"pageSize": 5000})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_query_by_name_and_id(api: httpx.Client) -> None:
    acme = new_company(api, "Acme Trading")
    new_company(api, "Bobs Burgers")
    new_company(api, "Acme Holdings")

    def names(query: str) -> list[str]:
        response = api.get("/companies", params={"query": query})
        assert response.status_code == 200, response.text
        return sorted(c["name"] for c in response.json()["results"])

    assert names("name~acme") == ["Acme Holdings", "Acme Trading"]
    assert names("name=Bobs Burgers") == ["Bobs Burgers"]
    assert names(f"id={acme['id']}") == ["Acme Trading"]
    assert names("name~acme&&name~hold") == ["Acme Holdings"]
    assert names("name=Bobs Burgers||name~trading") == ["Acme Trading", "Bobs Burgers"]
    assert names("{name~acme||name~bob}&&name!=Acme Trading") == ["Acme Holdings", "Bobs Burgers"]


def test_query_on_connection_status(api: httpx.Client, control: httpx.Client) -> None:
    lonely = new_company(api, "No connections")
    pending = new_company(api, "Pending one")
    api.post(f"/companies/{pending['id']}/connections", json={"platformKey": "gbol"})

    def names(query: str) -> list[str]:
        return sorted(
            c["name"] for c in api.get("/companies", params={"query": query}).json()["results"]
        )

    assert names("dataConnections.status=PendingAuth") == ["Pending one"]
    assert names("dataConnections.status=Linked") == []
    none = (
        "dataConnections.status!=PendingAuth&&dataConnections.status!=Linked"
        "&&dataConnections.status!=Deauthorized&&dataConnections.status!=Unlinked"
    )
    assert names(none) == [lonely["name"]]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("name", "Malformed query"),
        ("name~", "Malformed query"),
        ("{name=x", "Malformed query"),
        ("name=x&&", "Malformed query"),
        ("colour=red", "Could not resolve property colour on Company"),
    ],
)
def test_bad_queries_are_400_with_validation(api: httpx.Client, query: str, message: str) -> None:
    response = api.get("/companies", params={"query": query})
    assert response.status_code == 400
    body = response.json()
    assert message in body["error"]
    assert body["validation"]["errors"][0]["itemId"] == "query"


def test_order_by(api: httpx.Client, clock: FakeClock) -> None:
    for name in ("Charlie", "alpha", "Bravo"):
        new_company(api, name)
        clock.advance(60)

    def order(by: str) -> list[str]:
        response = api.get("/companies", params={"orderBy": by})
        assert response.status_code == 200, response.text
        return [c["name"] for c in response.json()["results"]]

    assert order("name") == ["alpha", "Bravo", "Charlie"]
    assert order("-name") == ["Charlie", "Bravo", "alpha"]
    assert order("-created") == ["Bravo", "alpha", "Charlie"]
    assert order("created") == ["Charlie", "alpha", "Bravo"]
    first = api.get("/companies", params={"orderBy": "-modifiedDate"}).json()["results"][0]
    api.patch(f"/companies/{first['id']}", json={"description": "touched"})  # no clock move
    clock.advance(5)
    charlie = next(c for c in api.get("/companies").json()["results"] if c["name"] == "Charlie")
    api.patch(f"/companies/{charlie['id']}", json={"description": "touched later"})
    assert order("-modifiedDate")[0] == "Charlie"
    assert api.get("/companies", params={"orderBy": "-colour"}).status_code == 400


def test_missing_or_wrong_key_is_401(sandbox: SandboxServer) -> None:
    wrong = base64.b64encode(b"not-the-key").decode()
    plain_basic = base64.b64encode(b"test-key-123:").decode()
    headers_list: list[dict[str, str]] = [
        {},
        {"Authorization": f"Basic {wrong}"},
        {"Authorization": "Basic test-key-123"},
        {"Authorization": f"Basic {plain_basic}"},
        {"Authorization": "Bearer abc"},
    ]
    with client_for(sandbox, key=None) as client:
        for headers in headers_list:
            response = client.get("/companies", headers=headers)
            assert response.status_code == 401
            body = response.json()
            assert body["error"] == "Unauthorized" and body["statusCode"] == 401


def test_correlation_ids_are_fresh_hex(api: httpx.Client) -> None:
    missing = "846ed55c-974b-4f7e-9f4d-0c5e5a2e6a11"
    ids = {api.get(f"/companies/{missing}").json()["correlationId"] for _ in range(3)}
    assert len(ids) == 3
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)


def test_unknown_route_is_an_error_message(api: httpx.Client) -> None:
    response = api.get("/nothing/here")
    assert response.status_code == 404
    assert response.json()["statusCode"] == 404


def test_profile(api: httpx.Client, sandbox: SandboxServer) -> None:
    body = api.get("/profile").json()
    assert body["name"] == "LinkDesk Sandbox"
    assert body["redirectUrl"].startswith(sandbox.base_url)


@pytest.mark.expected_logs(r"^sandbox handler failed on GET /companies/")
def test_a_handler_bug_still_answers_as_codat(
    api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    company = new_company(api)

    def broken(*args: object) -> dict[str, object]:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("desktop.sandbox.api.wire.company_json", broken)
    response = api.get(f"/companies/{company['id']}")
    assert response.status_code == 500
    assert response.json()["statusCode"] == 500
