"""``--state FILE`` survives restarts; ``linkdesk sandbox`` as a real subprocess."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from desktop.sandbox.scenarios import SCENARIOS
from desktop.sandbox.server import DEFAULT_API_KEY, SandboxServer
from tests.sandbox.conftest import FakeClock, Journey, auth_header, client_for, new_company

REPO = Path(__file__).resolve().parents[2]


def test_state_file_survives_a_restart(
    make_sandbox: Callable[..., SandboxServer], clock: FakeClock, tmp_path: Path
) -> None:
    state_file = tmp_path / "sub" / "sandbox.json"
    first = make_sandbox(state_file=state_file)
    with (
        client_for(first) as api,
        httpx.Client(base_url=first.base_url, headers=auth_header(), trust_env=False) as ctl,
    ):
        linked = new_company(api, "Linked Co")
        journey = Journey(ctl, linked["id"])
        journey.do("open_link")
        journey.do("select_platform", platformKey="tgff")
        journey.do("consent")
        journey.do("approve")
        driven = new_company(api, "Driven Co")
        ctl.post(f"/_sandbox/companies/{driven['id']}/scenario", json={"scenario": "happy-path"})
        before = api.get(f"/companies/{linked['id']}").json()
        last_seq = ctl.get("/_sandbox/events").json()["last"]
    first.stop()

    saved = json.loads(state_file.read_text())
    assert {c["name"] for c in saved["companies"]} == {"Linked Co", "Driven Co"}
    assert [p.name for p in state_file.parent.iterdir()] == ["sandbox.json"]  # no temp files left

    second = make_sandbox(state_file=state_file)
    with (
        client_for(second) as api,
        httpx.Client(base_url=second.base_url, headers=auth_header(), trust_env=False) as ctl,
    ):
        after = api.get(f"/companies/{linked['id']}").json()
        # Only the host and port in the URLs differ between the two runs.
        assert json.loads(json.dumps(after).replace(second.base_url, first.base_url)) == before
        clock.advance(600)  # the sync finishes and the scenario runs on after the restart
        statuses = api.get(f"/companies/{linked['id']}/dataStatus").json()
        assert {s["currentStatus"] for s in statuses.values()} == {"Complete"}
        (conn,) = api.get(f"/companies/{driven['id']}/connections").json()["results"]
        assert conn["status"] == "Linked"
        events = ctl.get("/_sandbox/events", params={"since": last_seq}).json()["events"]
        assert events[0]["seq"] == last_seq + 1
        assert "autopilot_finished" in [e["kind"] for e in events]


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "desktop", "sandbox", *args]


@contextmanager
def _running_cli(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``linkdesk sandbox ARGS`` as a subprocess: yields it and the first line it printed."""
    proc = subprocess.Popen(
        _cli(*args), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert proc.stdout is not None
        yield proc, proc.stdout.readline().strip()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def test_cli_prints_url_first_and_exits_0_on_sigterm(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    args = ("--port", "0", "--api-key", "cli-key", "--state", str(state_file), "--seed", "3")
    with _running_cli(*args) as (proc, first_line):
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", first_line), first_line
        with httpx.Client(base_url=first_line, trust_env=False) as client:
            created = client.post(
                "/companies", json={"name": "From CLI"}, headers=auth_header("cli-key")
            )
            assert created.status_code == 200
            faults = client.get("/_sandbox/faults", headers=auth_header("cli-key"))
            assert faults.json()["seed"] == 3
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    assert "From CLI" in state_file.read_text()


def test_cli_sigint_also_exits_0() -> None:
    args = ("--scenario", "happy-path:qhyg", "--speed", "20", "--faults", "latency=0.01")
    with _running_cli(*args) as (proc, url):
        info = httpx.get(
            f"{url}/_sandbox/info", headers=auth_header(DEFAULT_API_KEY), trust_env=False
        ).json()
        assert info["scenario"] == "happy-path:qhyg" and info["speed"] == 20.0
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0


def test_cli_lists_scenarios() -> None:
    out = subprocess.run(_cli("--list-scenarios"), cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0
    names = [line.split()[0] for line in out.stdout.splitlines()]
    assert names == list(SCENARIOS)


def test_cli_rejects_bad_options() -> None:
    for args in (("--faults", "5xx=3"), ("--scenario", "nope"), ("--speed", "0")):
        out = subprocess.run(_cli(*args), cwd=REPO, capture_output=True, text=True)
        assert out.returncode == 1, args  # unusable input, as in every command
        assert out.stdout == "" and "linkdesk sandbox:" in out.stderr


def test_server_start_stop_is_idempotent(make_sandbox: Callable[..., SandboxServer]) -> None:
    server = make_sandbox()
    url = server.base_url
    assert server.start() == url
    server.stop()
    server.stop()
    with SandboxServer(api_key="k") as again:
        assert again.base_url.startswith("http://127.0.0.1:")
        with httpx.Client(trust_env=False) as client:
            assert (
                client.get(f"{again.base_url}/profile", headers=auth_header("k")).status_code == 200
            )
