"""Whether the team hub is taking Codat's webhooks, from its heartbeats (no Qt, no NATS).

A hub can be up and beating while it refuses every webhook Codat sends (its signing secret not the
one Codat signs with since a rotation, its clock off by more than the tolerance): then no event
reaches the desktops, and polling slowed to a heartbeat would leave a journey frozen for minutes.
Each heartbeat says, for the hub worker that sent it, how many webhooks it accepted and refused
(as unverifiable) over its last ``window`` seconds, when it first refused one in that window, and
when it last accepted one (``desktop.hub.tally.WebhookTally.beat_fields``; times on the hub's
clock, epoch seconds).

With ``linkdesk hub --workers N`` every worker beats with its own figures and its own ``worker``
id; ``HubHealth`` keeps the latest beat of each and judges them together (their counts summed),
forgetting a worker that has not beaten within ``stale_after`` seconds (stopped, or restarted under a new id).
A beat without these fields (a hub from before them) says nothing against the hub.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WorkerBeat:
    seen_at: float  # when the desktop received it (desktop clock, epoch seconds)
    accepted: int
    rejected: int
    first_rejected_at: float | None  # hub clock
    last_accepted_at: float | None  # hub clock


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _time(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


class HubHealth:
    def __init__(self) -> None:
        self._workers: dict[str, WorkerBeat] = {}

    def beat(self, payload: Any, seen_at: float) -> None:
        """Take one heartbeat's decoded JSON (anything: a beat that is not an object counts
        as one without webhook figures)."""
        data = payload if isinstance(payload, dict) else {}
        worker = data.get("worker")
        self._workers[worker if isinstance(worker, str) else ""] = WorkerBeat(
            seen_at=seen_at,
            accepted=_count(data.get("accepted")),
            rejected=_count(data.get("rejected")),
            first_rejected_at=_time(data.get("firstRejectedAt")),
            last_accepted_at=_time(data.get("lastAcceptedAt")),
        )

    def _fresh(self, now: float, stale_after: float) -> list[WorkerBeat]:
        for worker in [w for w, b in self._workers.items() if now - b.seen_at > stale_after]:
            del self._workers[worker]
        return list(self._workers.values())

    def refusing(self, now: float, stale_after: float) -> bool:
        """True when the hub's workers that beat within ``stale_after`` seconds of ``now`` (the
        desktop's clock), together, refused webhooks within their window and accepted none
        since the first of those refusals."""
        beats = self._fresh(now, stale_after)
        if sum(b.rejected for b in beats) == 0:
            return False
        firsts = [b.first_rejected_at for b in beats if b.first_rejected_at is not None]
        accepted = [b.last_accepted_at for b in beats if b.last_accepted_at is not None]
        if not firsts:  # counts without times: judge by the window's counts alone
            return sum(b.accepted for b in beats) == 0
        return not accepted or max(accepted) < min(firsts)
