"""The request budget: a steady rate, a share of Codat's daily quota, spent as a token bucket.

Codat's quota belongs to the whole client organisation (every agent, and the client's own product):
``1,000 + 1,000 x active connected companies`` requests a day, reset at 00:00 UTC; every response
says where it stands in ``X-Rate-Limit-Limit``, ``X-Rate-Limit-Remaining`` and
``X-Rate-Limit-Reset``; once it is spent every request is answered 429 with a ``Retry-After``
(Codat docs, "Rate limits", docs/using-the-api/rate-limits.md). This installation spends a share of
it (the ``quota_share`` setting) as a steady rate: the day's quota spread over the day, or what is
left spread over the time to the reset when others have spent faster. Tokens refill continuously,
so a burst of companies cannot spend an hour's budget in a minute and then fall silent.

Every delay that comes from outside (``Retry-After``, a reset date) is bounded by ``max_hold``: a
bad header can slow tracking, never stop it.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from desktop.core.codat.models import RateLimit, parse_datetime

HOUR = 3600.0
DAY = 86400.0
# Codat docs, rate-limits.md: "1,000 + 1,000 x number of ACCs requests per day".
DAILY_BASE = 1000
DAILY_PER_CONNECTED_COMPANY = 1000
# The rate for an API on this machine (the embedded sandbox): its quota is nobody else's.
UNMETERED_PER_HOUR = 1_000_000.0
TOKEN_SLACK = 1e-6  # rounding: a token short by this much counts as whole
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def is_loopback(base_url: str | None) -> bool:
    """True for an API base URL on this machine (the sandbox); False when unknown."""
    if not base_url:
        return False
    return (urlsplit(base_url).hostname or "") in LOOPBACK_HOSTS


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
        if number != number:  # NaN
            return None
        return number if number > 1e9 else now + max(0.0, number)
    parsed: datetime | None = parse_datetime(text)
    if parsed is None:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return parsed.timestamp()


def bounded(delay: float, limit: float) -> float:
    """A delay from outside, never negative, never longer than ``limit`` seconds."""
    if delay != delay:  # NaN
        return limit
    return min(max(0.0, delay), limit)


class Budget:
    """How fast this installation may send requests, over all companies (requests per second).

    ``share``: the fraction of Codat's daily quota this installation may spend (0 < share <= 1).
    ``fixed_per_hour``: a fixed rate instead (benchmarks and tests); None derives it from Codat.
    ``burst_seconds``: the bucket holds this many seconds of the rate (at least 2 tokens).
    ``max_hold``: the longest any hold from outside may last, in seconds.
    """

    def __init__(
        self,
        *,
        share: float = 0.25,
        fixed_per_hour: float | None = None,
        burst_seconds: float = 30.0,
        max_hold: float = 900.0,
    ) -> None:
        self.share = min(1.0, max(0.001, share))
        self.fixed_per_hour = fixed_per_hour
        self.burst_seconds = burst_seconds
        self.max_hold = max_hold
        self.codat: RateLimit | None = None
        self.connected = 0  # companies seen linked: the estimate before Codat has said anything
        # False for an API on this machine (the sandbox): no organisation shares its quota.
        self.metered = True
        self.hold_until = 0.0  # a global hold (429 on the whole quota): nobody asks before
        self.hold_asked = 0.0  # how long Codat asked for (seconds), before bounding
        self._tokens: float | None = None
        self._filled_at = 0.0

    # -- the rate ----------------------------------------------------------------------------

    def daily_quota(self) -> int:
        """Codat's quota for today: its header, or the documented formula for what we know."""
        quota = self.codat
        if quota is not None and quota.limit is not None and quota.limit > 0:
            return quota.limit
        return DAILY_BASE + DAILY_PER_CONNECTED_COMPANY * self.connected

    def per_hour(self, now: float) -> float:
        """This installation's steady rate in requests an hour (never below one per hold)."""
        if self.fixed_per_hour is not None:
            return max(self.fixed_per_hour, 1e-6)
        if not self.metered:
            return UNMETERED_PER_HOUR
        pace = self.daily_quota() / 24.0
        quota = self.codat
        if quota is not None and quota.remaining is not None:
            reset = parse_reset(quota.reset, now)
            if reset is not None and reset > now:
                # What is left, spread over the time to the reset: slower when others have spent
                # fast, never so fast in the last hour that one installation spends it all.
                hours_left = min(reset - now, DAY) / HOUR
                pace = max(0, quota.remaining) / max(hours_left, 1.0)
        # At least one request per hold: the quota's reset is then noticed within max_hold.
        return max(self.share * pace, HOUR / self.max_hold)

    def _rate(self, now: float) -> float:
        return self.per_hour(now) / HOUR

    def capacity(self, now: float) -> float:
        return max(2.0, self._rate(now) * self.burst_seconds)

    def _refill(self, now: float) -> float:
        cap = self.capacity(now)
        if self._tokens is None:
            self._tokens = cap  # start with a full bucket: the first looks go out together
        else:
            elapsed = max(0.0, now - self._filled_at)
            self._tokens = min(cap, self._tokens + elapsed * self._rate(now))
        self._filled_at = now
        return self._tokens

    # -- spending ----------------------------------------------------------------------------

    def next_allowed(self, now: float) -> float:
        """The earliest moment another request may go out (``now`` if it may go now)."""
        tokens = self._refill(now)
        at = max(now, self.hold_until)
        if tokens < 1.0 - TOKEN_SLACK:
            # Never less than a millisecond: epoch seconds cannot hold a smaller step.
            at = max(at, now + max((1.0 - tokens) / self._rate(now), 1e-3))
        return at

    def record(self, now: float) -> None:
        """One request sent."""
        self._refill(now)
        assert self._tokens is not None
        self._tokens -= 1.0

    # -- what Codat says ---------------------------------------------------------------------

    def observe(self, rate_limit: RateLimit | None, now: float) -> None:
        """Codat's ``X-Rate-Limit-*`` headers from the latest answer; a spent quota holds all."""
        if rate_limit is None or rate_limit is self.codat:
            return
        self.codat = rate_limit
        if rate_limit.remaining is not None and rate_limit.remaining <= 0:
            reset = parse_reset(rate_limit.reset, now)
            if reset is not None and reset > now:
                self.hold(now, reset - now)

    def hold(self, now: float, seconds: float) -> float:
        """Nobody asks for ``seconds`` (bounded by ``max_hold``); returns the bounded delay."""
        delay = bounded(seconds, self.max_hold)
        if now + delay > self.hold_until:
            self.hold_until = now + delay
            self.hold_asked = seconds
        return delay

    def held(self, now: float) -> bool:
        return self.hold_until > now

    def spent_codat(self) -> bool:
        """Codat's own headers say the organisation's quota is used up."""
        quota = self.codat
        return quota is not None and quota.remaining is not None and quota.remaining <= 0
