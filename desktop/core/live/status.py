"""The words the status bar uses for the tracking mode (Qt-free, so the CLI and tests share them)."""

from __future__ import annotations

LIVE = "Live, team hub"
POLLING = "Polling"


def status_text(live: bool, problem: str | None = None) -> str:
    """``Live, team hub`` while the hub's events arrive; otherwise ``Polling``, with why the hub
    cannot be used when the feed knows (its credentials refused, its certificate not trusted)."""
    if live:
        return LIVE
    return f"{POLLING} ({problem})" if problem else POLLING
