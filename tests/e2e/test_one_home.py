"""One home, one LinkDesk: a second start brings the first window to the front instead.

Real processes on one LINKDESK_HOME: the first window holds the home's lock and listens; a second
``linkdesk gui`` asks it to come forward and exits 0; a home held by a command is refused with
exit code 6; a lock left by a killed process does not stop the next start.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtNetwork import QLocalSocket

from desktop.commands.exits import HOME_IN_USE as EXIT_HOME_IN_USE
from desktop.core.instance_lock import HomeInUse, HomeLock
from desktop.core.paths import default_paths
from tests.e2e.gui_process import gui_env

posix_only = pytest.mark.skipif(os.name != "posix", reason="signals as on Linux and macOS")


def _data(home: Path) -> Path:
    return default_paths({"LINKDESK_HOME": str(home)}).data


def _gui(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", "gui", "--sandbox", *args],
        env=gui_env(home),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _wait_until_listening(proc: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the first LinkDesk exited early ({proc.returncode})")
        probe = QLocalSocket()
        probe.connectToServer(name)
        if probe.waitForConnected(200):
            probe.disconnectFromServer()
            return
        time.sleep(0.1)
    pytest.fail("the first LinkDesk never listened for a second start")


@posix_only
@pytest.mark.slow
def test_a_second_start_brings_the_first_window_forward(
    linkdesk_home: Path, tmp_path: Path
) -> None:
    # The first window's stderr is kept, with Python's fault handler on: it once ended with
    # SIGSEGV on SIGTERM (a clean Debian run; about 1 in 20 locally), and its stack is wanted.
    errors = tmp_path / "first-stderr.txt"
    with errors.open("w", encoding="utf-8") as stderr:
        first = subprocess.Popen(
            [sys.executable, "-m", "desktop", "gui", "--sandbox"],
            env={**gui_env(linkdesk_home), "PYTHONFAULTHANDLER": "1"},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        lock = HomeLock(_data(linkdesk_home))
        _wait_until_listening(first, lock.server_name())
        assert lock.read_holder().pid == first.pid
        assert lock.read_holder().role == "window"

        second = _gui(linkdesk_home)

        assert second.returncode == 0, second.stdout + second.stderr
        assert "already open" in second.stdout and "brought it to the front" in second.stdout
        assert first.poll() is None  # the first one is still there
        log = (linkdesk_home / "logs" / "linkdesk.log").read_text(encoding="utf-8")
        assert log.count("brought the window to the front") == 1
        assert log.count("starting (profile") == 1  # the second never started its own window
    finally:
        first.send_signal(signal.SIGTERM)
        code = first.wait(timeout=30)
        assert code == 0, errors.read_text(encoding="utf-8")[-6000:]


def test_a_home_held_by_a_command_is_refused_with_exit_6(linkdesk_home: Path) -> None:
    lock = HomeLock(default_paths().ensure().data)
    lock.acquire("calls import")
    try:
        out = _gui(linkdesk_home, "--smoke")
    finally:
        lock.release()
    assert out.returncode == EXIT_HOME_IN_USE == 11
    assert f"linkdesk calls import (process {os.getpid()}) is already using" in out.stderr
    assert "only one LinkDesk may use a home at a time" in out.stderr
    assert "smoke:" not in out.stdout


@posix_only
def test_a_lock_left_by_a_killed_process_does_not_stop_the_next_start(linkdesk_home: Path) -> None:
    data = default_paths().ensure().data
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path\n"
            "from desktop.core.instance_lock import HomeLock\n"
            "lock = HomeLock(Path(sys.argv[1])); lock.acquire('window')\n"
            "print('held', flush=True)\n"
            "time.sleep(600)",
            str(data),
        ],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert holder.stdout is not None
    with holder.stdout:
        assert holder.stdout.readline() == b"held\n"
        with pytest.raises(HomeInUse):
            HomeLock(data).acquire("window")
        holder.kill()
        holder.wait()
    assert HomeLock(data).read_holder().pid == holder.pid  # the file is still there

    out = _gui(linkdesk_home, "--smoke")

    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("smoke: window painted")


def test_the_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    first, second = HomeLock(tmp_path), HomeLock(tmp_path)
    first.acquire("window")
    with pytest.raises(HomeInUse) as busy:
        second.acquire("track")
    assert busy.value.holder.pid == os.getpid() and busy.value.holder.role == "window"
    first.release()
    second.acquire("track")
    assert second.held and second.read_holder().role == "track"
    second.release()
