"""The words the status bar uses for the tracking mode (Qt-free, so the CLI and tests share them)."""

from __future__ import annotations

LIVE = "Live, team hub"
POLLING = "Polling"
WEBHOOKS_REFUSED = (
    "Team hub up, but Codat's webhooks are being refused (check the hub's signing secret): polling"
)


def status_text(
    live: bool, problem: str | None = None, *, refused: bool = False, polled_as_usual: int = 0
) -> str:
    """``Live, team hub`` while the hub's events arrive (with how many calls are polled as
    usual since a change of theirs came without its webhook, ``polled_as_usual``); otherwise
    ``Polling``, with why the hub cannot be used when the feed knows (its credentials refused,
    its certificate not trusted), or ``WEBHOOKS_REFUSED`` when the hub is up but refuses Codat's
    webhooks (``refused``)."""
    if live and polled_as_usual:
        calls = "1 call" if polled_as_usual == 1 else f"{polled_as_usual} calls"
        return f"{LIVE} ({calls} polled: a change came without its webhook)"
    if live:
        return LIVE
    if refused and not problem:
        return WEBHOOKS_REFUSED
    return f"{POLLING} ({problem})" if problem else POLLING
