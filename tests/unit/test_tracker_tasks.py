"""The tracker's tasks go through ``desktop.core.tasks.BackgroundTasks``: each is referenced until
it ends, what escapes one is reported as an internal error (never lost until garbage collection),
and ``aclose`` leaves none running."""

from __future__ import annotations

import pytest

from desktop.core.journey import Observation
from desktop.core.tracker import Tracker, TrackerSettings
from desktop.core.tracker.scheduler import _Tracked
from tests.unit.tracker_fakes import COMPANY, run_until, scripted_journey

CONN = "11111111-0000-4000-8000-0000000000c1"

SETTINGS = TrackerSettings(
    fast_interval=2.0, medium_interval=10.0, slow_interval=300.0, stagger=0.0
)


class ApplyBug(Exception):
    """Stands for a bug met while an answer is applied (after _poll's own error handling)."""


@pytest.mark.asyncio
async def test_a_request_task_that_fails_is_reported_and_tracking_goes_on() -> None:
    clock, codat, _t0 = scripted_journey(CONN, queued_at=125.0)
    reported: list[tuple[BaseException, str]] = []
    tracker = Tracker(
        codat,
        clock=clock,
        settings=SETTINGS,
        on_internal_error=lambda exc, where: reported.append((exc, where)),
    )
    real_apply = tracker._apply
    failed: list[bool] = []

    def apply_once_badly(tracked: _Tracked, obs: Observation) -> None:
        if not failed:
            failed.append(True)
            raise ApplyBug("the first answer could not be applied")
        real_apply(tracked, obs)

    tracker._apply = apply_once_badly  # type: ignore[method-assign]
    async with tracker:
        tracker.track(COMPANY)
        # The next request goes out all the same (the first answer's was the one lost).
        await run_until(tracker, clock, lambda: len(codat.calls) >= 2, seconds=60)
        assert {t.get_name() for t in tracker.tasks} <= {"tracker", f"tracker:{COMPANY}"}
    assert [type(exc) for exc in tracker.internal_errors] == [ApplyBug]
    assert reported and reported[0][1] == f"task tracker:{COMPANY}"
    assert tracker.tasks == ()  # aclose left nothing running
