"""The PyInstaller one-folder build paints its window, and its `doctor` resolves the keyring backend."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import pytest

from desktop import __version__
from tests.e2e.gui_process import gui_env

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.frozen
@pytest.mark.slow
def test_frozen_build_smoke(tmp_path: Path, linkdesk_home: Path) -> None:
    if shutil.which("objdump") is None:
        pytest.fail("PyInstaller needs objdump: run 'make test', which installs binutils")
    dist = ROOT / "build" / "frozen-dist"
    work = ROOT / "build" / "frozen-work"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(ROOT / "build.spec"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )
    assert build.returncode == 0, build.stderr[-4000:]
    exe = dist / "linkdesk" / "linkdesk"
    assert exe.exists()
    # The windowed executable for desktop shortcuts sits beside it, sharing its libraries.
    assert (dist / "linkdesk" / "linkdesk-gui").exists()
    # One source for the version: desktop.__version__, in the bundle as in the package metadata.
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60)
    assert (
        version.stdout.strip()
        == f"LinkDesk {__version__}"
        == f"LinkDesk {metadata.version('linkdesk')}"
    )
    env = gui_env(linkdesk_home)
    out = subprocess.run(
        [str(exe), "gui", "--smoke"], capture_output=True, text=True, timeout=120, env=env
    )
    assert out.returncode == 0, out.stderr[-4000:]
    assert "smoke: window painted" in out.stdout
    # The app reads the keyring only after its first frame; doctor proves the backends resolve.
    out = subprocess.run([str(exe), "doctor"], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stdout + out.stderr[-4000:]
    assert "keyring backend: keyring.backends.null.Keyring" in out.stdout
    # The windowed executable opens the desktop app by itself, with no command.
    windowed = subprocess.run(
        [str(dist / "linkdesk" / "linkdesk-gui"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert windowed.returncode == 0, windowed.stderr[-4000:]
    assert "smoke: window painted" in windowed.stdout
    # Without the override, the bundle must still find keyring's backends (entry points).
    env.pop("PYTHON_KEYRING_BACKEND")
    out = subprocess.run([str(exe), "doctor"], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stdout + out.stderr[-4000:]
    assert "keyring backend: keyring.backends." in out.stdout
    assert "could not be loaded" not in out.stdout
    # The bundle runs for real too: the qasync loop, the embedded sandbox (Starlette, uvicorn),
    # the guides and the call database, then a clean shutdown on SIGTERM.
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    log = linkdesk_home / "logs" / "linkdesk.log"
    proc = subprocess.Popen(
        [str(exe), "gui"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while "Embedded sandbox listening" not in (log.read_text() if log.exists() else ""):
            assert proc.poll() is None, "the bundled app exited early"
            assert time.monotonic() < deadline, "the bundled app did not start its sandbox"
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in log.read_text()
