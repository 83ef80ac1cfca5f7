"""Times and durations as the exports write them (JSON times: ``desktop.core.journey.iso``)."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo


def local(epoch: float, tz: tzinfo | None = None) -> datetime:
    """The moment in ``tz``, or in this computer's time zone when None."""
    moment = datetime.fromtimestamp(epoch, tz=UTC)
    return moment.astimezone(tz) if tz is not None else moment.astimezone()


def duration(seconds: float) -> str:
    """A short human duration: "45 s", "4 min 05 s", "1 h 02 min"."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def offset(seconds: float) -> str:
    """Time since the call started, as +M:SS (or +H:MM:SS past an hour)."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"+{hours}:{minutes:02d}:{secs:02d}"
    return f"+{minutes}:{secs:02d}"
