"""The hosted Link pages over plain HTTP: every click drives the same change as the control API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from desktop.sandbox.server import SandboxServer
from tests.sandbox.conftest import new_company


@pytest.fixture
def browser(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.base_url, trust_env=False, follow_redirects=True) as client:
        yield client


def _page_id(response: httpx.Response) -> str:
    match = re.search(r"<div class='frame' id='([a-z-]+)'>", response.text)
    assert match, response.text[:300]
    return match.group(1)


def _conn(api: httpx.Client, company_id: str) -> dict[str, Any]:
    (conn,) = api.get(f"/companies/{company_id}/connections").json()["results"]
    result: dict[str, Any] = conn
    return result


def test_click_through_to_linked(api: httpx.Client, browser: httpx.Client) -> None:
    company = new_company(api, "Pages & Co")
    landing = browser.get(f"/link/company/{company['id']}")
    assert _page_id(landing) == "link-landing" and "Pages &amp; Co" in landing.text
    software = browser.get(f"/link/company/{company['id']}/software")
    assert _page_id(software) == "link-software"
    assert len(re.findall(r"<li id='platform-(\w+)'", software.text)) == 17
    filtered = browser.get(f"/link/company/{company['id']}/software", params={"q": "sage"})
    assert re.findall(r"<li id='platform-(\w+)'", filtered.text) == ["jcrp", "hbql", "tgff", "knfz"]

    consent = browser.post(f"/link/company/{company['id']}/select", data={"platformKey": "tgff"})
    assert _page_id(consent) == "link-consent" and "Sage Accounting" in consent.text
    conn = _conn(api, company["id"])
    assert conn["status"] == "PendingAuth" and conn["integrationKey"] == "tgff"
    base = f"/link/companies/{company['id']}/connections/{conn['id']}"
    assert str(consent.url).endswith(f"{base}/consent")

    signin = browser.post(f"{base}/consent")
    assert _page_id(signin) == "link-signin"
    wrong = browser.post(f"{base}/signin", data={"username": "me", "password": "wrong"})
    assert _page_id(wrong) == "link-signin" and "id='signin-error'" in wrong.text
    assert _conn(api, company["id"])["status"] == "PendingAuth"
    authorize = browser.post(f"{base}/signin", data={"username": "me", "password": "s3cret"})
    assert _page_id(authorize) == "link-authorize"
    done = browser.post(f"{base}/approve")
    assert _page_id(done) == "link-done" and "id='connected'" in done.text
    assert _conn(api, company["id"])["status"] == "Linked"
    # Opening either Link URL again now says there is nothing left to do.
    assert "id='already-linked'" in browser.get(f"/link/company/{company['id']}").text
    assert "id='already-linked'" in browser.get(conn["linkUrl"]).text


@pytest.mark.parametrize("screen", ["landing", "software", "consent", "signin", "authorize"])
def test_cancel_on_every_screen(
    api: httpx.Client, browser: httpx.Client, control: httpx.Client, screen: str
) -> None:
    company = new_company(api)
    cid = company["id"]
    browser.get(f"/link/company/{cid}")
    hidden = {}
    if screen not in ("landing", "software"):
        browser.post(f"/link/company/{cid}/select", data={"platformKey": "gbol"})
        conn_id = _conn(api, cid)["id"]
        hidden = {"connectionId": conn_id}
        if screen in ("signin", "authorize"):
            browser.post(f"/link/companies/{cid}/connections/{conn_id}/consent")
    page = browser.post(f"/link/company/{cid}/cancel", data=hidden)
    assert _page_id(page) == "link-cancelled"
    assert control.get(f"/_sandbox/companies/{cid}").json()["stage"] == "cancelled"
    conns = api.get(f"/companies/{cid}/connections").json()["results"]
    if screen in ("landing", "software"):
        assert conns == []
    else:
        assert conns[0]["dataConnectionErrors"][0]["statusText"] == "User cancelled linking"


def test_connection_link_url_resumes_at_consent(api: httpx.Client, browser: httpx.Client) -> None:
    company = new_company(api)
    conn = api.post(f"/companies/{company['id']}/connections", json={"platformKey": "akxx"}).json()
    page = browser.get(conn["linkUrl"])
    assert _page_id(page) == "link-consent" and "Oracle NetSuite" in page.text


def test_out_of_order_click_explains_itself(api: httpx.Client, browser: httpx.Client) -> None:
    company = new_company(api)
    browser.get(f"/link/company/{company['id']}")
    browser.post(f"/link/company/{company['id']}/select", data={"platformKey": "gbol"})
    conn = _conn(api, company["id"])
    page = browser.post(f"/link/companies/{company['id']}/connections/{conn['id']}/approve")
    assert page.status_code == 409
    assert _page_id(page) == "link-error" and re.search(r"id=[\"']restart", page.text)


def test_unknown_company_page(browser: httpx.Client) -> None:
    page = browser.get("/link/company/not-a-company")
    assert page.status_code == 404 and _page_id(page) == "link-error"
