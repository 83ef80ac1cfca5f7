"""How often to ask, and how long to wait after a failure: pure functions of the settings.

Fast polling lasts while a change is expected; when nothing has moved for ``hot_window`` seconds
the interval grows steadily towards the next slower one, so a customer who stays on one screen for
ten minutes does not cost three hundred requests.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from desktop.core.journey import JourneyState, Phase


class SettingsSource(Protocol):
    def get(self, key: str, profile: str | None = None) -> Any: ...


@dataclass(frozen=True)
class TrackerSettings:
    fast_interval: float = 2.0  # a connection is PendingAuth, or a sync runs
    medium_interval: float = 10.0  # waiting for the customer to start
    slow_interval: float = 300.0  # nothing moves: at most 12 requests an hour
    hot_window: float = 60.0  # how long fast polling lasts after the last change
    patience: float = 900.0  # how long medium polling lasts before slowing further
    first_backoff: float = 1.0
    max_backoff: float = 120.0
    budget_per_hour: int = 600  # requests per rolling hour for the whole installation
    concurrency: int = 4  # requests in flight at once, over all companies
    stagger: float = 0.25  # between the first requests of companies added together
    connections_recheck: float = 60.0  # once linked: re-read connections at least this often
    history_every: float = 30.0  # while syncing: re-read pull operations for progress
    keep_watching: bool = False  # go on (slowly) after the journey finished or failed
    live_heartbeat: float = 300.0  # while the team hub covers a company: at most 12 an hour
    stall_seconds: Mapping[int, float] = field(
        default_factory=lambda: {1: 180.0, 2: 300.0, 3: 300.0, 4: 600.0, 5: 1800.0}
    )

    @classmethod
    def from_settings(cls, source: SettingsSource, **overrides: Any) -> TrackerSettings:
        stall = source.get("stall_seconds")
        values: dict[str, Any] = {
            "fast_interval": float(source.get("fast_interval")),
            "medium_interval": float(source.get("medium_interval")),
            "slow_interval": float(source.get("slow_interval")),
            "max_backoff": float(source.get("max_backoff")),
            "budget_per_hour": int(source.get("budget_per_hour")),
        }
        if isinstance(stall, Mapping):
            values["stall_seconds"] = {int(k): float(v) for k, v in stall.items()}
        values.update(overrides)
        return cls(**values)


def _ramp(low: float, high: float, quiet: float, window: float) -> float:
    """``low`` for ``window`` seconds of quiet, then growing linearly, capped at ``high``."""
    if quiet <= window or window <= 0:
        return low
    return min(max(high, low), low * (1.0 + (quiet - window) / window))


def base_interval(state: JourneyState, now: float, settings: TrackerSettings) -> float:
    quiet = max(0.0, now - state.changed_at)
    phase = state.phase
    if phase in (Phase.LINKING, Phase.SYNCING):
        return _ramp(settings.fast_interval, settings.medium_interval, quiet, settings.hot_window)
    if phase in (Phase.AWAITING_CUSTOMER, Phase.IDLE):
        return _ramp(settings.medium_interval, settings.slow_interval, quiet, settings.patience)
    return settings.slow_interval


def backoff(failures: int, settings: TrackerSettings, rng: random.Random) -> float:
    """Exponential, with jitter over the upper half so many clients do not retry in step."""
    exp = min(failures - 1, 30)
    ceiling = min(settings.max_backoff, settings.first_backoff * (2.0**exp))
    return ceiling / 2.0 + rng.uniform(0.0, ceiling / 2.0)


def stretch(fraction_left: float | None) -> float:
    """How much to lengthen every interval when only ``fraction_left`` of a budget remains.

    Nothing changes while half is left; below that the intervals grow as the remainder shrinks
    (2x at a quarter left, 10x at 5 %), so the budget lasts instead of running out.
    """
    if fraction_left is None or fraction_left >= 0.5:
        return 1.0
    return 0.5 / max(fraction_left, 0.01)
