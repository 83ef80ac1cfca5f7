from __future__ import annotations

import asyncio
import sys

import pytest

from desktop.core.crash import CrashHandler, CrashReport, build_report
from desktop.core.logs import SECRET_FILTER
from desktop.core.tasks import BackgroundTasks


@pytest.mark.asyncio
async def test_failures_are_routed_to_the_one_handler() -> None:
    seen: list[tuple[str, str]] = []
    tasks = BackgroundTasks(on_error=lambda exc, name: seen.append((type(exc).__name__, name)))

    async def boom() -> None:
        raise RuntimeError("nope")

    task = tasks.spawn(boom(), name="boom")
    await asyncio.wait([task])
    await asyncio.sleep(0)
    assert seen == [("RuntimeError", "boom")]


@pytest.mark.asyncio
async def test_cancel_all_leaves_nothing_running_and_refuses_new_work() -> None:
    tasks = BackgroundTasks()
    started = asyncio.Event()

    async def forever() -> None:
        started.set()
        await asyncio.sleep(3600)

    for i in range(5):
        tasks.spawn(forever(), name=f"t{i}")
    await started.wait()
    assert len(tasks.running) == 5
    await tasks.cancel_all()
    assert tasks.running == []

    async def late() -> None:
        return None

    with pytest.raises(RuntimeError):
        tasks.spawn(late(), name="late")


def test_crash_report_has_traceback_and_no_secret() -> None:
    SECRET_FILTER.add_secret("sk_crash_secret_123")
    try:
        raise KeyError("sk_crash_secret_123")
    except KeyError as exc:
        report = build_report(exc, "unit test")
    assert "Traceback" in report.details and "unit test" in report.details
    assert "sk_crash_secret_123" not in report.details + report.summary


@pytest.mark.expected_logs(r"^Unhandled error in ")
def test_excepthook_and_loop_handler_show_reports() -> None:
    shown: list[CrashReport] = []
    handler = CrashHandler(show=shown.append)
    handler.install()
    try:
        assert sys.excepthook == handler.excepthook
        try:
            raise ValueError("from a slot")
        except ValueError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
        loop = asyncio.new_event_loop()
        try:
            handler.loop_handler(loop, {"message": "Task exception", "exception": OSError("disk")})
        finally:
            loop.close()
    finally:
        handler.uninstall()
    assert [r.summary for r in shown] == ["ValueError: from a slot", "OSError: disk"]
