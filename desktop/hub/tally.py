"""How Codat's webhooks fared at this hub process lately: accepted and refused, for the heartbeat.

A hub whose process is up but which refuses every webhook (a signing secret rotated at Codat and
not here, a clock off by more than the tolerance) still beats; the desktops would call it live and
barely poll. The heartbeat therefore carries these figures (``beat_fields``) and a desktop does
not trust a hub that refused webhooks and accepted none since.

With ``linkdesk hub --workers N`` every worker process has its own receiver, tally and heartbeat:
each beat carries its own worker's figures under its own ``worker`` id, and the desktop sums the
latest beat of each worker (``desktop.core.live.hub_health``). Nothing is shared between the
processes, so no figure is counted twice nor lost.
"""

from __future__ import annotations

import os
import secrets
import time
from collections import deque
from collections.abc import Callable
from typing import Any

# The refusals that say Codat's deliveries cannot be verified here (a signing secret or a clock
# that differs from Codat's): not an oversized, replayed or malformed one, which a verified
# delivery can be too.
VERIFICATION_FAILURES = frozenset(
    {"no_signature", "bad_timestamp", "stale_timestamp", "bad_signature"}
)
WINDOW = 600.0  # seconds of webhooks each heartbeat reports on


def worker_id() -> str:
    """This process's id in the heartbeat: its pid and a random part (pids repeat across hosts
    and restarts; a hub restarted is a new worker, and its old id ages out at the desktops)."""
    return f"{os.getpid()}-{secrets.token_hex(3)}"


class WebhookTally:
    """Webhooks accepted (verified and stored, a duplicate included) and refused as unverifiable
    over the last ``window`` seconds, on ``clock`` (epoch seconds, the hub's).

    Counted in slots of ``window / SLOTS`` seconds, so memory stays small at any webhook rate;
    a slot leaves the window whole, once its last second is ``window`` seconds old."""

    SLOTS = 60

    def __init__(self, window: float = WINDOW, clock: Callable[[], float] = time.time) -> None:
        self.window = window
        self.clock = clock
        self.worker = worker_id()
        self.last_accepted_at: float | None = None
        self._slot = window / self.SLOTS
        # [slot number, accepted, rejected, first refusal's time or None], oldest first
        self._slots: deque[list[Any]] = deque()

    def accepted(self) -> None:
        now = self.clock()
        self._current(now)[1] += 1
        self.last_accepted_at = now

    def rejected(self, reason: str) -> None:
        """Count a refusal; only a verification failure (``VERIFICATION_FAILURES``) counts."""
        if reason in VERIFICATION_FAILURES:
            now = self.clock()
            slot = self._current(now)
            slot[2] += 1
            if slot[3] is None:
                slot[3] = now

    def _current(self, now: float) -> list[Any]:
        number = int(now // self._slot)
        if not self._slots or self._slots[-1][0] != number:
            self._slots.append([number, 0, 0, None])
            self._forget(now)
        return self._slots[-1]

    def _forget(self, now: float) -> None:
        while self._slots and (self._slots[0][0] + 1) * self._slot <= now - self.window:
            self._slots.popleft()

    def beat_fields(self) -> dict[str, Any]:
        """The heartbeat's webhook fields: ``worker`` (str), ``window`` (seconds), ``accepted``
        and ``rejected`` (counts within the window), ``firstRejectedAt`` (the earliest refusal
        within the window) and ``lastAcceptedAt`` (ever, by this worker): epoch seconds or
        None."""
        self._forget(self.clock())
        first = next((slot[3] for slot in self._slots if slot[3] is not None), None)
        return {
            "worker": self.worker,
            "window": self.window,
            "accepted": sum(slot[1] for slot in self._slots),
            "rejected": sum(slot[2] for slot in self._slots),
            "firstRejectedAt": first,
            "lastAcceptedAt": self.last_accepted_at,
        }
