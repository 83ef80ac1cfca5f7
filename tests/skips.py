"""Under CI=true a skipped test fails the run, unless it is on this short list.

A test that skips passes nothing: on a machine missing what it needs it would hide a broken
feature behind a green run. CI installs everything the suite needs (`make test` does), so there a
skip means something is missing, and that is a failure. The only skips allowed are those that
cannot be helped on the machine CI runs on; each says why.
"""

from __future__ import annotations

import os

import pytest

# node id prefix -> why it may skip under CI
ALLOWED_IN_CI: dict[str, str] = {
    "tests/e2e/test_crash_resume.py": "SIGKILL does not exist on Windows (skipif on win32 only)",
}


def allowed(nodeid: str) -> bool:
    return any(nodeid.startswith(prefix) for prefix in ALLOWED_IN_CI)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    if (
        os.environ.get("CI") == "true"
        and report.skipped
        and not hasattr(report, "wasxfail")
        and not allowed(item.nodeid)
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = (
            f"skipped under CI=true, which fails the run: {reason}\n"
            "CI must run every test; only tests/skips.py:ALLOWED_IN_CI may skip there."
        )
    return None
