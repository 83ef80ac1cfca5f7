"""A web page cannot drive the sandbox: its own Host only; the control API needs the key and JSON.

Each request is one a page in the agent's browser could send: a cross-origin ``text/plain`` POST
(no CORS preflight), one without the key, and any request under a DNS name rebound to 127.0.0.1.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest

from desktop.sandbox.server import SandboxServer
from tests.sandbox.conftest import auth_header, new_company


def _stage(control: httpx.Client, company_id: str) -> str:
    return str(control.get(f"/_sandbox/companies/{company_id}").json()["stage"])


def test_a_text_plain_post_is_refused_and_changes_nothing(
    sandbox: SandboxServer, api: httpx.Client, control: httpx.Client
) -> None:
    company = new_company(api)
    before = _stage(control, company["id"])
    # Exactly what a form or fetch(no-cors) from another site sends, even with the key.
    refused = control.post(
        f"/_sandbox/companies/{company['id']}/journey",
        content=b'{"action": "open_link"}',
        headers={"Content-Type": "text/plain;charset=UTF-8"},
    )
    assert refused.status_code == 415
    assert "application/json" in refused.json()["error"]
    assert _stage(control, company["id"]) == before
    form = control.put(
        "/_sandbox/faults",
        content=b"spec=5xx%3D1",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 415
    assert control.get("/_sandbox/faults").json()["spec"] == ""


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/_sandbox/events"),
        ("GET", "/_sandbox/info"),
        ("GET", "/_sandbox/faults"),
        ("PUT", "/_sandbox/faults"),
        ("GET", "/_sandbox/scenarios"),
        ("POST", "/_sandbox/companies/x/journey"),
        ("POST", "/_sandbox/companies/x/scenario"),
    ],
)
def test_every_control_route_needs_the_key(sandbox: SandboxServer, method: str, path: str) -> None:
    with httpx.Client(base_url=sandbox.base_url, trust_env=False) as plain:
        for headers in ({}, auth_header("wrong-key")):
            answer = plain.request(method, path, json={"spec": "5xx=1"}, headers=headers)
            assert answer.status_code == 401, (path, answer.text)
    with httpx.Client(base_url=sandbox.base_url, headers=auth_header(), trust_env=False) as ok:
        assert ok.get("/_sandbox/faults").json()["spec"] == ""


def test_the_logos_the_link_pages_load_stay_open(sandbox: SandboxServer) -> None:
    with httpx.Client(base_url=sandbox.base_url, trust_env=False) as plain:
        assert plain.get("/_sandbox/logos/gbol.svg").status_code == 200


@pytest.mark.parametrize(
    "path", ["/_sandbox/events", "/link/company/x", "/companies", "/_sandbox/logos/gbol.svg"]
)
def test_a_rebound_dns_name_is_refused_everywhere(
    sandbox: SandboxServer, api: httpx.Client, path: str
) -> None:
    port = urlsplit(sandbox.base_url).port
    with httpx.Client(base_url=sandbox.base_url, headers=auth_header(), trust_env=False) as raw:
        answer = raw.get(path, headers={"Host": f"attacker.example:{port}"})
        assert answer.status_code == 421
        assert "its own address" in answer.json()["error"]
        for own in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
            assert raw.get(path, headers={"Host": own}).status_code != 421


def test_the_host_it_was_started_on_is_its_own(make_sandbox: object) -> None:
    from tests.sandbox.conftest import API_KEY

    server = SandboxServer(api_key=API_KEY, host="localhost")
    base = server.start()
    try:
        with httpx.Client(base_url=base, headers=auth_header(), trust_env=False) as client:
            assert client.get("/_sandbox/info").status_code == 200
    finally:
        server.stop()
