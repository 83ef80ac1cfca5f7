from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest

from desktop.core.logs import REDACTED, SECRET_FILTER, RotatingLog, close_logging, setup_logging

KEY = "sk_test_SuperSecretValue_42"
B64 = base64.b64encode(KEY.encode()).decode()


def _log_text(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


@pytest.mark.expected_logs(r"^header Authorization", r"^failure$")
def test_key_base64_and_authorization_values_never_reach_the_log(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "linkdesk.log"
    setup_logging(log_file)
    SECRET_FILTER.add_secret(KEY)
    try:
        log = logging.getLogger("test.redaction")
        log.info("key is %s", KEY)
        log.warning("header Authorization: Basic %s", B64)
        log.info("headers=%r", {"Authorization": "Basic c29tZXRoaW5nZWxzZQ=="})
        log.info("raw b64 %s", B64)
        log.info("another token: Authorization=Bearer abc.def.ghi")
        try:
            raise ValueError(f"bad key {KEY}")
        except ValueError:
            log.exception("failure")
        text = _log_text(log_file)
    finally:
        close_logging()
    assert KEY not in text
    assert B64 not in text
    assert "c29tZXRoaW5nZWxzZQ" not in text
    assert "abc.def.ghi" not in text
    assert text.count(REDACTED) >= 6
    assert "ValueError" in text and "failure" in text


def test_setup_is_idempotent(tmp_path: Path) -> None:
    setup_logging(tmp_path / "a.log")
    setup_logging(tmp_path / "a.log")
    try:
        ours = [h for h in logging.getLogger().handlers if getattr(h, "_linkdesk", False)]
        assert len(ours) == 1
    finally:
        close_logging()


def test_the_log_rotates_at_its_size_and_keeps_a_bounded_number_of_old_files(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rot.log"
    handler = RotatingLog(path, max_bytes=1_000, backups=2)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger("test.rotation")
    log.propagate = False
    log.addHandler(handler)
    try:
        for n in range(100):
            log.warning("record %03d %s", n, "x" * 40)
    finally:
        log.removeHandler(handler)
        handler.close()
        log.propagate = True
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["rot.log", "rot.log.1", "rot.log.2"]
    for name in names:
        assert (tmp_path / name).stat().st_size <= 1_000 + 60  # one record past the limit at most
    live = (tmp_path / "rot.log").read_text(encoding="utf-8").splitlines()
    newest_old = (tmp_path / "rot.log.1").read_text(encoding="utf-8").splitlines()
    oldest = (tmp_path / "rot.log.2").read_text(encoding="utf-8").splitlines()
    assert live[-1].startswith("record 099")
    # Whole records only, in order across the files, and the oldest ones are gone.
    numbers = [int(line.split()[1]) for line in oldest + newest_old + live]
    assert numbers == list(range(numbers[0], 100))
    assert numbers[0] > 0


def test_without_backups_a_full_log_starts_again(tmp_path: Path) -> None:
    path = tmp_path / "solo.log"
    handler = RotatingLog(path, max_bytes=200, backups=0)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for n in range(20):
        handler.emit(logging.makeLogRecord({"msg": f"line {n:02d} " + "y" * 20}))
    handler.close()
    assert [p.name for p in tmp_path.iterdir()] == ["solo.log"]
    assert path.read_text(encoding="utf-8").splitlines()[-1].startswith("line 19")
