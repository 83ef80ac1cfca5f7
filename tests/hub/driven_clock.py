"""An injected clock that moves only when the test moves it, for runs against real servers.

``FakeClock`` jumps to whatever a sleeper asks, which suits a tracker alone; beside a real hub whose
heartbeats arrive in real time it would race ahead. Here the test says how much time passes
(``advance``); the tracker's sleeps end when the clock passes their deadline, the sandbox and the
feed read the same ``now``.
"""

from __future__ import annotations

import asyncio
import time


class DrivenClock:
    virtual = False  # the tracker must wait for the test to move time, not move it itself

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else float(start)
        self._moved = asyncio.Event()

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += max(0.0, seconds)
        moved, self._moved = self._moved, asyncio.Event()
        moved.set()

    async def sleep(self, seconds: float) -> None:
        target = self._now + max(0.0, seconds)
        while self._now < target:
            await self._moved.wait()
        await asyncio.sleep(0)
