"""The app quits cleanly on SIGTERM and SIGINT, as it does when its window closes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_runs_the_clean_shutdown(linkdesk_home: Path, sig: signal.Signals) -> None:
    env = {
        **os.environ,
        "LINKDESK_HOME": str(linkdesk_home),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    env.pop("LINKDESK_API_KEY", None)
    errors = linkdesk_home.parent / "stderr.txt"
    with errors.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "desktop", "gui"], env=env, stdout=subprocess.DEVNULL, stderr=err
        )
    log = linkdesk_home / "logs" / "linkdesk.log"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if log.exists() and "Embedded sandbox listening" in log.read_text():
                break
            if proc.poll() is not None:
                pytest.fail(f"the app exited early: {errors.read_text()}")
            time.sleep(0.1)
        else:
            pytest.fail("the app did not start its embedded sandbox")
        proc.send_signal(sig)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = log.read_text()
    assert "LinkDesk stopped" in text
    assert "Traceback" not in text
