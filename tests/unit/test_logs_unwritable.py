"""Logging never takes the app down: a read-only home, a full disk, a failed reopen after rotation.

Each case logs through the real ``logging`` machinery, so an exception escaping the handler would
fail the test, and checks that the handler said once (on stderr) that logs cannot be written.
"""

from __future__ import annotations

import errno
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.core.logs import RotatingLog, close_logging, log_failure, setup_logging

ROOT = Path(__file__).resolve().parents[2]


class _FullDisk:
    """A text stream that accepts nothing: every write and flush fails with ENOSPC."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    def tell(self) -> int:
        return 0

    def close(self) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    log = logging.getLogger("test.unwritable")
    log.propagate = False
    yield log
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()
    log.propagate = True


def _attach(log: logging.Logger, handler: logging.Handler) -> None:
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)


def _said_once(err: str) -> None:
    assert err.count("cannot write the log file") == 1, err
    assert "Traceback" not in err and "Logging error" not in err, err


def test_a_stream_that_raises_enospc_is_reported_once_and_never_raises(
    tmp_path: Path, logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = RotatingLog(tmp_path / "a.log", max_bytes=10_000, backups=1)
    _attach(logger, handler)
    handler.stream = _FullDisk()  # type: ignore[assignment]
    for n in range(50):
        logger.warning("record %d", n)
    handler.flush()
    handler.close()  # what quitting does: must not raise either
    assert handler.failure is not None and "No space left on device" in handler.failure
    _said_once(capsys.readouterr().err)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
def test_a_real_full_disk(
    tmp_path: Path, logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "full.log"
    path.symlink_to("/dev/full")  # every write there fails with ENOSPC
    handler = RotatingLog(path, max_bytes=10_000, backups=1)
    _attach(logger, handler)
    for n in range(20):
        logger.error("record %d", n)
    handler.close()
    assert handler.failure is not None
    _said_once(capsys.readouterr().err)


@pytest.mark.expected_logs(r"^record \d+$")
def test_a_log_folder_that_cannot_be_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A file where the logs folder should be: what a read-only home does, even for root.
    (tmp_path / "logs").write_text("not a folder", encoding="utf-8")
    setup_logging(tmp_path / "logs" / "linkdesk.log")
    try:
        for n in range(10):
            logging.getLogger("test.unwritable.setup").warning("record %d", n)
        assert log_failure() is not None
    finally:
        close_logging()
    _said_once(capsys.readouterr().err)


def test_a_read_only_folder(
    tmp_path: Path, logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        handler = RotatingLog(folder / "linkdesk.log", max_bytes=10_000, backups=1)
        if not hasattr(os, "geteuid") or os.geteuid() == 0:
            # Root (as in CI) writes through a folder's mode bits: refuse the file as a
            # read-only home's folder does, at the one place the handler opens it.
            def refuse(*args: object, **kwargs: object) -> object:
                raise PermissionError(errno.EACCES, "Permission denied", str(args[0]))

            # FileHandler's _builtin_open is private: typeshed does not declare it.
            handler._builtin_open = refuse  # type: ignore[attr-defined]
        _attach(logger, handler)
        logger.warning("first line")
        logger.warning("second line")
    finally:
        folder.chmod(0o755)
    assert not (folder / "linkdesk.log").exists()
    _said_once(capsys.readouterr().err)


def test_a_failed_rotation_is_reported_once(
    tmp_path: Path, logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rot.log"
    # A non-empty folder where the rotated file must go: os.replace fails at every rotation.
    (tmp_path / "rot.log.1").mkdir()
    (tmp_path / "rot.log.1" / "keep").write_text("x", encoding="utf-8")
    handler = RotatingLog(path, max_bytes=100, backups=1)
    _attach(logger, handler)
    for n in range(30):
        logger.warning("record %02d %s", n, "x" * 30)
    handler.close()
    assert handler.failure is not None
    _said_once(capsys.readouterr().err)


def test_the_app_process_survives_a_log_file_it_cannot_open(tmp_path: Path) -> None:
    """``linkdesk gui --smoke`` with the log file a folder: exit 0, one line on stderr."""
    home = tmp_path / "home"
    (home / "logs" / "linkdesk.log").mkdir(parents=True)
    env: dict[str, Any] = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LINKDESK_HOME": str(home),
        "QT_QPA_PLATFORM": "offscreen",
    }
    env.pop("LINKDESK_API_KEY", None)
    out = subprocess.run(
        [sys.executable, "-m", "desktop", "gui", "--smoke", "--sandbox"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    _said_once(out.stderr)
