"""The request budget: this installation's own hourly budget, and Codat's quota as its headers tell.

Codat's quota (about 1,000 requests a day per connected company) is shared by every agent of the
client organisation, so the tracker stretches its intervals as ``X-Rate-Limit-Remaining`` falls,
and holds everything when it reaches zero or when Codat answers 429 with a ``Retry-After``.
"""

from __future__ import annotations

import collections
from datetime import datetime
from email.utils import parsedate_to_datetime

from desktop.core.codat.models import RateLimit, parse_datetime
from desktop.core.tracker.policy import stretch

HOUR = 3600.0


def parse_reset(value: str | None, now: float) -> float | None:
    """``X-Rate-Limit-Reset`` as epoch seconds: an ISO or HTTP date, epoch seconds, or seconds left."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        return number if number > 1e9 else now + max(0.0, number)
    parsed: datetime | None = parse_datetime(text)
    if parsed is None:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return parsed.timestamp()


class Budget:
    def __init__(self, per_hour: int) -> None:
        self.per_hour = max(1, per_hour)
        self._sent: collections.deque[float] = collections.deque()
        self.codat: RateLimit | None = None
        self._codat_seen_at = 0.0
        self.hold_until = 0.0  # a 429's Retry-After, or an exhausted quota: nobody asks before

    def _trim(self, now: float) -> None:
        while self._sent and self._sent[0] <= now - HOUR:
            self._sent.popleft()

    def used(self, now: float) -> int:
        self._trim(now)
        return len(self._sent)

    def record(self, now: float) -> None:
        self._sent.append(now)

    def next_allowed(self, now: float) -> float:
        """The earliest moment another request may go out (``now`` if it may go now)."""
        self._trim(now)
        at = max(now, self.hold_until)
        if len(self._sent) >= self.per_hour:
            at = max(at, self._sent[len(self._sent) - self.per_hour] + HOUR)
        return at

    def observe(self, rate_limit: RateLimit | None, now: float) -> None:
        if rate_limit is None or rate_limit is self.codat:
            return
        self.codat = rate_limit
        self._codat_seen_at = now
        if rate_limit.remaining is not None and rate_limit.remaining <= 0:
            reset = parse_reset(rate_limit.reset, now)
            if reset is not None and reset > now:
                self.hold_until = max(self.hold_until, reset)

    def hold(self, until: float) -> None:
        self.hold_until = max(self.hold_until, until)

    def factor(self, now: float) -> float:
        """How much to stretch intervals, from whichever budget is tighter."""
        local_left = 1.0 - self.used(now) / self.per_hour
        codat_left: float | None = None
        quota = self.codat
        if quota is not None and quota.remaining is not None and quota.limit:
            reset = parse_reset(quota.reset, now)
            if reset is None or reset > now:
                codat_left = quota.remaining / quota.limit
        return max(stretch(local_left), stretch(codat_left))
