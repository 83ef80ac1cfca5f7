"""Judging the team hub from its heartbeats' webhook figures, summed over its workers."""

from __future__ import annotations

from typing import Any

from desktop.core.live.hub_health import HubHealth
from desktop.core.live.status import LIVE, POLLING, WEBHOOKS_REFUSED, status_text

STALE = 15.0


def beat(
    worker: str, accepted: int = 0, rejected: int = 0, **times: float | None
) -> dict[str, Any]:
    return {
        "at": 1000.0,
        "worker": worker,
        "window": 600.0,
        "accepted": accepted,
        "rejected": rejected,
        "firstRejectedAt": times.get("first_rejected"),
        "lastAcceptedAt": times.get("last_accepted"),
    }


def test_refusals_with_nothing_accepted_since_make_the_hub_refusing() -> None:
    health = HubHealth()
    health.beat(beat("a", accepted=3, rejected=2, first_rejected=500.0, last_accepted=400.0), 0.0)
    assert health.refusing(1.0, STALE)
    health.beat(beat("a", accepted=4, rejected=2, first_rejected=500.0, last_accepted=600.0), 2.0)
    assert not health.refusing(3.0, STALE)  # accepted again: trusted again


def test_the_workers_are_judged_together() -> None:
    health = HubHealth()
    # Worker a refused at 500; worker b accepted one at 550: the secret works (a stray bad
    # request at a, not a rotation).
    health.beat(beat("a", rejected=1, first_rejected=500.0), 0.0)
    health.beat(beat("b", accepted=1, last_accepted=550.0), 0.0)
    assert not health.refusing(1.0, STALE)
    # Both refuse, and b's last acceptance came before a's first refusal.
    health.beat(beat("b", accepted=1, rejected=3, first_rejected=520.0, last_accepted=450.0), 1.0)
    health.beat(beat("a", rejected=1, first_rejected=500.0, last_accepted=None), 1.0)
    assert health.refusing(2.0, STALE)


def test_a_worker_that_stopped_beating_is_forgotten() -> None:
    health = HubHealth()
    health.beat(beat("old", rejected=5, first_rejected=500.0), 0.0)
    health.beat(beat("new", accepted=0), 10.0)
    assert health.refusing(12.0, STALE)
    assert not health.refusing(16.0, STALE)  # only "new" beat within 15 s: nothing refused


def test_a_beat_without_webhook_figures_says_nothing_against_the_hub() -> None:
    health = HubHealth()
    health.beat({"at": 1000.0, "stream": "CODAT", "interval": 5.0}, 0.0)
    health.beat("not an object", 0.0)
    health.beat({"worker": "x", "rejected": "many", "accepted": True}, 0.0)
    assert not health.refusing(1.0, STALE)


def test_the_status_bar_says_the_webhooks_are_refused_in_plain_words() -> None:
    assert status_text(False, refused=True) == WEBHOOKS_REFUSED
    assert "webhooks are being refused" in WEBHOOKS_REFUSED
    assert "signing secret" in WEBHOOKS_REFUSED and WEBHOOKS_REFUSED.endswith("polling")
    assert status_text(True, refused=False) == LIVE
    assert status_text(False) == POLLING
    # A connection problem is the more pressing: without NATS no refusal figure is fresh anyway.
    assert status_text(False, "the team hub's TLS certificate is not trusted", refused=True) == (
        "Polling (the team hub's TLS certificate is not trusted)"
    )
