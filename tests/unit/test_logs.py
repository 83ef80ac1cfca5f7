from __future__ import annotations

import base64
import logging
from pathlib import Path

from desktop.core.logs import REDACTED, SECRET_FILTER, close_logging, setup_logging

KEY = "sk_test_SuperSecretValue_42"
B64 = base64.b64encode(KEY.encode()).decode()


def _log_text(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


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
