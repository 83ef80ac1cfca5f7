"""``linkdesk link`` as a user runs it: a separate process talking HTTP to the sandbox."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from desktop.sandbox.server import SandboxServer, control_headers

KEY = "k"
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[str]:
    server = SandboxServer(api_key=KEY)
    base = server.start()
    try:
        yield base
    finally:
        server.stop()


def link(
    base: str, *args: str, home: Path, key: str | None = KEY
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env["LINKDESK_HOME"] = str(home)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    env.pop("LINKDESK_API_KEY", None)
    if key is not None:
        env["LINKDESK_API_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "desktop", "--api-base", base, "link", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def api_get(base: str, path: str) -> Any:
    headers = {"Authorization": "Basic aw=="}  # base64("k")
    with httpx.Client(trust_env=False, timeout=10) as client:
        response = client.get(base + path, headers=headers)
        response.raise_for_status()
        return response.json()


def set_faults(base: str, spec: str) -> None:
    with httpx.Client(trust_env=False, timeout=10) as client:
        client.put(
            base + "/_sandbox/faults", json={"spec": spec}, headers=control_headers(KEY)
        ).raise_for_status()


def test_link_json_creates_the_company(sandbox: str, linkdesk_home: Path) -> None:
    out = link(sandbox, "Acme (UK) Ltd", "--json", home=linkdesk_home)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert set(result) == {"companyId", "connectionId", "linkUrl", "companyName"}
    assert result["companyName"] == "Acme UK Ltd"
    assert result["connectionId"] is None
    # The warning names exactly what Codat strips.
    assert "strip these characters from the name: ( )." in out.stderr
    company = api_get(sandbox, f"/companies/{result['companyId']}")
    assert company["name"] == "Acme UK Ltd"
    assert result["linkUrl"] == company["redirect"]
    assert result["linkUrl"]


def test_link_plain_prints_only_the_url(sandbox: str, linkdesk_home: Path) -> None:
    out = link(sandbox, "Plain Co", home=linkdesk_home)
    assert out.returncode == 0, out.stderr
    url = out.stdout.strip()
    assert "\n" not in url
    assert url.startswith("http")
    assert out.stderr == ""


def test_link_with_platform_creates_the_connection(sandbox: str, linkdesk_home: Path) -> None:
    out = link(sandbox, "Xero User Ltd", "--platform", "gbol", "--json", home=linkdesk_home)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["connectionId"]
    conn = api_get(
        sandbox, f"/companies/{result['companyId']}/connections/{result['connectionId']}"
    )
    assert result["linkUrl"] == conn["linkUrl"]
    assert conn["platformName"] == "Xero"
    assert conn["status"] == "PendingAuth"


def test_wrong_key_exits_2(sandbox: str, linkdesk_home: Path) -> None:
    out = link(sandbox, "Acme Ltd", "--json", home=linkdesk_home, key="wrong")
    assert out.returncode == 2
    assert out.stdout == ""
    assert "Codat rejected the API key (401)" in out.stderr


def test_no_key_exits_2(sandbox: str, linkdesk_home: Path) -> None:
    out = link(sandbox, "Acme Ltd", home=linkdesk_home, key=None)
    assert out.returncode == 2
    assert "No Codat API key" in out.stderr
    assert "LINKDESK_API_KEY" in out.stderr


def test_unknown_platform_exits_5_and_creates_nothing(sandbox: str, linkdesk_home: Path) -> None:
    out = link(sandbox, "Nowhere Ltd", "--platform", "zzzz", home=linkdesk_home)
    assert out.returncode == 5  # 404 is 5 in every command
    assert "'zzzz' is not a platform this Codat account offers (404" in out.stderr
    assert "nothing was created" in out.stderr
    names = [c["name"] for c in api_get(sandbox, "/companies?pageSize=5000")["results"]]
    assert "Nowhere Ltd" not in names  # no stray company left for the agent to clean up


@pytest.mark.parametrize(("name", "platform"), [("###", None), ("Acme", "XERO")])
def test_unusable_input_exits_1_without_calling_codat(
    linkdesk_home: Path, name: str, platform: str | None
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = [name] + (["--platform", platform] if platform else [])
    out = link(f"http://127.0.0.1:{port}", *args, home=linkdesk_home)
    assert out.returncode == 1
    assert "could not reach" not in out.stderr


def test_server_down_exits_7(linkdesk_home: Path) -> None:
    with socket.socket() as s:  # free a moment ago, nobody listening now
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = link(f"http://127.0.0.1:{port}", "Acme Ltd", "--json", home=linkdesk_home)
    assert out.returncode == 7
    assert out.stdout == ""
    assert "could not reach Codat" in out.stderr


@pytest.mark.parametrize(
    ("faults", "code", "words"),
    [
        ("5xx=1", 6, "Codat"),
        ("429=1,retry_after=7", 6, "Try again in 7 seconds"),
        ("malformed=1", 6, "could not read"),
        ("drop=1", 7, "cut off"),
    ],
)
def test_injected_faults_map_to_exit_codes(
    linkdesk_home: Path, faults: str, code: int, words: str
) -> None:
    server = SandboxServer(api_key=KEY)
    base = server.start()
    try:
        set_faults(base, faults)
        out = link(base, "Acme Ltd", home=linkdesk_home)
    finally:
        server.stop()
    assert out.returncode == code, out.stderr
    assert out.stdout == ""
    assert words in out.stderr
    if code == 6 and "malformed" not in faults:
        assert "quote it to Codat support" in out.stderr


def _lost_connection(base: str, home: Path) -> tuple[str, str]:
    """A company whose Xero connection was linked and then lost access (Deauthorized)."""
    made = link(base, "Lost Access Ltd", "--json", home=home)
    assert made.returncode == 0, made.stderr
    company = json.loads(made.stdout)["companyId"]
    with httpx.Client(
        base_url=base, trust_env=False, timeout=10, headers=control_headers(KEY)
    ) as control:
        for action, params in (
            ("open_link", {}),
            ("select_platform", {"platformKey": "gbol"}),
            ("consent", {}),
            ("approve", {}),
            ("deauthorize", {}),
        ):
            answer = control.post(
                f"/_sandbox/companies/{company}/journey", json={"action": action, **params}
            )
            assert answer.status_code == 200, answer.text
    connection = api_get(base, f"/companies/{company}/connections")["results"][0]
    return company, str(connection["linkUrl"])


def test_a_reconnection_call_gives_the_connection_link_and_what_the_customer_sees(
    sandbox: str, linkdesk_home: Path
) -> None:
    company, connection_link = _lost_connection(sandbox, linkdesk_home)
    out = link(sandbox, "--company", company, home=linkdesk_home)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == connection_link
    assert "sign in and approve again" in out.stderr
    doc = json.loads(link(sandbox, "--company", company, "--json", home=linkdesk_home).stdout)
    assert doc["connectionStatus"] == "Deauthorized" and doc["reconnection"] is True
    again = link(sandbox, "--company", company, "--choose-again", home=linkdesk_home)
    assert again.returncode == 0 and again.stdout.strip().endswith(f"/link/company/{company}")
    assert "beside the Deauthorized Xero one" in again.stderr


def test_a_reconnection_call_for_an_unknown_company_exits_5(
    sandbox: str, linkdesk_home: Path
) -> None:
    out = link(sandbox, "--company", "00000000-0000-4000-8000-000000000000", home=linkdesk_home)
    assert out.returncode == 5
    assert "(404)" in out.stderr


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--company", "x", "Name"),
        ("--choose-again", "Name"),
        ("--company", "x", "--platform", "gbol"),
    ],
)
def test_link_arguments_that_do_not_fit_exit_1(linkdesk_home: Path, args: tuple[str, ...]) -> None:
    out = link("http://127.0.0.1:9", *args, home=linkdesk_home)
    assert out.returncode == 1, out.stderr


@pytest.mark.parametrize("command", [("link",), ("track",), ("calls",)])
def test_every_help_lists_the_shared_exit_codes(command: tuple[str, ...]) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "desktop", *command, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0
    assert "exit codes (the same cause has the same code in every linkdesk command)" in out.stdout
    assert "5  not found: Codat answered 404" in out.stdout
