"""Adaptive, quota-aware polling of Codat for one or many journeys (no Qt; see scheduler.py)."""

from desktop.core.tracker.budget import Budget, parse_reset
from desktop.core.tracker.policy import TrackerSettings, backoff, base_interval, stretch
from desktop.core.tracker.scheduler import (
    Ask,
    LiveFeed,
    Stop,
    StopReason,
    Tracker,
    TrackerClient,
    TrackerUpdate,
)

__all__ = [
    "Ask",
    "Budget",
    "LiveFeed",
    "Stop",
    "StopReason",
    "Tracker",
    "TrackerClient",
    "TrackerSettings",
    "TrackerUpdate",
    "backoff",
    "base_interval",
    "parse_reset",
    "stretch",
]
