"""The team hub from the command line: ``hub register``, ``hub --embedded-nats`` and ``track --hub``,
each a real process, with Codat played by the sandbox; the journey is followed by events alone."""

from __future__ import annotations

import base64
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from desktop.hub.nats_server import free_port
from desktop.sandbox.server import SandboxServer

KEY = "linkdesk-sandbox"
pytestmark = pytest.mark.slow


class Lines:
    """A process's output read on a thread, so a test can wait for a line with a bound."""

    def __init__(self, stream: object) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: object) -> None:
        try:
            for line in stream:  # type: ignore[attr-defined]
                self.lines.put(line.rstrip("\n"))
        except (ValueError, OSError):  # closed by Popen.__exit__ at the end of the test
            pass

    def wait_for(self, needle: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append(line)
            if needle in line:
                return line
        raise AssertionError(f"no line with {needle!r} within {timeout} s; saw {self.seen}")


def _env(home: Path) -> dict[str, str]:
    return dict(os.environ, LINKDESK_API_KEY=KEY, LINKDESK_HOME=str(home))


def _cli(*args: str, home: Path, base: str) -> list[str]:
    return [sys.executable, "-m", "desktop", "--api-base", base, *args]


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(api_key=KEY) as server:
        yield server


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def test_register_hub_and_track_follow_a_journey_to_synced_by_events(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    port = free_port()
    secret_file = tmp_path / "webhook-secret"
    base = sandbox.base_url
    registered = subprocess.run(
        _cli("hub", "register", "--public-url", f"http://127.0.0.1:{port}",
             "--sandbox-secret-file", str(secret_file), home=home, base=base),
        env=_env(home), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert registered.returncode == 0, registered.stderr
    assert "webhook consumer" in registered.stdout
    assert secret_file.stat().st_mode & 0o077 == 0
    secret = secret_file.read_text().strip()
    assert secret not in registered.stdout + registered.stderr

    with subprocess.Popen(
        _cli("hub", "--port", str(port), "--embedded-nats", "--data", str(tmp_path / "hub"),
             "--webhook-secret-file", str(secret_file), home=home, base=base),
        env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as hub:  # fmt: skip
        hub_err, nats_port = _follow_a_journey(hub, port, home, base)
        hub.send_signal(signal.SIGTERM)
        code = hub.wait(30)
    assert code == 0
    assert not _accepts(nats_port)  # the embedded nats-server stopped with the hub
    log = "\n".join(hub_err.seen)
    assert secret not in log


def _follow_a_journey(
    hub: subprocess.Popen[str], port: int, home: Path, base: str
) -> tuple[Lines, int]:
    try:
        hub_err = Lines(hub.stderr)
        nats_url = hub_err.wait_for("embedded nats-server at").split(" at ")[1].split(",")[0]
        assert Lines(hub.stdout).wait_for("http://") == f"http://127.0.0.1:{port}"
        token = base64.b64encode(KEY.encode()).decode()
        with httpx.Client(base_url=base, trust_env=False, timeout=10) as api:
            company = api.post(
                "/companies", json={"name": "Hub CLI"}, headers={"Authorization": f"Basic {token}"}
            ).json()["id"]
            with subprocess.Popen(
                _cli("track", company, "--hub", nats_url, "--fast-interval", "600",
                     "--timeout", "90", home=home, base=base),
                env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            ) as track:  # fmt: skip
                out, track_err = _drive(api, company, track)
        assert track.returncode == 0, track_err.seen
        assert "Sync of" in out and "Phase: finished." in out
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", trust_env=False).json()
        assert health["nats"] == "connected" and health["lastSeq"] >= 4
        nats_port = int(nats_url.rsplit(":", 1)[1])
        assert _accepts(nats_port)
        return hub_err, nats_port
    except BaseException:
        hub.send_signal(signal.SIGTERM)  # so that it stops its nats-server too
        try:
            hub.wait(20)
        except subprocess.TimeoutExpired:
            hub.kill()
        raise


def _drive(api: httpx.Client, company: str, track: subprocess.Popen[str]) -> tuple[str, Lines]:
    track_err = Lines(track.stderr)
    track_err.wait_for("live, team hub")
    for action, extra in [
        ("open_link", {}),
        ("select_platform", {"platformKey": "gbol"}),
        ("consent", {}),
        ("approve", {}),
        ("complete_sync", {}),
    ]:
        answer = api.post(
            f"/_sandbox/companies/{company}/journey",
            json={"action": action, **extra},
            headers={"Authorization": "Basic " + base64.b64encode(KEY.encode()).decode()},
        )
        assert answer.status_code == 200, answer.text
    assert track.stdout is not None
    out = track.stdout.read()
    track.wait(90)
    return out, track_err
