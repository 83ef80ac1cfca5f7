"""Codat's daily request quota, counted per UTC day from the injected clock.

Codat's quota is 1,000 x (1 + active connected companies) a day; the sandbox reports that figure
unless a fixed ``quota`` is set, and only a set quota is ever enforced.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

from desktop.sandbox.model import iso

DAY = 86400.0


class RateLimiter:
    def __init__(self, clock: Callable[[], float], linked_companies: Callable[[], int]) -> None:
        self._clock = clock
        self._linked = linked_companies
        self._lock = threading.Lock()
        self._day = -1
        self._used = 0

    def take(self, quota: int | None, *, count: bool = True) -> tuple[bool, dict[str, str], float]:
        """Count one request (unless ``count`` is false, for answers that cost nothing).

        Returns (allowed, the X-Rate-Limit-* headers, seconds until the quota resets).
        """
        now = self._clock()
        day = int(now // DAY)
        limit = quota if quota is not None else 1000 * (1 + self._linked())
        with self._lock:
            if day != self._day:
                self._day, self._used = day, 0
            allowed = quota is None or self._used < limit
            if allowed and count:
                self._used += 1
            remaining = max(0, limit - self._used)
        reset_at = (day + 1) * DAY
        headers = {
            "X-Rate-Limit-Limit": str(limit),
            "X-Rate-Limit-Remaining": str(remaining),
            "X-Rate-Limit-Reset": iso(reset_at),
        }
        return allowed, headers, max(1.0, math.ceil(reset_at - now))
