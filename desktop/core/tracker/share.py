"""Sharing a scarce request rate between journeys: weighted max-min fairness ("water filling").

Each journey wants a rate (one over its interval, plus its follow-up questions) and has a weight.
When the wants fit in the budget everybody gets what they want. Otherwise the rate is poured out by
weight: a journey that wants less than its weighted share gets all it wants, and what it leaves is
shared by the others in proportion to their weights. Every journey gets a share above zero, so
none is starved, however many there are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Want:
    """What one journey would like: ``rate`` in requests per second, and its ``weight`` (> 0)."""

    key: str
    rate: float
    weight: float


def allot(wants: Iterable[Want], rate: float) -> Mapping[str, float]:
    """How much to stretch each journey's intervals (>= 1.0) so that their sum fits ``rate``.

    ``rate`` is the budget in requests per second. Returns ``{key: stretch}``; a stretch of 2.0
    means asking half as often as wanted.
    """
    items = [w for w in wants if w.rate > 0]
    total = sum(w.rate for w in items)
    if total <= rate or not items:
        return {w.key: 1.0 for w in items}
    left = max(rate, 1e-9)
    weights = sum(w.weight for w in items)
    stretch: dict[str, float] = {}
    # Smallest want per unit of weight first: those are satisfied in full while they fit.
    ordered = sorted(items, key=lambda w: w.rate / w.weight)
    for index, want in enumerate(ordered):
        fair = want.weight * left / weights
        if want.rate <= fair:
            stretch[want.key] = 1.0
            left -= want.rate
            weights -= want.weight
            continue
        level = left / weights  # the rate per unit of weight everybody else gets
        for rest in ordered[index:]:
            stretch[rest.key] = rest.rate / (rest.weight * level)
        break
    return stretch
