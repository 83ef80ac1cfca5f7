"""How often a company is being checked, and why, in words for the call page and ``linkdesk track``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Limit(StrEnum):
    """What sets a company's pace when it is slower than its journey wants."""

    QUOTA = "quota"  # the team's share of Codat's quota, spread over every followed company
    CODAT_HOLD = "codat_hold"  # Codat answered 429: its quota is spent for the organisation
    RETRY_AFTER = "retry_after"  # Codat asked this company's requests to wait (Retry-After)


@dataclass(frozen=True)
class Pace:
    """One company's pace: seconds between regular checks, what it wants, when the next one is.

    ``interval`` and ``wanted`` are seconds; ``next_at`` is epoch seconds; ``limit`` is None when
    nothing slows the company down; ``asked`` is the wait Codat asked for (seconds) before LinkDesk
    bounded it, when it asked for one.
    """

    company_id: str
    interval: float
    wanted: float
    next_at: float
    limit: Limit | None = None
    asked: float | None = None


def duration_words(seconds: float) -> str:
    """``40 s``, ``2 min 30 s``, ``3 h 5 min``, ``1000 days``."""
    whole = max(0, round(seconds))
    if whole < 90:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{round(hours / 24)} days"


def pace_text(pace: Pace | None, now: float) -> str | None:
    """What the agent should know about the pace, or None when tracking runs at full speed."""
    if pace is None or pace.limit is None:
        return None
    next_in = duration_words(pace.next_at - now)
    if pace.limit is Limit.QUOTA:
        return (
            f"Checking every {duration_words(pace.interval)} to stay within the team's quota; "
            f"next check in {next_in}."
        )
    said = ""
    if pace.asked is not None and pace.asked > pace.next_at - now + 1:
        said = (
            f" Codat said {duration_words(pace.asked)}; LinkDesk never waits that long without "
            "looking again."
        )
    if pace.limit is Limit.CODAT_HOLD:
        return f"Codat's request quota is used up for now; next check in {next_in}.{said}"
    return f"Codat asked LinkDesk to wait; next check in {next_in}.{said}"
