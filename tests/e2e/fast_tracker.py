"""A tracker pace for following the sandbox's scripted customers within seconds: intervals of
tenths of a second, no budget to speak of, no stagger; shared by the e2e tests that need it."""

from __future__ import annotations

from desktop.core.tracker import TrackerSettings

FAST = TrackerSettings(
    fast_interval=0.1,
    medium_interval=0.2,
    slow_interval=0.3,
    hot_window=1000.0,
    patience=1000.0,
    budget_per_hour=10_000_000,
    stagger=0.0,
    connections_recheck=0.3,
    history_every=0.3,
)
