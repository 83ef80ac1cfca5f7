"""Adaptive, quota-aware polling of Codat for one or many journeys (no Qt; see scheduler.py)."""

from desktop.core.tracker.budget import Budget, parse_reset
from desktop.core.tracker.pace import Limit, Pace, duration_words, pace_text
from desktop.core.tracker.policy import TrackerSettings, backoff, base_interval
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
    "Limit",
    "Pace",
    "Stop",
    "StopReason",
    "Tracker",
    "TrackerClient",
    "TrackerSettings",
    "backoff",
    "base_interval",
    "duration_words",
    "pace_text",
    "parse_reset",
]
