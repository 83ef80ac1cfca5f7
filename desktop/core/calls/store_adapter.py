"""The call store as a CallSession needs it: times in, secrets out, every write reported."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from desktop.core.calls.history import RecordedEvent
from desktop.core.calls.origin import CallOrigin
from desktop.core.calls.session import (
    AGENT_CONFIRM,
    StoredCall,
    TimelineEntry,
)
from desktop.core.journey import EventKind, JourneyEvent, Provenance, Step, StepStatus
from desktop.core.logs import SECRET_FILTER
from desktop.core.store import ApiKind, CallStore, Event, record_journey_event

_E = TypeVar("_E")


def _stored_timeline(events: Sequence[Event]) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            e.time, e.kind, e.summary, Step(e.step) if e.kind == AGENT_CONFIRM and e.step else None
        )
        for e in events
    ]


def _recorded(event: Event) -> RecordedEvent:
    return RecordedEvent(
        at=event.time,
        kind=event.kind,
        message=event.summary,
        step=_known(Step, event.step),
        status=_known(StepStatus, event.status),
        provenance=_known(Provenance, event.provenance),
        problem_key=event.problem_key,
    )


def _known(kind: Callable[[Any], _E], value: object) -> _E | None:
    """The enum member for a stored value; None for a value this LinkDesk does not know."""
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        return None


class StoreAdapter:
    """``CallStore`` seen as the ``CallRepository`` the sessions and the manager use."""

    def __init__(self, store: CallStore) -> None:
        self.store = store

    def open_call(
        self,
        company_id: str,
        company_name: str,
        link_url: str,
        at: float,
        origin: CallOrigin,
        scenario: str | None = None,
    ) -> int:
        call = self.store.open_call(
            company_id=company_id,
            company_name=company_name,
            profile=origin.profile,
            api_kind=origin.api_kind,
            link_url=link_url,
            scenario=scenario,
            opened_at=at,
        )
        return call.id

    def record_journey_event(self, call_id: int, event: JourneyEvent) -> None:
        record_journey_event(self.store, call_id, event)

    def record_entry(self, call_id: int, entry: TimelineEntry) -> None:
        self.store.add_event(
            call_id,
            entry.at,
            entry.kind,
            entry.message,
            step=int(entry.step) if entry.step is not None else None,
        )

    def set_tick(
        self, call_id: int, key: str, ticked: bool, at: float, *, label: str | None = None
    ) -> None:
        self.store.set_tick(call_id, key, ticked, label=label, at=at)

    def save_notes(self, call_id: int, notes: str, at: float) -> None:
        # An agent may paste a key into the notes; like the timeline, the file never keeps it.
        self.store.save_notes(call_id, SECRET_FILTER.scrub(notes), at=at)

    def set_platform(self, call_id: int, key: str | None, name: str | None) -> None:
        self.store.update_call(call_id, platform_key=key, platform_name=name)

    def close_call(self, call_id: int, at: float) -> None:
        self.store.close_call(call_id, None, at=at)

    def retry_pending(self) -> int:
        return self.store.retry_pending()

    def open_calls(self) -> list[StoredCall]:
        out: list[StoredCall] = []
        for call in self.store.open_calls():
            events = self.store.events(call.id)
            confirmed = [
                (Step(int(e.step)), e.time)
                for e in events
                if e.kind == AGENT_CONFIRM and e.step is not None
            ]
            followed = [
                e.data.get("connection_id")
                for e in events
                if e.kind == EventKind.FOLLOWING.value and e.data
            ]
            out.append(
                StoredCall(
                    call_id=call.id,
                    company_id=call.company_id,
                    company_name=call.company_name,
                    link_url=call.link_url or "",
                    opened_at=call.opened_at,
                    notes=self.store.notes(call.id),
                    ticks=self.store.ticks(call.id),
                    timeline=_stored_timeline(events),
                    confirmed=confirmed,
                    followed=str(followed[-1]) if followed and followed[-1] else None,
                    journey=[_recorded(e) for e in events if not e.is_agent_action],
                    origin=CallOrigin(call.profile, ApiKind(call.api_kind)),
                )
            )
        return out
