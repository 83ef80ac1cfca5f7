"""Time for the tracker and anything else that waits: the real one, or a simulated one for tests.

The tracker never calls ``time`` or ``asyncio.sleep`` itself. With ``FakeClock`` a test or benchmark
runs a 20-minute call in seconds, and the sandbox can be handed the same clock (``clock.now``) so
both sides agree on what time it is.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    def now(self) -> float:
        """Epoch seconds."""
        ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """Wall-clock time and real sleeping."""

    virtual = False

    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


Alarm = Callable[[], Awaitable[None] | None]


class FakeClock:
    """Virtual time that jumps forward instantly when someone sleeps.

    Alarms (``call_at``) let a script act at a given virtual moment, for example a simulated
    customer approving the connection at minute 7: a sleep that crosses an alarm's time moves the
    clock to that moment and runs the alarm to its end. With ``wake_on_alarm`` (the default) the
    sleep then returns early, as if woken, so that a scheduler can react to what the alarm did;
    otherwise it carries on to its full length.
    Meant for one sleeper at a time (the tracker has a single scheduler); concurrent sleepers each
    move time forward by their own amount. Alarms should not be cancelled half-way: a sleeper that
    races a sleep against something else should let the sleep finish.
    """

    virtual = True

    def __init__(self, start: float = 1_750_000_000.0, *, wake_on_alarm: bool = True) -> None:
        self._now = float(start)
        self.wake_on_alarm = wake_on_alarm
        self._alarms: list[tuple[float, int, Alarm]] = []
        self._order = itertools.count()
        self.slept = 0.0  # total virtual seconds slept, for benchmarks

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward without running alarms (for tests of pure time arithmetic)."""
        self._now += max(0.0, seconds)

    def call_at(self, when: float, alarm: Alarm) -> None:
        heapq.heappush(self._alarms, (when, next(self._order), alarm))

    def call_later(self, delay: float, alarm: Alarm) -> None:
        self.call_at(self._now + delay, alarm)

    @property
    def pending_alarms(self) -> int:
        return len(self._alarms)

    async def sleep(self, seconds: float) -> None:
        start = self._now
        target = self._now + max(0.0, seconds)
        while self._alarms and self._alarms[0][0] <= target:
            when, _, alarm = heapq.heappop(self._alarms)
            self._now = max(self._now, when)
            result = alarm()
            if result is not None:
                await result
            if self.wake_on_alarm:
                self.slept += self._now - start
                await asyncio.sleep(0)
                return
        self._now = max(self._now, target)
        self.slept += self._now - start
        # Let other tasks run, as a real sleep would.
        await asyncio.sleep(0)
