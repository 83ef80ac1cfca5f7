"""The app quits cleanly on SIGTERM and SIGINT, as it does when its window closes."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.gui_process import gui_env


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_runs_the_clean_shutdown(linkdesk_home: Path, sig: signal.Signals) -> None:
    env = gui_env(linkdesk_home)
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


QUIT_FROM_QT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from desktop.app import root as app
from desktop.cli import build_parser
from desktop.app.shell_wiring import ShellWiring

started = ShellWiring.start
def start(self):
    started(self)
    QTimer.singleShot(1500, QApplication.quit)  # as a session that ends, or Cmd+Q, would
ShellWiring.start = start
sys.exit(app.run_gui(build_parser().parse_args(["gui"])))
"""


def test_qt_quit_runs_the_same_clean_shutdown(linkdesk_home: Path) -> None:
    from desktop.core.paths import default_paths
    from desktop.core.settings import Settings

    env = gui_env(linkdesk_home)
    out = subprocess.run(
        [sys.executable, "-c", QUIT_FROM_QT], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    text = (linkdesk_home / "logs" / "linkdesk.log").read_text()
    assert "LinkDesk stopped" in text and "Traceback" not in text
    # The orderly shutdown ran to its end: it saves where the window was.
    paths = default_paths({"LINKDESK_HOME": str(linkdesk_home)})
    assert Settings.load(paths).get("window_geometry")
