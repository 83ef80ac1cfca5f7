"""A page on another origin, in a real Chromium, cannot drive the sandbox's control API.

The page tries what needs no CORS preflight (a ``text/plain`` POST, a form post) and what does
(a JSON POST); the simulated customer must not move, and the faults must not change.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from desktop.sandbox.server import SandboxServer

pytestmark = pytest.mark.browser
API_KEY = "browser-key"

PAGE = """<!doctype html><html><body>
<form id="f" method="post" enctype="text/plain" target="sink" action="{base}/_sandbox/faults">
<input name='{{"spec": "5xx' value='1", "x": "y"}}'></form>
<iframe name="sink"></iframe>
<script>
const journey = "{base}/_sandbox/companies/{company}/journey";
const body = '{{"action": "open_link"}}';
async function attempt() {{
  const results = [];
  try {{
    await fetch(journey, {{method: "POST", mode: "no-cors", body,
                           headers: {{"Content-Type": "text/plain"}}}});
    results.push("plain sent");
  }} catch (e) {{ results.push("plain failed"); }}
  try {{
    await fetch(journey, {{method: "POST", body, headers: {{"Content-Type": "application/json"}}}});
    results.push("json sent");
  }} catch (e) {{ results.push("json blocked"); }}
  document.getElementById("f").submit();
  setTimeout(() => {{ document.title = "done: " + results.join(", "); }}, 500);
}}
attempt();
</script></body></html>"""


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(api_key=API_KEY) as server:
        yield server


@pytest.fixture
def attacker_site() -> Iterator[tuple[str, dict[str, str]]]:
    """Another origin (another port) serving the page in ``content["page"]``."""
    content: dict[str, str] = {"page": ""}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = content["page"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", content
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_page_on_another_origin_cannot_move_the_customer(
    driver: WebDriver, sandbox: SandboxServer, attacker_site: tuple[str, dict[str, str]]
) -> None:
    headers = sandbox.control_headers()
    with httpx.Client(base_url=sandbox.base_url, headers=headers, trust_env=False) as owner:
        company = owner.post("/companies", json={"name": "Target Ltd"}).json()
        before = owner.get(f"/_sandbox/companies/{company['id']}").json()["stage"]
        last = owner.get("/_sandbox/events").json()["last"]
        url, content = attacker_site
        content["page"] = PAGE.format(base=sandbox.base_url, company=company["id"])
        driver.get(url)
        WebDriverWait(driver, 15).until(lambda d: d.title.startswith("done"))
        assert "json blocked" in driver.title  # the preflight is never granted
        assert owner.get(f"/_sandbox/companies/{company['id']}").json()["stage"] == before
        assert owner.get("/_sandbox/faults").json()["spec"] == ""
        assert owner.get("/_sandbox/events", params={"since": last}).json()["events"] == []
