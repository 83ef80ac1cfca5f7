"""Fail a test that logs a warning or an error it did not expect (qutebrowser's logfail, our way).

A warning in the log is how LinkDesk says that something went wrong without raising; a test that
passes while the app quietly logs an error has not shown what it claims. Every test therefore runs
with a handler on the root logger that keeps WARNING and above, and fails at teardown if any such
record is left that the test did not declare:

- ``@pytest.mark.expected_logs(r"regex", ...)``: records whose message matches one of the
  patterns (``re.search``) are expected; the test asserts on them itself where it matters.
- A test that takes the ``caplog`` fixture reads the log itself, so it is exempt.

Records from other threads (the sandbox's server thread, uvicorn) reach the same root logger and
count too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def unexpected(records: list[logging.LogRecord], patterns: list[str]) -> list[str]:
    """The records (as ``LEVEL name: message`` lines) that no pattern matches."""
    compiled = [re.compile(p) for p in patterns]
    lines = []
    for record in records:
        message = record.getMessage()
        if not any(p.search(message) for p in compiled):
            lines.append(f"{record.levelname} {record.name}: {message}")
    return lines


@pytest.fixture(autouse=True)
def fail_on_unexpected_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    handler = _Keep()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
    if "caplog" in request.fixturenames:
        return
    patterns: list[str] = []
    for marker in request.node.iter_markers("expected_logs"):
        patterns.extend(marker.args)
    lines = unexpected(handler.records, patterns)
    if lines:
        shown = "\n  ".join(lines[:10])
        pytest.fail(
            f"{len(lines)} unexpected warning/error log record(s):\n  {shown}\n"
            "Declare expected ones with @pytest.mark.expected_logs(r'pattern').",
            pytrace=False,
        )
