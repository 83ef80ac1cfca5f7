"""How often to ask, and how long to wait after a failure: pure functions of the settings.

Fast polling lasts while a change is likely soon: the agent has just confirmed a step (after "link
opened" the customer picks their software; after "reviewed and started" they sign in), a change has
just been seen, or the first sync has just started. While a change is unlikely (the connection is
waiting for the customer's consent and the agent has not confirmed it, or nothing has moved for a
while) the interval is the medium one, growing towards the slow one. When nothing has moved for
``hot_window`` seconds the interval grows steadily towards the next slower one, so a customer who
stays on one screen for ten minutes does not cost three hundred requests.

A journey followed past its goal for a change still to come (``awaiting``: a practice call whose
lesson, such as access revoked, comes after the first sync) expects that change from the moment
the first sync was done: fast polling, then the medium interval until it comes.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from desktop.core.journey import JourneyState, Phase, Step


class SettingsSource(Protocol):
    def get(self, key: str, profile: str | None = None) -> Any: ...


@dataclass(frozen=True)
class TrackerSettings:
    fast_interval: float = 2.0  # a connection is PendingAuth, or a sync runs
    medium_interval: float = 10.0  # waiting for the customer to start
    slow_interval: float = 300.0  # nothing moves: at most 12 requests an hour
    hot_window: float = 30.0  # how long fast polling lasts after a change became likely
    patience: float = 900.0  # how long medium polling lasts before slowing further
    first_backoff: float = 1.0
    max_backoff: float = 120.0
    # The share of Codat's daily quota this installation may spend (the rest is the team's
    # other agents' and the client's own product's), as a fraction.
    quota_share: float = 0.25
    # A fixed budget in requests an hour instead of the share of Codat's quota (None: derived).
    budget_per_hour: float | None = None
    max_hold: float = 900.0  # the longest wait any answer from outside may impose (s)
    # An API on this machine (the embedded sandbox) has no shared quota: no budget there. The
    # economy benchmark turns this off to treat the sandbox as Codat.
    unmetered_loopback: bool = True
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
        share = float(source.get("quota_share"))
        values: dict[str, Any] = {
            "fast_interval": float(source.get("fast_interval")),
            "medium_interval": float(source.get("medium_interval")),
            "slow_interval": float(source.get("slow_interval")),
            "max_backoff": float(source.get("max_backoff")),
            # The setting is a percentage of Codat's daily quota.
            "quota_share": min(100.0, max(1.0, share)) / 100.0,
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


def change_expected_since(state: JourneyState, awaiting: bool = False) -> float | None:
    """Since when a change on the customer's side is likely soon, or None if it is not.

    A step the agent confirmed (or the API showed) starts the next one, and that next change is
    likely soon, except while the customer reviews what will be shared: a connection waiting for
    consent nobody has confirmed may stay PendingAuth for minutes. Once linked, the first sync's
    completion is likely soon after the link, not after every progress tick. A finished journey
    ``awaiting`` a change after its goal expects it since the first sync was done.
    """
    phase = state.phase
    if phase is Phase.FINISHED and awaiting:
        done = state.first_sync_done_at
        return done if done is not None else state.changed_at
    if phase is Phase.SYNCING:
        linked = state.step(Step.SIGN_IN).seen_at
        return linked if linked is not None else state.changed_at
    if phase is not Phase.LINKING:
        return None
    current = state.current_step
    if current is not None and current.step is Step.REVIEW_AND_START:
        return None
    return state.changed_at


def base_interval(
    state: JourneyState, now: float, settings: TrackerSettings, awaiting: bool = False
) -> float:
    """The interval this journey wants, in seconds, before any budget is considered
    (``awaiting``: a change is still to come after the goal)."""
    phase = state.phase
    expected = change_expected_since(state, awaiting)
    if expected is not None:
        quiet = max(0.0, now - expected)
        return _ramp(settings.fast_interval, settings.medium_interval, quiet, settings.hot_window)
    if phase in (Phase.AWAITING_CUSTOMER, Phase.IDLE, Phase.LINKING):
        quiet = max(0.0, now - state.changed_at)
        return _ramp(settings.medium_interval, settings.slow_interval, quiet, settings.patience)
    return settings.slow_interval


# How much of a scarce budget a journey gets, relative to an idle one (see share.allot).
WEIGHT_ON_SCREEN = 8.0
WEIGHT_CHANGE_EXPECTED = 4.0
WEIGHT_WAITING = 2.0
WEIGHT_IDLE = 1.0


def weight(state: JourneyState, on_screen: bool, awaiting: bool = False) -> float:
    """The call on screen first, then journeys expecting a change, then waiting ones, idle last."""
    if on_screen:
        return WEIGHT_ON_SCREEN
    if change_expected_since(state, awaiting) is not None:
        return WEIGHT_CHANGE_EXPECTED
    if state.phase in (Phase.AWAITING_CUSTOMER, Phase.LINKING):
        return WEIGHT_WAITING
    return WEIGHT_IDLE


def backoff(failures: int, settings: TrackerSettings, rng: random.Random) -> float:
    """Exponential, with jitter over the upper half so many clients do not retry in step."""
    exp = min(failures - 1, 30)
    ceiling = min(settings.max_backoff, settings.first_backoff * (2.0**exp))
    return ceiling / 2.0 + rng.uniform(0.0, ceiling / 2.0)
