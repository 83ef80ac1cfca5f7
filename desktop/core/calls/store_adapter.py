"""The call store as a CallSession needs it: times in, secrets out, every write reported."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from desktop.core.calls.session import (
    AGENT_CONFIRM,
    StoredCall,
    TimelineEntry,
)
from desktop.core.journey import (
    EventKind,
    Step,
)
from desktop.core.logs import SECRET_FILTER
from desktop.core.store import CallStore, Event

_T = TypeVar("_T")


def _stored_timeline(events: Sequence[Event]) -> list[TimelineEntry]:
    return [TimelineEntry(e.time, e.kind, e.summary) for e in events]


class StoreAdapter:
    """``CallStore`` seen as the ``CallRepository`` the sessions and the manager use."""

    def __init__(
        self, store: CallStore, profile: str, api_kind: str | Callable[[], str] = "codat"
    ) -> None:
        """``api_kind`` may be a function: the app knows it only once the API key is read."""
        self.store = store
        self.profile = profile
        self.api_kind = api_kind

    def open_call(self, company_id: str, company_name: str, link_url: str, at: float) -> int:
        call = self.store.open_call(
            company_id=company_id,
            company_name=company_name,
            profile=self.profile,
            api_kind=self.api_kind() if callable(self.api_kind) else self.api_kind,
            link_url=link_url,
            opened_at=at,
        )
        return call.id

    def add_event(
        self,
        call_id: int,
        at: float,
        kind: str,
        message: str,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        data = data or {}
        problem = data.get("problem")
        step = data.get("step")
        self.store.add_event(
            call_id,
            at,
            kind,
            message,
            step=step if isinstance(step, int) else None,
            status=data.get("status"),
            provenance=data.get("provenance"),
            problem_key=problem.get("key") if isinstance(problem, Mapping) else None,
            data=dict(data) or None,
        )

    def set_tick(
        self, call_id: int, key: str, ticked: bool, at: float, *, label: str | None = None
    ) -> None:
        del at  # the store stamps it
        self.store.set_tick(call_id, key, ticked, label=label)

    def save_notes(self, call_id: int, notes: str, at: float) -> None:
        del at
        # An agent may paste a key into the notes; like the timeline, the file never keeps it.
        self.store.save_notes(call_id, SECRET_FILTER.scrub(notes))

    def set_platform(self, call_id: int, key: str | None, name: str | None) -> None:
        self.store.update_call(call_id, platform_key=key, platform_name=name)

    def close_call(self, call_id: int, at: float) -> None:
        del at
        self.store.close_call(call_id, None)

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
                )
            )
        return out
