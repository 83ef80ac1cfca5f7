"""``linkdesk track`` as a subprocess against the sandbox, the customer driven through its control API."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from desktop.sandbox.server import SandboxServer

KEY = "linkdesk-sandbox"


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(api_key=KEY, speed=20.0) as server:
        yield server


@pytest.fixture
def api(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    token = base64.b64encode(KEY.encode()).decode()
    with httpx.Client(
        base_url=sandbox.base_url, trust_env=False, headers={"Authorization": f"Basic {token}"}
    ) as client:
        yield client


def _company(api: httpx.Client) -> str:
    response = api.post("/companies", json={"name": "Track Test"})
    response.raise_for_status()
    return str(response.json()["id"])


def _track(sandbox: SandboxServer, home: Path, *args: str, key: str = KEY) -> subprocess.Popen[str]:
    env = dict(os.environ, LINKDESK_API_KEY=key, LINKDESK_HOME=str(home))
    return subprocess.Popen(
        [sys.executable, "-m", "desktop", "--api-base", sandbox.base_url, "track", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _act(api: httpx.Client, company: str, action: str, **params: str) -> None:
    response = api.post(f"/_sandbox/companies/{company}/journey", json={"action": action, **params})
    assert response.status_code == 200, response.text


class Lines:
    """The lines a running ``track`` prints, read as they come, so a test can wait for one."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, seen: Callable[[str], bool], timeout: float = 60.0) -> str:
        """The first line for which ``seen`` is true; fails if none comes within ``timeout`` s."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                match = next((line for line in self.lines if seen(line)), None)
                if match is not None:
                    return match
                left = deadline - time.monotonic()
                if left <= 0 or (not self._reader.is_alive() and self.proc.poll() is not None):
                    self._changed.release()
                    try:
                        _, err = self.finish(timeout=10)
                    finally:
                        self._changed.acquire()
                    raise AssertionError(f"no such line within {timeout} s: {self.lines!r} {err}")
                self._changed.wait(min(left, 0.5))

    def finish(self, timeout: float = 90.0) -> tuple[list[str], str]:
        """Every line printed, and stderr, once the process has ended."""
        assert self.proc.stdout is not None and self.proc.stderr is not None
        try:
            self.proc.wait(timeout=timeout)
        finally:
            self.proc.kill()  # a no-op once it has ended
            self._reader.join(timeout=10)
        err = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.lines, err


def test_track_follows_a_journey_to_the_first_sync(
    sandbox: SandboxServer, api: httpx.Client, linkdesk_home: Path
) -> None:
    company = _company(api)
    proc = _track(
        sandbox, linkdesk_home, company, "--json", "--timeout", "60", "--fast-interval", "0.2"
    )
    printed = Lines(proc)
    # Whether the tracker's first look comes before or after these two, it sees step 2 itself.
    _act(api, company, "open_link")
    _act(api, company, "select_platform", platformKey="gbol")
    # Step 2 must be seen by the tracker itself (PendingAuth), before the customer approves.
    printed.wait_for(lambda line: '"step": 2' in line and '"status": "done"' in line)
    _act(api, company, "consent")
    _act(api, company, "approve")
    out_lines, err = printed.finish()
    assert proc.returncode == 0, err
    lines = [json.loads(line) for line in out_lines]
    assert lines and all(line["observed"].endswith("Z") for line in lines)
    steps = {(d["step"], d["status"]): d["provenance"] for d in lines if d["kind"] == "step"}
    assert steps[(2, "done")] == "observed"
    assert steps[(1, "done")] == "inferred"
    assert steps[(3, "done")] == "inferred"
    assert steps[(4, "done")] == "observed"
    assert steps[(5, "done")] == "observed"
    assert lines[-1]["phase"] == "finished" or any(d["phase"] == "finished" for d in lines)
    assert {d["platform"]["key"] for d in lines if d["platform"]} == {"gbol"}


def test_track_until_linked_stops_at_the_link(
    sandbox: SandboxServer, api: httpx.Client, linkdesk_home: Path
) -> None:
    company = _company(api)
    for action, params in (("open_link", {}), ("select_platform", {"platformKey": "gbol"})):
        _act(api, company, action, **params)
    proc = _track(
        sandbox,
        linkdesk_home,
        company,
        "--until",
        "linked",
        "--timeout",
        "60",
        "--fast-interval",
        "0.2",
    )
    printed = Lines(proc)
    # Its first look prints the connection it finds (step 2), before the customer approves.
    printed.wait_for(lambda line: "Select" in line or "step 2" in line.lower() or bool(line))
    _act(api, company, "consent")
    _act(api, company, "approve")
    out_lines, err = printed.finish()
    out = "\n".join(out_lines)
    assert proc.returncode == 0, err
    assert "Sign in and approve" in out and "done (observed)" in out


def test_a_failed_first_sync_exits_3_only_with_stop_on_problem(
    sandbox: SandboxServer, api: httpx.Client, linkdesk_home: Path
) -> None:
    company = _company(api)
    response = api.post(f"/_sandbox/companies/{company}/scenario", json={"scenario": "sync-error"})
    assert response.status_code == 200, response.text
    proc = _track(
        sandbox,
        linkdesk_home,
        company,
        "--json",
        "--stop-on-problem",
        "--timeout",
        "60",
        "--fast-interval",
        "0.2",
    )
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 3, (out, err)
    assert "needs the agent" in err
    problems = [json.loads(line)["problem"] for line in out.splitlines()]
    assert any(p and p["key"] == "sync_failed" and p["fix"] for p in problems)


def test_a_failed_first_sync_is_not_the_end_of_tracking(
    sandbox: SandboxServer, api: httpx.Client, linkdesk_home: Path
) -> None:
    """Without --stop-on-problem, a problem someone can fix keeps tracking going (here until
    --timeout, exit 4), with the problem and its fix printed."""
    company = _company(api)
    response = api.post(
        f"/_sandbox/companies/{company}/scenario", json={"scenario": "permissions-error"}
    )
    assert response.status_code == 200, response.text
    proc = _track(sandbox, linkdesk_home, company, "--timeout", "8", "--fast-interval", "0.2")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 4, (out, err)
    assert "lacks the rights" in out


class _Lines:
    """The subprocess's stdout, read on a thread, so a test can wait for a line with a bound."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        import threading

        self.lines: list[str] = []
        assert proc.stdout is not None
        stream = proc.stdout
        self._thread = threading.Thread(target=lambda: self.lines.extend(stream), daemon=True)
        self._thread.start()

    def wait_for(self, words: str, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(words in line for line in list(self.lines)):
                return
            time.sleep(0.05)
        raise AssertionError(f"no line with {words!r} in {self.lines}")

    def text(self) -> str:
        self._thread.join(timeout=30)
        return "".join(self.lines)


def _lost_xero(api: httpx.Client) -> str:
    """Issue 13, input 2: a Xero connection linked, synced, then Deauthorized."""
    company = _company(api)
    _act(api, company, "open_link")
    _act(api, company, "select_platform", platformKey="gbol")
    _act(api, company, "consent")
    _act(api, company, "approve")
    _act(api, company, "complete_sync")
    _act(api, company, "deauthorize")
    return company


def test_input_2_until_linked_is_not_reached_by_a_deauthorized_connection(
    sandbox: SandboxServer, api: httpx.Client, linkdesk_home: Path
) -> None:
    company = _lost_xero(api)
    proc = _track(sandbox, linkdesk_home, company, "--until", "linked", "--timeout", "4")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 4, (out, err)  # not 0 at once: it is not Linked now
    assert "Deauthorized" in out and "Send the Link URL again" in out


@pytest.mark.parametrize("until", ["linked", "synced"])
def test_input_2_the_customer_links_the_same_connection_again(
    sandbox: SandboxServer, api: httpx.Client, linkdesk_home: Path, until: str
) -> None:
    company = _lost_xero(api)
    proc = _track(
        sandbox,
        linkdesk_home,
        company,
        "--until",
        until,
        "--timeout",
        "60",
        "--fast-interval",
        "0.2",
    )
    lines = _Lines(proc)
    lines.wait_for("was lost")
    _act(api, company, "reauthorize")
    _, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, (lines.text(), err)
    assert "Linked again" in lines.text()


def test_input_2_the_customer_connects_quickbooks_online_instead(
    sandbox: SandboxServer, api: httpx.Client, linkdesk_home: Path
) -> None:
    company = _lost_xero(api)
    proc = _track(sandbox, linkdesk_home, company, "--timeout", "60", "--fast-interval", "0.2")
    lines = _Lines(proc)
    lines.wait_for("was lost")
    _act(api, company, "open_link")
    _act(api, company, "select_platform", platformKey="qhyg")
    # A customer takes seconds between steps; acting all at once, within one poll, could end
    # the sync before the tracker ever saw the new connection pending.
    lines.wait_for("instead of")
    _act(api, company, "consent")
    _act(api, company, "approve")
    _act(api, company, "complete_sync")
    _, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, (lines.text(), err)
    assert "instead of" in lines.text() and "QuickBooks Online" in lines.text()


@pytest.mark.parametrize("platform", ["pqsw", "hbql"])
def test_input_1_a_one_time_sync_ends_synced_with_a_note(
    sandbox: SandboxServer, api: httpx.Client, linkdesk_home: Path, platform: str
) -> None:
    company = _company(api)
    response = api.post(
        f"/_sandbox/companies/{company}/scenario",
        json={"scenario": f"one-time-sync:{platform}"},
    )
    assert response.status_code == 200, response.text
    proc = _track(
        sandbox, linkdesk_home, company, "--json", "--timeout", "60", "--fast-interval", "0.2"
    )
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, (out, err)
    docs = [json.loads(line) for line in out.splitlines()]
    assert not any(d["problem"] and d["problem"]["key"] == "deauthorized" for d in docs)


def test_timeout_exits_4(sandbox: SandboxServer, api: httpx.Client, linkdesk_home: Path) -> None:
    company = _company(api)
    proc = _track(sandbox, linkdesk_home, company, "--timeout", "1.5", "--fast-interval", "0.2")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 4
    assert "timed out" in err


def test_unknown_company_exits_5(sandbox: SandboxServer, linkdesk_home: Path) -> None:
    proc = _track(sandbox, linkdesk_home, "00000000-0000-4000-8000-000000000000", "--timeout", "20")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 5
    assert "404" in err


def test_rejected_key_exits_2(
    sandbox: SandboxServer, api: httpx.Client, linkdesk_home: Path
) -> None:
    company = _company(api)
    proc = _track(sandbox, linkdesk_home, company, "--timeout", "20", key="not-the-key")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "401" in err


def test_missing_key_exits_2(sandbox: SandboxServer, linkdesk_home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "LINKDESK_API_KEY"}
    env["LINKDESK_HOME"] = str(linkdesk_home)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    proc = subprocess.run(
        [sys.executable, "-m", "desktop", "--api-base", sandbox.base_url, "track", "x"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "No Codat API key" in proc.stderr


def test_input_1_tracking_that_starts_after_the_connector_removed_itself(
    sandbox: SandboxServer, api: httpx.Client, linkdesk_home: Path
) -> None:
    company = _company(api)
    response = api.post(
        f"/_sandbox/companies/{company}/scenario", json={"scenario": "one-time-sync"}
    )
    assert response.status_code == 200, response.text
    deadline = time.monotonic() + 60
    while api.get(f"/_sandbox/companies/{company}").json()["stage"] != "deauthorized":
        assert time.monotonic() < deadline, "the scenario never reached its end"
        time.sleep(0.1)
    proc = _track(sandbox, linkdesk_home, company, "--timeout", "60", "--fast-interval", "0.2")
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, (out, err)
    assert "set to sync once" in out
    assert "was lost" not in out


def test_a_problem_is_printed_with_the_platform_guides_own_fix(
    sandbox: SandboxServer, api: httpx.Client, linkdesk_home: Path
) -> None:
    """NetSuite without Token-based Authentication: the line after the problem is the NetSuite
    guide's troubleshooting entry (what the call page shows), not only the generic advice."""
    company = _company(api)
    response = api.post(
        f"/_sandbox/companies/{company}/scenario", json={"scenario": "netsuite-no-tba"}
    )
    assert response.status_code == 200, response.text
    proc = _track(
        sandbox, linkdesk_home, company, "--stop-on-problem", "--timeout", "60",
        "--fast-interval", "0.2",
    )  # fmt: skip
    _act(api, company, "open_link")
    _act(api, company, "select_platform", platformKey="akxx")
    _act(api, company, "consent")
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 3, (out, err)
    fix = [line.strip() for line in out.splitlines() if line.strip().startswith("What to do:")]
    assert fix and "Token-based Authentication" in fix[0] and "Enable Features" in fix[0], out
