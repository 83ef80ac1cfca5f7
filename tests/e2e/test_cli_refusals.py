"""The command line refuses what it must not use: unsafe Link URLs, an http:// API base off this
computer, and it hands LINKDESK_API_KEY to no child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from desktop.commands import exits

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk_test_never_inherited_0123456789"


def _run(home: Path, *args: str, key: str | None = KEY) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(
        LINKDESK_HOME=str(home),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        PYTHONPATH=str(ROOT),
    )
    env.pop("LINKDESK_API_KEY", None)
    if key is not None:
        env["LINKDESK_API_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


class _Codat(BaseHTTPRequestHandler):
    """POST /companies answers a company whose Link URL is the server's ``redirect``."""

    redirect: Any = None

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        name = json.loads(self.rfile.read(length))["name"]
        body = json.dumps(
            {"id": "8a210b68-6988-11ed-a1eb-0242ac120002", "name": name, "redirect": self.redirect}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def codat() -> Iterator[tuple[str, type[_Codat]]]:
    handler = type("Handler", (_Codat,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize(
    "redirect",
    ["javascript:alert(document.cookie)", "file:///etc/passwd", "http://link.example.com/c", None],
)
def test_link_refuses_an_unsafe_link_url_with_its_own_exit_code(
    linkdesk_home: Path, codat: tuple[str, type[_Codat]], redirect: str | None
) -> None:
    base, handler = codat
    handler.redirect = redirect
    out = _run(linkdesk_home, "--api-base", base, "link", "Harbour Bakery")
    assert out.returncode == exits.UNSAFE_LINK == 10, out.stderr
    assert out.stdout == ""  # nothing a script could paste into an invitation
    assert "Link URL" in out.stderr and "8a210b68" in out.stderr


def test_link_prints_an_https_link_url(
    linkdesk_home: Path, codat: tuple[str, type[_Codat]]
) -> None:
    base, handler = codat
    handler.redirect = "https://link.codat.io/company/8a210b68-6988-11ed-a1eb-0242ac120002"
    out = _run(linkdesk_home, "--api-base", base, "link", "Harbour Bakery")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == handler.redirect


@pytest.mark.parametrize("command", [["link", "Harbour Bakery"], ["track", "8a210b68"]])
def test_an_http_api_base_off_this_computer_is_refused(
    linkdesk_home: Path, command: list[str]
) -> None:
    out = _run(linkdesk_home, "--api-base", "http://api.codat.io", *command)
    assert out.returncode == 1
    assert "unencrypted" in out.stderr and "--insecure-http" in out.stderr
    assert KEY not in out.stderr + out.stdout


def test_insisting_lets_an_http_api_base_be_used(linkdesk_home: Path) -> None:
    # 0.0.0.0 is not a loopback name, but connecting to it reaches this computer: refused fast.
    base = "http://0.0.0.0:9"
    refused = _run(linkdesk_home, "--api-base", base, "link", "Harbour Bakery")
    assert refused.returncode == 1
    tried = _run(linkdesk_home, "--api-base", base, "--insecure-http", "link", "Harbour Bakery")
    assert tried.returncode == exits.UNREACHABLE, tried.stderr  # it tried; Codat was not there


CHILD = """
import subprocess, sys
from desktop.cli import main
main(["guides", "check"])  # any command: the key leaves the environment first
from desktop.core.secrets import resolve_api_key
print("key usable here:", resolve_api_key("default") == sys.argv[1])
subprocess.run([sys.executable, "-c", "import os; print(sorted(os.environ))"], check=True)
"""


def test_the_api_key_is_usable_but_no_child_inherits_it(linkdesk_home: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LINKDESK_API_KEY": KEY}
    env["LINKDESK_HOME"] = str(linkdesk_home)
    out = subprocess.run(
        [sys.executable, "-c", CHILD, KEY], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "key usable here: True" in out.stdout
    assert "LINKDESK_API_KEY" not in out.stdout.splitlines()[-1]
    assert KEY not in out.stdout
