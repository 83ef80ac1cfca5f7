"""A tracker that is told by hand: the test feeds observations, the manager hears the events."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from desktop.core.clock import FakeClock
from desktop.core.journey import AgentConfirmed, JourneyState, Step, apply, start

if TYPE_CHECKING:
    from desktop.core.calls.manager import CallManager


class HandTracker:
    """Keeps each company's journey state; the test feeds observations through ``observe``."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.states: dict[str, JourneyState] = {}
        self.manager: CallManager | None = None
        self.confirmations: list[tuple[str, Step, float]] = []
        self.focused: str | None = None
        # What each company was tracked until, past its first sync (a practice call's lesson).
        self.until_seen: dict[str, Callable[[JourneyState], bool] | None] = {}

    def track(
        self,
        company_id: str,
        *,
        state: JourneyState | None = None,
        until_seen: Callable[[JourneyState], bool] | None = None,
    ) -> JourneyState:
        self.until_seen[company_id] = until_seen
        return self.states.setdefault(company_id, state or start(company_id, self.clock.now()))

    def untrack(self, company_id: str) -> None:
        self.states.pop(company_id, None)

    def focus(self, company_id: str | None) -> None:
        self.focused = company_id

    def confirm(self, company_id: str, step: Step, at: float | None = None) -> JourneyState:
        when = self.clock.now() if at is None else at
        self.confirmations.append((company_id, step, when))
        return self.observe(company_id, AgentConfirmed(when, step))

    def observe(self, company_id: str, observation: Any) -> JourneyState:
        state, events = apply(self.states[company_id], observation)
        self.states[company_id] = state
        if self.manager is not None:
            self.manager.on_update(company_id, state, events)
        return state
