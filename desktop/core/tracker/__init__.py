"""Adaptive, quota-aware polling of Codat for one or many journeys (no Qt; see scheduler.py)."""

from desktop.core.tracker.budget import Budget, parse_reset
from desktop.core.tracker.policy import TrackerSettings, backoff, base_interval, stretch
from desktop.core.tracker.scheduler import (
    Ask,
    Stop,
    StopReason,
    Tracker,
    TrackerClient,
)

__all__ = [
    "Ask",
    "Budget",
    "Stop",
    "StopReason",
    "Tracker",
    "TrackerClient",
    "TrackerSettings",
    "backoff",
    "base_interval",
    "parse_reset",
    "stretch",
]
