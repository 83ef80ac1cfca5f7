"""What the window says at start when a file could not be used as it is."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox

from desktop.core.logs import close_logging, setup_logging
from desktop.core.paths import default_paths
from desktop.core.settings import SCHEMA_VERSION
from tests.e2e.conftest import RunningShell


def _boxes(running: RunningShell) -> dict[str, str]:
    return {box.windowTitle(): box.text() for box in running.window.findChildren(QMessageBox)}


def test_a_newer_settings_file_is_kept_and_the_agent_told(
    make_shell: Callable[..., RunningShell], linkdesk_home: Path
) -> None:
    paths = default_paths().ensure()
    newer = {"version": SCHEMA_VERSION + 1, "global": {"theme": "dark"}, "profiles": {}}
    paths.settings_file.write_text(json.dumps(newer), encoding="utf-8")
    running = make_shell()
    boxes = _boxes(running)
    assert "Settings reset" not in boxes
    assert "written by a newer LinkDesk" in boxes["Settings kept"]


def test_logs_that_cannot_be_written_are_said_once(
    make_shell: Callable[..., RunningShell], linkdesk_home: Path, capsys: Any
) -> None:
    paths = default_paths().ensure()
    paths.log_file.mkdir()  # a folder where the log file should be
    setup_logging(paths.log_file)
    try:
        logging.getLogger("linkdesk").info("starting")  # run_gui logs this before the window
        running = make_shell()
        assert "cannot write the log file" in _boxes(running)["Logs cannot be written"]
    finally:
        close_logging()
    assert capsys.readouterr().err.count("cannot write the log file") == 1
