"""Putting the journey's own events on a call's timeline, field for field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.core.store.records import Event

if TYPE_CHECKING:
    from desktop.core.journey import JourneyEvent
    from desktop.core.store.callstore import CallStore


def record_journey_event(store: CallStore, call_id: int, event: JourneyEvent) -> Event:
    """Saves a ``JourneyEvent`` with its observation time; its full JSON goes in ``data``."""
    return store.add_event(
        call_id,
        event.at,
        event.kind.value,
        event.message,
        step=int(event.step) if event.step is not None else None,
        status=event.status.value if event.status is not None else None,
        provenance=event.provenance.value if event.provenance is not None else None,
        problem_key=event.problem.key.value if event.problem is not None else None,
        data=event.to_json(),
    )
