"""Kill LinkDesk with SIGKILL mid-journey, restart it: same timeline and notes, tracking resumed."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from desktop.sandbox.server import control_headers
from tests.e2e.call_driver import NOTES

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "crash-test-key"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


class Proc:
    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("w") as err:
            self.popen = subprocess.Popen(
                args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True
            )
        self.lines: queue.Queue[str] = queue.Queue()
        assert self.popen.stdout is not None
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(
        self, match: Callable[[dict[str, Any]], bool], timeout: float = 30.0
    ) -> dict[str, Any]:
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                self.kill()
                err = self.log.read_text()
                raise AssertionError(
                    f"no matching line within {timeout} s; stderr:\n{err}"
                ) from None
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if isinstance(data, dict) and match(data):
                return data

    def kill(self) -> None:
        if self.popen.poll() is None:
            os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)
        if self.popen.stdout is not None:
            self.popen.stdout.close()


@pytest.fixture
def env(linkdesk_home: Path) -> dict[str, str]:
    linkdesk_home.mkdir(parents=True, exist_ok=True)
    out = dict(os.environ)
    out.update(
        LINKDESK_HOME=str(linkdesk_home),
        LINKDESK_API_KEY=API_KEY,
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        QT_QPA_PLATFORM="offscreen",
    )
    return out


@pytest.fixture
def sandbox(env: dict[str, str]) -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop", "sandbox", "--api-key", API_KEY],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    base = proc.stdout.readline().strip()
    assert base.startswith("http://127.0.0.1:"), base
    yield base
    proc.terminate()
    proc.wait(timeout=10)
    proc.stdout.close()


def drive(base: str, company_id: str, action: str, **extra: Any) -> None:
    with httpx.Client(trust_env=False, headers=control_headers(API_KEY)) as http:
        answer = http.post(
            f"{base}/_sandbox/companies/{company_id}/journey", json={"action": action, **extra}
        )
    assert answer.status_code == 200, answer.text


def driver(mode: str, base: str, env: dict[str, str]) -> Proc:
    log = Path(env["LINKDESK_HOME"]) / f"driver-{mode}.stderr"
    return Proc([sys.executable, "-m", "tests.e2e.call_driver", mode, base], env, log)


def test_sigkill_mid_journey_then_resume(sandbox: str, env: dict[str, str]) -> None:
    first = driver("start", sandbox, env)
    try:
        typed = first.wait_for(lambda d: d.get("event") == "typed")
        company = typed["company_id"]
        drive(sandbox, company, "open_link")
        drive(sandbox, company, "select_platform", platformKey="qhyg")
        before = first.wait_for(
            lambda d: d.get("event") == "state" and d["steps"].get("2") == "done"
        )
    finally:
        first.kill()
    assert first.popen.returncode == -signal.SIGKILL
    assert before["notes"] == NOTES

    second = driver("resume", sandbox, env)
    try:
        restored = second.wait_for(lambda d: d.get("event") == "state")
        assert restored["call_id"] == before["call_id"]
        assert restored["notes"] == NOTES
        assert restored["timeline"][: len(before["timeline"])] == before["timeline"]
        assert restored["steps"]["1"] == "done"  # the agent's confirmation survived
        second.wait_for(lambda d: d.get("event") == "resumed")
        drive(sandbox, company, "consent")
        drive(sandbox, company, "approve")
        after = second.wait_for(
            lambda d: d.get("event") == "state" and d["steps"].get("4") == "done"
        )
        told = after["timeline"]
        # The restarted tracker saw again what was already on the timeline: not told twice.
        following = [line for line in told if line.startswith("Following the")]
        assert len(following) == 1, told
        platform = [line for line in told if "is connecting QuickBooks Online" in line]
        assert len(platform) == 1, told
        assert any("Step 4" in line for line in told)
    finally:
        second.kill()
