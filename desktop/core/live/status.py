"""The words the status bar uses for the tracking mode (Qt-free, so the CLI and tests share them)."""

from __future__ import annotations

LIVE = "Live, team hub"
POLLING = "Polling"
WEBHOOKS_REFUSED = (
    "Team hub up, but Codat's webhooks are being refused (check the hub's signing secret): polling"
)


def status_text(live: bool, problem: str | None = None, *, refused: bool = False) -> str:
    """``Live, team hub`` while the hub's events arrive; otherwise ``Polling``, with why the hub
    cannot be used when the feed knows (its credentials refused, its certificate not trusted),
    or ``WEBHOOKS_REFUSED`` when the hub is up but refuses Codat's webhooks (``refused``)."""
    if live:
        return LIVE
    if refused and not problem:
        return WEBHOOKS_REFUSED
    return f"{POLLING} ({problem})" if problem else POLLING
