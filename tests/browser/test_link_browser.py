"""Click through the sandbox's hosted Link pages in headless Chromium while watching Codat's API."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from desktop.sandbox.server import SandboxServer

pytestmark = pytest.mark.browser

API_KEY = "browser-key"
SCREENSHOT = "/tmp/link-page.png"


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(api_key=API_KEY) as server:
        yield server


@pytest.fixture
def api(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    token = base64.b64encode(API_KEY.encode()).decode()
    with httpx.Client(
        base_url=sandbox.base_url, headers={"Authorization": f"Basic {token}"}, trust_env=False
    ) as client:
        yield client


def _company(api: httpx.Client, name: str) -> dict[str, Any]:
    response = api.post("/companies", json={"name": name})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _connections(api: httpx.Client, company_id: str) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = api.get(f"/companies/{company_id}/connections").json()[
        "results"
    ]
    return results


def _click(driver: WebDriver, element_id: str, next_page: str) -> None:
    driver.find_element(By.ID, element_id).click()
    WebDriverWait(driver, 10).until(ec.presence_of_element_located((By.ID, next_page)))


def _visible_platforms(driver: WebDriver) -> list[str]:
    items = driver.find_elements(By.CSS_SELECTOR, "#platform-list li")
    return [_id(li).removeprefix("platform-") for li in items if li.is_displayed()]


def _id(element: WebElement) -> str:
    found = element.get_attribute("id")
    assert found is not None, "every platform in the list has an id"
    return found


def test_link_journey_in_a_real_browser(
    driver: WebDriver, sandbox: SandboxServer, api: httpx.Client
) -> None:
    company = _company(api, "Browser Bakery")
    driver.get(company["redirect"])
    assert "Browser Bakery" in driver.find_element(By.ID, "company-name").text
    _click(driver, "continue", "link-software")
    assert len(_visible_platforms(driver)) == 17
    driver.save_screenshot(SCREENSHOT)

    search = driver.find_element(By.ID, "search")
    search.send_keys("quick")
    WebDriverWait(driver, 5).until(lambda d: _visible_platforms(d) == ["pqsw", "qhyg"])
    assert not driver.find_element(By.ID, "no-match").is_displayed()
    search.clear()
    search.send_keys("xer")
    WebDriverWait(driver, 5).until(lambda d: _visible_platforms(d) == ["gbol"])
    search.send_keys("zzz")
    WebDriverWait(driver, 5).until(lambda d: d.find_element(By.ID, "no-match").is_displayed())
    search.clear()
    search.send_keys("xer")
    assert _connections(api, company["id"]) == []

    _click(driver, "select-gbol", "link-consent")
    (conn,) = _connections(api, company["id"])
    assert conn["status"] == "PendingAuth" and conn["platformName"] == "Xero"

    _click(driver, "consent", "link-signin")
    driver.find_element(By.ID, "username").send_keys("owner@bakery.example")
    driver.find_element(By.ID, "password").send_keys("correct horse")
    _click(driver, "sign-in", "link-authorize")
    assert _connections(api, company["id"])[0]["status"] == "PendingAuth"

    _click(driver, "approve", "link-done")
    assert "Xero" in driver.find_element(By.ID, "connected").text
    assert _connections(api, company["id"])[0]["status"] == "Linked"
    statuses = api.get(f"/companies/{company['id']}/dataStatus").json()
    assert "bills" in statuses


def test_wrong_password_shows_an_error_and_stays(
    driver: WebDriver, sandbox: SandboxServer, api: httpx.Client
) -> None:
    company = _company(api, "Typo Traders")
    driver.get(company["redirect"])
    _click(driver, "continue", "link-software")
    _click(driver, "select-qhyg", "link-consent")
    _click(driver, "consent", "link-signin")
    driver.find_element(By.ID, "username").send_keys("me")
    driver.find_element(By.ID, "password").send_keys("wrong")
    _click(driver, "sign-in", "signin-error")
    assert driver.find_element(By.ID, "link-signin")
    assert "Incorrect" in driver.find_element(By.ID, "signin-error").text
    assert _connections(api, company["id"])[0]["status"] == "PendingAuth"

    driver.find_element(By.ID, "password").send_keys("right")
    _click(driver, "sign-in", "link-authorize")
    _click(driver, "approve", "link-done")
    assert _connections(api, company["id"])[0]["status"] == "Linked"


def test_cancel_path(driver: WebDriver, sandbox: SandboxServer, api: httpx.Client) -> None:
    company = _company(api, "Cautious Cafe")
    driver.get(company["redirect"])
    _click(driver, "continue", "link-software")
    _click(driver, "select-akxx", "link-consent")
    _click(driver, "cancel", "link-cancelled")
    (conn,) = _connections(api, company["id"])
    assert conn["status"] == "PendingAuth"
    (error,) = conn["dataConnectionErrors"]
    assert (error["statusCode"], error["statusText"], error["errorMessage"], error["status"]) == (
        "403",
        "User cancelled linking",
        "User cancelled",
        "Active",
    )
    # Starting again from the cancelled page leads back to the software list.
    _click(driver, "restart", "link-landing")
    _click(driver, "continue", "link-software")
